"""Continuity: approval by someone other than the author, tests that mark the plan tested and due for
review and raise improvements when they fail, invocations, reviews, and the review an implemented change
to a covered service asks for (shown on the plan and on the change's page)."""

from __future__ import annotations

import datetime as dt

import pytest

from servitium.availability import panels, services
from servitium.availability.models import ContinuityPlan
from servitium.changes import services as change_services
from servitium.changes.models import Change
from servitium.core import services as core_services
from servitium.core.approval import SelfApproval
from servitium.core.errors import TransitionNotAllowed
from servitium.improvement.models import ImprovementOpportunity, Nonconformity
from tests import factories
from tests.availability.conftest import approved_plan, plan

pytestmark = pytest.mark.django_db


def test_author_may_not_approve_the_plan_someone_else_may(ctx, staff):
    service = factories.service("Email", customers=[ctx.org_a])
    draft = plan(service, actor=staff.manager)
    assert draft.author_id == staff.manager.pk
    with pytest.raises(SelfApproval):
        services.continuity_plan_transition(actor=staff.manager, instance=draft, transition="approve")
    approved = services.continuity_plan_transition(actor=staff.other, instance=draft, transition="approve")
    assert approved.status == "approved" and approved.approved_by_id == staff.other.pk
    assert approved.last_reviewed == dt.date.today()


def test_incomplete_plan_is_not_approved(ctx):
    service = factories.service("Email", customers=[ctx.org_a])
    draft = plan(service, invocation_steps="", contacts="")
    with pytest.raises(TransitionNotAllowed, match="steps"):
        services.continuity_plan_transition(actor=None, instance=draft, transition="approve")


def test_failed_test_opens_a_nonconformity_and_asks_for_a_review(ctx):
    service = factories.service("Email", customers=[ctx.org_a])
    bcp = approved_plan(service)
    test = services.continuity_test_create(
        actor=None,
        data={
            "plan": bcp,
            "tested_on": dt.date.today(),
            "scenario": "Frankfurt lost",
            "result": "failed",
            "recovery_minutes": 400,
            "findings": "DNS failover took 5 hours.",
            "actions": [{"description": "Automate DNS failover", "due": "2030-01-01"}],
        },
    )
    bcp.refresh_from_db()
    assert bcp.last_tested == dt.date.today() and bcp.review_requested
    assert "failed" in bcp.review_reason
    nc = Nonconformity.objects.get()
    assert nc.source_id == test.pk and nc.requirement == "iso20000-1:2018#8.7.2.s6"
    reviewed = services.continuity_plan_review(actor=None, instance=bcp, note="DNS step rewritten")
    assert not reviewed.review_requested and reviewed.review_reason == ""


def test_partly_passed_test_raises_an_opportunity(ctx):
    service = factories.service("Email", customers=[ctx.org_a])
    bcp = approved_plan(service)
    services.continuity_test_create(
        actor=None,
        data={"plan": bcp, "tested_on": dt.date.today(), "scenario": "Restore", "result": "partly"},
    )
    assert ImprovementOpportunity.objects.count() == 1 and not Nonconformity.objects.exists()


def test_invocation_asks_for_a_review(ctx):
    service = factories.service("Email", customers=[ctx.org_a])
    bcp = approved_plan(service)
    services.invocation_create(
        actor=None,
        data={"plan": bcp, "started_at": dt.datetime(2026, 5, 1, 8, tzinfo=dt.UTC), "reason": "Fire"},
    )
    bcp.refresh_from_db()
    assert bcp.review_requested and "Invoked on 2026-05-01" in bcp.review_reason


def test_implemented_change_on_a_covered_service_asks_for_a_plan_review(ctx, staff):
    service = factories.service("Email", customers=[ctx.org_a])
    other = factories.service("Compute", customers=[ctx.org_a])
    bcp = approved_plan(service)
    unrelated = approved_plan(other)
    change = core_services.record_create(
        model=Change,
        data={},
        derived={"title": "Move mail to new storage", "status": "implementing"},
        m2m={"affected_services": [service]},
        actor=None,
    )
    panel = panels.plans_of_change(change, staff.manager)
    assert panel["plans"] == [bcp]
    change_services.change_transition(actor=None, instance=change, transition="complete")
    bcp.refresh_from_db()
    unrelated.refresh_from_db()
    assert bcp.review_requested and change.reference in bcp.review_reason
    assert not unrelated.review_requested
    assert ContinuityPlan.objects.filter(review_requested=True).count() == 1
