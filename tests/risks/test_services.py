"""Risk services: every transition and guard, scoring, reviews, the overdue-review job, treatment actions
and the matrix rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from servitium.core.errors import TransitionNotAllowed
from servitium.core.models import ChangeRecord, Comment
from servitium.risks import jobs, services
from servitium.risks.lifecycle import ACTION_WORKFLOW, RISK_WORKFLOW
from servitium.risks.models import Risk, RiskAction, RiskMatrix
from tests import factories
from tests.risks.conftest import assessed, risk


def test_every_status_has_an_entry():
    for workflow, statuses in ((RISK_WORKFLOW, Risk.Status), (ACTION_WORKFLOW, RiskAction.Status)):
        reachable = {t.target for t in workflow.transitions} | {
            s for t in workflow.transitions for s in t.sources
        }
        assert reachable == set(statuses.values)


def test_assess_needs_scores_and_owner(ctx, staff):
    bare = risk()
    with pytest.raises(TransitionNotAllowed, match="likelihood"):
        services.risk_transition(actor=None, instance=bare, transition="assess")
    scored = risk(likelihood=2, impact=3)
    with pytest.raises(TransitionNotAllowed, match="owner"):
        services.risk_transition(actor=None, instance=scored, transition="assess")
    done = assessed(staff.owner, 2, 3)
    assert done.status == "assessed" and done.review_date == dt.date.today() + dt.timedelta(days=90)


def test_treat_needs_option_and_an_action_unless_accepted_with_reason(ctx, staff):
    found = assessed(staff.owner)
    with pytest.raises(TransitionNotAllowed, match="treatment option"):
        services.risk_transition(actor=None, instance=found, transition="treat")
    with pytest.raises(TransitionNotAllowed, match="action"):
        services.risk_transition(
            actor=None, instance=found, transition="treat", data={"treatment_option": "reduce"}
        )
    found.refresh_from_db()
    assert found.treatment_option == ""  # rolled back with the refused transition
    with pytest.raises(TransitionNotAllowed, match="reason"):
        services.risk_transition(
            actor=None, instance=found, transition="treat", data={"treatment_option": "accept"}
        )
    action = services.action_create(actor=None, data={"risk": found, "description": "UPS upgrade"})
    services.action_transition(actor=None, instance=action, transition="cancel")
    with pytest.raises(TransitionNotAllowed, match="action"):
        services.risk_transition(
            actor=None, instance=found, transition="treat", data={"treatment_option": "reduce"}
        )
    services.action_create(actor=None, data={"risk": found, "description": "Second feed"})
    treated = services.risk_transition(
        actor=None, instance=found, transition="treat", data={"treatment_option": "reduce"}
    )
    assert treated.status == "treated" and treated.treatment_option == "reduce"


def test_accepting_with_a_reason_treats_without_actions(ctx, staff):
    found = assessed(staff.owner, 1, 2)
    treated = services.risk_transition(
        actor=None,
        instance=found,
        transition="treat",
        data={"treatment_option": "accept", "acceptance_reason": "Below appetite"},
    )
    assert treated.status == "treated"


def test_opportunity_treatments_differ_from_risk_treatments(ctx, staff):
    with pytest.raises(ValidationError) as caught:
        risk(kind="opportunity", treatment_option="reduce")
    assert "treatment_option" in caught.value.message_dict
    with pytest.raises(ValidationError):
        risk(kind="risk", treatment_option="exploit")
    assert risk(kind="opportunity", treatment_option="exploit").treatment_option == "exploit"


def test_close_needs_residual_then_reopen(ctx, staff):
    found = assessed(staff.owner, 1, 1, treatment_option="accept", acceptance_reason="Small")
    found = services.risk_transition(actor=None, instance=found, transition="treat")
    found = services.risk_transition(actor=None, instance=found, transition="monitor")
    with pytest.raises(TransitionNotAllowed, match="residual"):
        services.risk_transition(actor=None, instance=found, transition="close")
    with pytest.raises(ValidationError) as caught:
        services.risk_transition(
            actor=None, instance=found, transition="close", data={"residual_likelihood": 1}
        )
    assert "residual_impact" in caught.value.message_dict
    closed = services.risk_transition(
        actor=None, instance=found, transition="close", data={"residual_likelihood": 1, "residual_impact": 1}
    )
    assert closed.status == "closed" and closed.closed_at and closed.residual_band == "low"
    with pytest.raises(TransitionNotAllowed):
        services.risk_update(actor=None, instance=closed, data={"title": "Changed"})
    with pytest.raises(TransitionNotAllowed):
        services.risk_transition(actor=None, instance=closed, transition="monitor")
    reopened = services.risk_transition(actor=None, instance=closed, transition="reopen")
    assert reopened.status == "assessed" and reopened.closed_at is None
    again = services.risk_transition(actor=None, instance=found, transition="treat")
    assert again.status == "treated"
    back = services.risk_transition(actor=None, instance=again, transition="reassess")
    assert back.status == "assessed"


def test_transition_refuses_fields_it_does_not_carry(ctx, staff):
    found = assessed(staff.owner)
    with pytest.raises(ValidationError) as caught:
        services.risk_transition(actor=None, instance=found, transition="treat", data={"title": "x"})
    assert "title" in caught.value.message_dict


def test_review_moves_the_date_and_clears_the_flag(ctx, staff):
    found = assessed(staff.owner)
    Risk.objects.filter(pk=found.pk).update(review_date=dt.date(2020, 1, 1), review_overdue=True)
    found.refresh_from_db()
    reviewed = services.risk_review(actor=staff.agent, instance=found, note="Controls still in place")
    assert reviewed.review_overdue is False and reviewed.last_reviewed == dt.date.today()
    assert reviewed.review_date == dt.date.today() + dt.timedelta(days=90)
    assert Comment.objects.filter(object_id=found.pk, body__contains="Controls still in place").exists()
    with pytest.raises(ValidationError):
        services.risk_review(actor=None, instance=reviewed, next_review=dt.date.today())


def test_job_flags_and_clears_overdue_reviews(ctx, staff):
    late = assessed(staff.owner, 2, 2, title="Late")
    fresh = assessed(staff.owner, 2, 2, title="Fresh")
    Risk.objects.filter(pk=late.pk).update(review_date=dt.date.today() - dt.timedelta(days=3))
    result = jobs.flag_overdue_risk_reviews.call_local()
    assert result == {"flagged": [late.reference], "cleared": []}
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.review_overdue and not fresh.review_overdue
    entry = ChangeRecord.objects.filter(object_type="risks.risk", object_id=late.pk).latest("id")
    assert entry.context == "job" and entry.changes["review_overdue"] == [False, True]
    assert jobs.flag_overdue_risk_reviews.call_local() == {"flagged": [], "cleared": []}  # idempotent
    services.risk_review(actor=None, instance=late)
    Risk.objects.filter(pk=late.pk).update(review_overdue=True)  # as if the review happened elsewhere
    assert jobs.flag_overdue_risk_reviews.call_local()["cleared"] == [late.reference]


def test_actions_follow_their_lifecycle(ctx, staff):
    found = assessed(staff.owner)
    action = services.action_create(
        actor=None, data={"risk": found, "description": "Drill", "owner": staff.owner}
    )
    action = services.action_transition(actor=None, instance=action, transition="start")
    done = services.action_transition(
        actor=None, instance=action, transition="complete", data={"outcome": "Passed"}
    )
    assert done.status == "done" and done.completed_on == dt.date.today() and done.outcome == "Passed"
    with pytest.raises(TransitionNotAllowed):
        services.action_transition(actor=None, instance=done, transition="start")
    reopened = services.action_transition(actor=None, instance=done, transition="reopen")
    assert reopened.completed_on is None
    customer_person = factories.person("Outsider", ctx.org_a)
    with pytest.raises(ValidationError):
        services.action_update(actor=None, instance=reopened, data={"owner": customer_person})


def test_no_actions_on_closed_risks(ctx, staff):
    found = assessed(staff.owner, 1, 1, treatment_option="accept", acceptance_reason="Small")
    found = services.risk_transition(actor=None, instance=found, transition="treat")
    found = services.risk_transition(
        actor=None, instance=found, transition="close", data={"residual_likelihood": 1, "residual_impact": 1}
    )
    with pytest.raises(ValidationError) as caught:
        services.action_create(actor=None, data={"risk": found, "description": "Too late"})
    assert "risk" in caught.value.message_dict


def test_matrix_rules(ctx, staff):
    matrix = services.matrix_ensure()
    assert services.matrix_ensure() == matrix and RiskMatrix.objects.count() == 1
    with pytest.raises(ValidationError) as caught:
        services.matrix_update(actor=None, instance=matrix, data={"bands": [{"name": "x", "min_score": 1}]})
    assert "bands" in caught.value.message_dict
    assessed(staff.owner, 5, 5)
    levels = [{"value": 1, "label": "Low"}, {"value": 2, "label": "High"}]
    with pytest.raises(ValidationError) as caught:
        services.matrix_update(actor=None, instance=matrix, data={"likelihood_levels": levels})
    assert "likelihood_levels" in caught.value.message_dict
    owner_outside = factories.person("Customer person", ctx.org_a)
    with pytest.raises(ValidationError) as caught:
        risk(owner=owner_outside)
    assert "owner" in caught.value.message_dict
