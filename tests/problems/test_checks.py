"""Conformity checks of problem management follow the records (2011 8.2 / 2018 8.6.3)."""

from __future__ import annotations

from servitium.core.checks import REGISTRY
from servitium.problems import services
from servitium.problems.models import KnownError, Problem
from tests.problems.conftest import days_ago, incident, problem


def run(check_id: str):
    return REGISTRY[check_id].run()


def test_recurring_incidents_need_a_problem(ctx, staff):
    assert run("problems.trends_analysed").status == "not_applicable"
    tickets = [incident(ctx, staff.service, category="mailbox") for _ in range(5)]
    result = run("problems.trends_analysed")
    assert result.status == "not_met" and result.figures["total"] == 1
    problem(ctx, service=staff.service, category="mailbox")
    services.problem_create(actor=None, data={"title": "Mailbox fills"}, m2m={"incidents": tickets[:1]})
    assert run("problems.trends_analysed").status == "met"


def test_known_errors_need_workarounds(ctx):
    known = KnownError.objects.create(reference="KE0000009", title="Sync fails", workaround="")
    assert run("problems.known_errors_have_workarounds").status == "not_met"
    known.workaround = "Restart the sync agent."
    known.save()
    assert run("problems.known_errors_have_workarounds").status == "met"


def test_long_standing_known_errors_need_a_change(ctx):
    p = problem(ctx)
    Problem.objects.filter(pk=p.pk).update(status="known_error", updated=days_ago(40))
    assert run("problems.root_causes_go_to_change").status == "not_met"
    Problem.objects.filter(pk=p.pk).update(change_reference="CHG0000042", updated=days_ago(40))
    assert run("problems.root_causes_go_to_change").status == "met"


def test_effectiveness_check(ctx, staff):
    assert run("problems.resolution_effective").status == "not_applicable"
    p = problem(ctx, service=staff.service, category="mailbox")
    Problem.objects.filter(pk=p.pk).update(status="resolved", resolved_at=days_ago(20))
    assert run("problems.resolution_effective").status == "met"
    incident(ctx, staff.service, category="mailbox")  # the same fault came back after resolution
    result = run("problems.resolution_effective")
    assert result.status == "not_met" and [g.object_id for g in result.gaps] == [p.pk]


def test_effectiveness_ignores_another_fault_on_the_same_service_and_category(ctx, staff):
    """A later incident on the same service and category is no recurrence when it names another CI or people
    attributed it to another problem; one naming the same CI, or none, still is (and is named)."""
    p = problem(ctx, service=staff.service, category="mailbox", affected_ci_name="mx-1")
    Problem.objects.filter(pk=p.pk).update(status="resolved", resolved_at=days_ago(20))
    incident(ctx, staff.service, category="mailbox", affected_ci_name="web-3")  # another machine
    elsewhere = incident(ctx, staff.service, category="mailbox")
    other = problem(ctx, service=staff.service, category="mailbox")
    other.incidents.add(elsewhere)  # diagnosed as another fault
    assert run("problems.resolution_effective").status == "met"
    incident(ctx, staff.service, category="mailbox", affected_ci_name="MX-1")  # the same fault is back
    result = run("problems.resolution_effective")
    assert result.status == "not_met" and [g.object_id for g in result.gaps] == [p.pk]


def test_problems_from_trends_must_reach_a_cause(ctx):
    assert run("problems.preventive_action").status == "not_applicable"
    fresh = problem(ctx, origin="proactive")
    assert run("problems.preventive_action").status == "not_applicable"  # not yet 60 days old
    old = problem(ctx, origin="proactive")
    Problem.objects.filter(pk=old.pk).update(created=days_ago(90))
    result = run("problems.preventive_action")
    assert result.status == "not_met" and [g.object_id for g in result.gaps] == [old.pk]
    Problem.objects.filter(pk=old.pk).update(status=Problem.Status.KNOWN_ERROR)
    assert run("problems.preventive_action").status == "met"
    assert fresh.pk not in [e.object_id for e in run("problems.preventive_action").evidence]
