"""Failed checks open nonconformities in the improvement register; a run in which the check passes again
records the effectiveness check of one whose actions are done; only then may it close."""

from __future__ import annotations

from pathlib import Path

import pytest

from servitium.conformity import services
from servitium.conformity.models import Framework
from servitium.core.checks import CheckResult, register
from servitium.improvement import services as improvement_services
from servitium.improvement.models import CorrectiveAction, Nonconformity
from tests import factories
from tests.base import browser, client, entries_for

MINI = Path(__file__).parent / "fixtures" / "mini"
KEY = "test:2011#1.1"


@pytest.fixture
def failing(db, isolated_registry):
    from servitium.conformity.sync import sync_catalogues

    sync_catalogues(MINI)
    state = {"status": "not_met"}

    @register("test.sla_reviews", requirements=[KEY], title="SLA reviews held")
    def sla_reviews() -> CheckResult:
        return CheckResult(state["status"], f"reviews are {state['status']}")

    return state


@pytest.fixture
def sms_manager(ctx):
    return factories.user("sms_boss", ctx.provider, ["sms-manager"])


def run():
    return services.assessment_run(actor=None, framework=Framework.objects.get(slug="test:2011"))


def transition(user, nc, **data):
    return client(user).post(f"/api/v1/nonconformities/{nc.pk}/transitions/", data, format="json")


def test_a_failed_check_opens_one_nonconformity_with_the_default_owner(ctx, manager, failing):
    first = run()
    [nc] = Nonconformity.objects.all()
    assert nc.reference.startswith("NC") and nc.status == "open"
    assert nc.check_id == "test.sla_reviews" and nc.requirement == KEY
    assert nc.owner.user == manager
    assert nc.source_kind == "assessment" and nc.source == first and nc.source_reference == first.reference
    assert "reviews are not_met" in nc.description
    # The register's page shows the requirement and its latest result (conformity's panel).
    page = browser(manager).get(f"/sms/improvement/{nc.pk}/").content.decode()
    assert (
        'id="nonconformity-requirement"' in page
        and "SLA" not in page.split("nonconformity-requirement")[0][-1:]
    )
    assert "1.1" in page and "/conformity/results/" in page
    second = run()
    [nc] = Nonconformity.objects.all()  # updated, not duplicated
    assert nc.last_seen_in == second.reference and nc.source == first
    # each write of the engine is in the change log: opened, then seen again
    assert [(e.action, sorted(e.changes)) for e in entries_for(nc)][1:] == [("update", ["last_seen_in"])]


def _work_to_action_done(nc, user):
    assert (
        transition(user, nc, transition="record_correction", correction="Reviews booked.").status_code == 200
    )
    assert (
        transition(user, nc, transition="analyse_cause", root_cause="No review calendar.").status_code == 200
    )
    action = improvement_services.corrective_action_create(
        actor=None,
        data={"nonconformity": nc, "description": "Quarterly review calendar", "due_date": "2026-12-31"},
    )
    assert transition(user, nc, transition="plan_action").status_code == 200
    improvement_services.corrective_action_transition(actor=None, instance=action, transition="complete")
    assert transition(user, nc, transition="complete_action").status_code == 200


def test_a_passing_check_records_the_effectiveness_of_done_actions(ctx, manager, sms_manager, failing):
    run()
    nc = Nonconformity.objects.get()
    response = transition(sms_manager, nc, transition="close")
    assert response.status_code == 409 and "effectiveness check" in response.json()["detail"]
    _work_to_action_done(nc, sms_manager)
    run()  # still failing: nothing verified
    nc.refresh_from_db()
    assert nc.status == "action_done" and nc.effectiveness_result == ""
    failing["status"] = "met"
    verified = run()
    nc.refresh_from_db()
    assert nc.status == "verified" and nc.effectiveness_result == "effective"
    assert verified.reference in nc.effectiveness_method
    response = transition(sms_manager, nc, transition="close")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert CorrectiveAction.objects.get().status == "done"


def test_a_new_failure_after_closing_opens_a_new_nonconformity(ctx, manager, sms_manager, failing):
    run()
    nc = Nonconformity.objects.get()
    _work_to_action_done(nc, sms_manager)
    failing["status"] = "met"
    run()
    assert transition(sms_manager, nc, transition="close").status_code == 200
    failing["status"] = "not_met"
    run()
    assert list(Nonconformity.objects.order_by("id").values_list("status", flat=True)) == ["closed", "open"]


def test_conformity_roles_read_but_do_not_work_the_register(ctx, manager, failing):
    run()
    nc = Nonconformity.objects.get()
    assert client(manager).get(f"/api/v1/nonconformities/{nc.pk}/").status_code == 200
    response = transition(manager, nc, transition="record_correction", correction="x")
    assert response.status_code == 403
    other = factories.user("inc_mgr", ctx.provider, ["incident-manager"])
    assert transition(other, nc, transition="record_correction", correction="x").status_code in (403, 404)
