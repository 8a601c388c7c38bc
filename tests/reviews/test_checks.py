"""Conformity checks of management review follow the records (2011 4.5.4.3 / 2018 9.3), both ways."""

from __future__ import annotations

from servitium.conformity.catalogue import iter_requirement_ids, load_catalogues
from servitium.core.checks import REGISTRY
from servitium.reviews import services
from servitium.reviews.checks import TOPIC_LEAVES
from servitium.reviews.models import ManagementReview
from tests.reviews.conftest import action, held, review


def run(check_id: str):
    return REGISTRY[check_id].run()


def test_every_leaf_named_exists_in_the_catalogues():
    known = set(iter_requirement_ids(load_catalogues()))
    named = {r for c in REGISTRY.values() if c.id.startswith("reviews.") for r in c.requirements}
    assert named and named <= known, named - known
    leaves = {r for leaves in TOPIC_LEAVES.values() for r in leaves}
    assert {f"iso20000-1:2018#9.3.s{i}" for i in range(2, 9)} <= leaves


def test_reviews_at_planned_intervals(ctx, people):
    check = "reviews.held_at_planned_intervals"
    assert run(check).status == "not_applicable"  # nothing recorded: no evidence, not a failure
    review(ctx, people.chair, days_ago=-30)
    assert run(check).status == "not_met"  # planned, but none held in the last year
    ManagementReview.objects.all().delete()
    held(ctx, people.chair, days_ago=400)
    assert run(check).status == "not_met"  # longer ago than a year
    held(ctx, people.chair, days_ago=60)
    result = run(check)
    assert result.status == "partly_met" and "no next review" in result.message
    review(ctx, people.chair, days_ago=-30)
    assert run(check).status == "met"


def test_inputs_considered_follow_the_frozen_pack(ctx, people):
    check = "reviews.input_considered.previous_actions"
    assert run(check).status == "not_applicable"
    r = held(ctx, people.chair, days_ago=10)
    assert run(check).status == "met" and r.pack_topics["previous_actions"] == "figures"
    assert run("reviews.input_considered.sms_changes").status == "met"  # registered, nothing in the period
    ManagementReview.objects.filter(pk=r.pk).update(pack_topics={**r.pack_topics, "risks": "none"})
    result = run("reviews.input_considered.risks")
    assert result.status == "not_met" and [g.object_id for g in result.gaps] == [r.pk]


def test_decisions_recorded(ctx, people):
    check = "reviews.decisions_recorded"
    assert run(check).status == "not_applicable"
    r = held(ctx, people.chair, approve=False)
    assert run(check).status == "not_met"
    services.review_update(actor=None, instance=r, data={"minutes": "Went through it.", "decisions": "Hire."})
    assert run(check).status == "met"


def test_actions_followed_up(ctx, people):
    check = "reviews.actions_followed_up"
    assert run(check).status == "not_applicable"
    r = held(ctx, people.chair, days_ago=30)
    action(ctx, r, due_in=10)
    assert run(check).status == "met"
    late = action(ctx, r, due_in=-1)
    result = run(check)
    assert result.status == "partly_met" and [g.object_id for g in result.gaps] == [late.pk]
    services.action_transition(
        actor=None, instance=late, transition="complete", data={"completion_note": "Done."}
    )
    assert run(check).status == "met"


def test_reviews_need_objectives_and_the_sms_needs_both_audit_and_review(ctx):
    from django.utils import timezone

    from servitium.audits.models import Audit

    planned = review(ctx)
    assert run("reviews.objectives_written").status == "not_met"
    services.review_update(actor=None, instance=planned, data={"objectives": "Decide next year's budget."})
    assert run("reviews.objectives_written").status == "met"

    assert run("reviews.audits_and_reviews_monitor_the_sms").status == "not_applicable"  # no audit yet
    long_ago = held(ctx, days_ago=400)
    Audit.objects.create(
        reference="AUD-T1",
        title="Incidents",
        planned_start=timezone.localdate(),
        planned_end=timezone.localdate(),
        lead_auditor=long_ago.chair,
        status=Audit.Status.REPORTED,
        reported_on=timezone.localdate(),
    )
    result = run("reviews.audits_and_reviews_monitor_the_sms")
    assert result.status == "partly_met" and "management review" in result.message
    held(ctx, days_ago=30)
    assert run("reviews.audits_and_reviews_monitor_the_sms").status == "met"


def test_the_change_trends_in_the_pack_are_the_change_trend_analysis(ctx, people):
    """The pack's change figures evidence the periodic analysis of change records (2011 9.2.s11, 2018
    8.5.1.3.s9): met when the latest held review's pack had them, failed naming the review when not."""
    check = REGISTRY["reviews.input_considered.sms_changes"]
    assert {"iso20000-1:2011#9.2.s11", "iso20000-1:2018#8.5.1.3.s9"} <= set(check.requirements)
    r = held(ctx, people.chair, days_ago=10)
    ManagementReview.objects.filter(pk=r.pk).update(pack_topics={**r.pack_topics, "sms_changes": "figures"})
    assert check.run().status == "met"
    ManagementReview.objects.filter(pk=r.pk).update(pack_topics={**r.pack_topics, "sms_changes": "none"})
    result = check.run()
    assert result.status == "not_met" and [g.object_id for g in result.gaps] == [r.pk]
