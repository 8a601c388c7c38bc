"""Trend analysis (proposed problems from clusters of incidents) and the effectiveness of problem resolution
(recurrence after resolution)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from servitium.core.models import ChangeRecord
from servitium.problems import selectors, services
from servitium.problems.jobs import propose_problems
from servitium.problems.models import Problem
from tests import factories
from tests.base import client
from tests.problems.conftest import days_ago, incident, problem


@pytest.fixture
def clusters(ctx, staff):
    """5 recent network incidents on the mail service, 5 on one CI across services, and some that do not
    make a trend: 4 of another category, 6 too old, and service requests."""
    other = factories.service("Compute", customers=[ctx.org_a])
    network = [incident(ctx, staff.service, category="network", created=days_ago(n + 1)) for n in range(5)]
    on_ci = [
        incident(
            ctx, svc, category=cat, affected_ci_name="DB-07" if n % 2 else "db-07", created=days_ago(n + 2)
        )
        for n, (svc, cat) in enumerate(
            [
                (other, "software"),
                (other, "hardware"),
                (staff.service, "software"),
                (other, "software"),
                (None, ""),
            ]
        )
    ]
    for n in range(4):
        incident(ctx, staff.service, category="access", created=days_ago(n + 1))
    for n in range(6):
        incident(ctx, staff.service, category="storage", created=days_ago(20 + n))
    for n in range(5):
        incident(ctx, staff.service, category="request", kind="request", created=days_ago(n + 1))
    return type("Clusters", (), {"network": network, "on_ci": on_ci, "other": other})


def test_trend_analysis_proposes_once(ctx, staff, clusters):
    proposed = services.problems_propose()
    assert len(proposed) == 2
    by_ci, by_service = proposed
    assert by_ci.affected_ci_name.lower() == "db-07" and by_ci.origin == "proactive" and by_ci.status == "new"
    assert set(by_ci.incidents.all()) == set(clusters.on_ci)
    assert (by_service.service, by_service.category) == (staff.service, "network")
    assert set(by_service.incidents.all()) == set(clusters.network)
    assert by_service.origin == Problem.Origin.PROACTIVE and "5 incidents" in by_service.description
    entries = ChangeRecord.objects.count()
    assert services.problems_propose() == []
    assert ChangeRecord.objects.count() == entries


def test_an_open_problem_covers_its_cluster_and_a_closed_one_does_not(ctx, staff, clusters):
    covering = problem(ctx, service=staff.service, category="network")
    assert [p.affected_ci_name.lower() for p in services.problems_propose()] == ["db-07"]
    services.problem_transition(actor=None, instance=covering, transition="cancel")
    assert [(p.service, p.category) for p in services.problems_propose()] == [(staff.service, "network")]


def test_incidents_already_explained_are_not_counted(ctx, staff, clusters):
    services.problem_from_incidents(actor=None, incidents=clusters.network[:1])  # that one is explained
    proposed = services.problems_propose()
    assert [p.affected_ci_name.lower() for p in proposed] == ["db-07"]


def test_window_and_threshold_are_parameters(ctx, staff, clusters):
    assert services.problems_propose(days=14, threshold=6) == []
    assert {p.category for p in services.problems_propose(days=30, threshold=4)} >= {"access", "storage"}


def test_the_nightly_job_runs_as_a_job(ctx, staff, clusters):
    references = propose_problems.call_local()
    assert len(references) == 2 and all(r.startswith("PRB") for r in references)
    created = ChangeRecord.objects.filter(object_type="problems.problem", action="create")
    assert {e.context for e in created} == {"job"}
    assert propose_problems.call_local() == []


# --- recurrence and effectiveness ---------------------------------------------------------------------


def resolved_problem(ctx, when: dt.datetime, **data) -> Problem:
    obj = problem(ctx, **data)
    for name, extra in (("investigate", {}), ("record_root_cause", {"root_cause": "cause"})):
        obj = services.problem_transition(actor=None, instance=obj, transition=name, data=extra)
    return services.problem_transition(
        actor=None, instance=obj, transition="resolve", data={"resolution": "fixed"}, now=when
    )


def test_recurrence_after_resolution(ctx, staff):
    obj = resolved_problem(
        ctx, days_ago(10), service=staff.service, category="email", affected_ci_name="mx-1"
    )
    same = incident(ctx, staff.service, category="email", created=days_ago(5))
    same_ci = incident(ctx, None, affected_ci_name="MX-1", created=days_ago(4))
    incident(ctx, staff.service, category="email", created=days_ago(12))  # before the resolution
    incident(ctx, staff.service, category="network", created=days_ago(3))  # another fault
    incident(ctx, staff.service, category="email", kind="request", created=days_ago(3))  # not an incident
    assert set(selectors.recurrence(obj)) == {same, same_ci}
    assert set(selectors.recurrence(obj, days=6)) == {same}
    assert not selectors.recurrence(problem(ctx, service=staff.service, category="email")).exists()  # open
    api = client(staff.manager)
    rows = api.get(f"/api/v1/problems/{obj.pk}/recurrence/").json()
    assert [r["id"] for r in rows] == [same.pk, same_ci.pk]
    assert client(staff.agent).get(f"/api/v1/problems/{obj.pk}/recurrence/").json() == []  # no incident view


@pytest.fixture
def history(ctx, staff):
    """Three problems resolved 60, 50 and 40 days ago: the first recurred after 10 days, the second only after
    45 days, the third not at all; a fourth resolved 200 days ago recurred."""
    other = factories.service("Compute", customers=[ctx.org_a])
    recurred = resolved_problem(ctx, days_ago(60), service=staff.service, category="email")
    late = resolved_problem(ctx, days_ago(50), affected_ci_name="db-07")
    clean = resolved_problem(ctx, days_ago(40), service=other, category="hardware")
    old = resolved_problem(ctx, days_ago(200), service=other, category="network")
    incident(ctx, staff.service, category="email", created=days_ago(50))
    incident(ctx, None, affected_ci_name="DB-07", created=days_ago(5))
    incident(ctx, other, category="network", created=days_ago(190))
    incident(ctx, other, category="network", created=days_ago(39))  # unrelated to `clean`
    problem(ctx, service=staff.service, category="email")  # open: not counted
    return type("History", (), {"recurred": recurred, "late": late, "clean": clean, "old": old})


def test_effectiveness_counts(ctx, staff, history, django_assert_num_queries):
    since = timezone.localdate() - dt.timedelta(days=90)
    with django_assert_num_queries(2):
        figures = selectors.effectiveness(since=since)
    assert (figures["resolved"], figures["recurred"], figures["without_recurrence"]) == (3, 1, 2)
    assert figures["effectiveness"] == 0.667 and figures["still_in_window"] == 0
    assert [p["id"] for p in figures["recurring_problems"]] == [history.recurred.pk]
    assert selectors.effectiveness(since=since, days=60)["recurred"] == 2
    everything = selectors.effectiveness()
    assert (everything["resolved"], everything["recurred"]) == (4, 2)
    recent = selectors.effectiveness(since=timezone.localdate() - dt.timedelta(days=45))
    assert (recent["resolved"], recent["recurred"], recent["effectiveness"]) == (1, 0, 1.0)
    assert selectors.effectiveness(until=since - dt.timedelta(days=365))["effectiveness"] is None


def test_effectiveness_api(ctx, staff, history):
    since = (timezone.localdate() - dt.timedelta(days=90)).isoformat()
    body = client(staff.agent).get("/api/v1/problems/effectiveness/", {"since": since}).json()
    assert (body["resolved"], body["recurred"], body["window_days"]) == (3, 1, 30)
    assert (
        client(staff.agent).get("/api/v1/problems/effectiveness/", {"since": "yesterday"}).status_code == 400
    )
    assert client(staff.agent).get("/api/v1/problems/effectiveness/", {"days": "0"}).status_code == 400
    assert client(ctx.customer_a).get("/api/v1/problems/effectiveness/").json()["resolved"] == 0
