"""The problem lifecycle: the transition table, its guards, the known error recorded on the way, and what a
resolution, cancellation and reopening do."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from servitium.core.errors import TransitionNotAllowed
from servitium.problems import services
from servitium.problems.lifecycle import KNOWN_ERROR_WORKFLOW, PROBLEM_WORKFLOW
from servitium.problems.models import KnownError, Problem
from tests import factories
from tests.base import entries_for
from tests.problems.conftest import days_ago, incident, problem

S = Problem.Status


def step(obj, name, **data):
    return services.problem_transition(actor=None, instance=obj, transition=name, data=data)


def test_every_status_is_reachable_and_all_but_cancelled_can_be_left():
    sources = {s for t in PROBLEM_WORKFLOW.transitions for s in t.sources}
    targets = {t.target for t in PROBLEM_WORKFLOW.transitions}
    assert sources == set(S.values) - {S.CANCELLED}
    assert targets == set(S.values) - {S.NEW}
    assert {t.target for t in KNOWN_ERROR_WORKFLOW.transitions} == set(KnownError.Status.values)


def test_the_main_path_with_its_guards(ctx):
    obj = step(problem(ctx), "investigate")
    with pytest.raises(ValidationError) as missing:
        step(obj, "record_root_cause")
    assert "root_cause" in missing.value.message_dict
    with pytest.raises(TransitionNotAllowed):
        step(obj, "resolve", resolution="Patched")  # the root cause is not known yet
    obj = step(obj, "record_root_cause", root_cause="The relay's TLS cache fills up")
    assert obj.status == S.ROOT_CAUSE_KNOWN
    obj = step(obj, "record_known_error", workaround="Restart the relay")
    assert obj.status == S.KNOWN_ERROR
    with pytest.raises(ValidationError) as no_notes:
        step(obj, "resolve")
    assert "resolution" in no_notes.value.message_dict
    with pytest.raises(TransitionNotAllowed):
        step(obj, "close")
    obj = step(obj, "resolve", resolution="Cache size raised", change_reference="RFC-12")
    assert obj.status == S.RESOLVED and obj.resolved_at and obj.change_reference == "RFC-12"
    obj = step(obj, "close")
    assert obj.status == S.CLOSED and obj.closed_at
    with pytest.raises(TransitionNotAllowed):
        step(obj, "cancel")


def test_transition_log_shows_the_fields_it_carried(ctx):
    obj = step(problem(ctx), "investigate")
    step(obj, "record_root_cause", root_cause="Cache full")
    entry = entries_for(obj)[-1]
    assert entry.action == "transition" and entry.message == "Root cause found"
    assert entry.changes["root_cause"] == ["", "Cache full"]
    assert entry.changes["status"] == ["under_investigation", "root_cause_known"]


def test_failed_transition_writes_nothing(ctx):
    obj = problem(ctx)
    before = len(entries_for(obj))
    with pytest.raises(TransitionNotAllowed):
        step(obj, "record_known_error", root_cause="x")
    obj.refresh_from_db()
    assert obj.root_cause == "" and len(entries_for(obj)) == before


def test_known_error_follows_the_problem(ctx, staff):
    obj = problem(ctx, service=staff.service, category="email", description="Mail waits in the outbox")
    obj = step(step(obj, "investigate"), "record_root_cause", root_cause="TLS cache full")
    obj = step(obj, "record_known_error", workaround="Restart the relay")
    (ke,) = obj.known_errors.all()
    assert ke.reference.startswith("KE") and ke.status == KnownError.Status.ACTIVE
    assert (ke.title, ke.symptoms, ke.root_cause, ke.workaround) == (
        obj.title,
        "Mail waits in the outbox",
        "TLS cache full",
        "Restart the relay",
    )
    assert (ke.service, ke.category) == (staff.service, "email")
    assert [e.action for e in entries_for(ke)] == ["create"]

    services.problem_update(actor=None, instance=obj, data={"workaround": "Restart both relays"})
    ke.refresh_from_db()
    assert ke.workaround == "Restart both relays"

    obj = step(obj, "resolve", resolution="Cache enlarged")
    ke.refresh_from_db()
    assert ke.status == KnownError.Status.RETIRED

    obj = step(obj, "reopen")
    assert (obj.status, obj.resolved_at, obj.reopen_count) == (S.UNDER_INVESTIGATION, None, 1)
    obj = step(step(obj, "record_root_cause"), "record_known_error")
    assert obj.known_errors.count() == 1
    ke.refresh_from_db()
    assert ke.status == KnownError.Status.ACTIVE
    assert [e.action for e in entries_for(ke)] == ["create", "update", "transition", "transition"]


def test_known_error_from_problem_needs_the_root_cause(ctx):
    with pytest.raises(ValidationError):
        services.known_error_from_problem(actor=None, problem=problem(ctx))
    assert not KnownError.objects.exists()


def test_cancel_retires_and_closed_problems_are_kept_as_they_are(ctx):
    obj = step(step(problem(ctx), "investigate"), "record_root_cause", root_cause="x")
    obj = step(obj, "record_known_error")
    obj = step(obj, "cancel")
    assert obj.status == S.CANCELLED and obj.closed_at
    assert obj.known_errors.get().status == KnownError.Status.RETIRED
    with pytest.raises(TransitionNotAllowed):
        services.problem_update(actor=None, instance=obj, data={"title": "changed"})
    with pytest.raises(TransitionNotAllowed):
        services.problem_link_incidents(actor=None, problem=obj, incidents=[incident(ctx)])


def test_status_and_dates_are_not_set_directly(ctx, staff):
    """Status only by transitions (whoever asks); priority, dates and reopenings are in no audience's
    writes, so people cannot set them (the system's own code may)."""
    obj = problem(ctx)
    priority = obj.priority
    for field, value in (
        ("status", "closed"),
        ("priority", 1),
        ("resolved_at", days_ago(1)),
        ("reopen_count", 3),
    ):
        with pytest.raises(ValidationError) as refused:
            services.problem_update(actor=staff.manager, instance=obj, data={field: value})
        assert field in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.problem_update(actor=None, instance=obj, data={"status": "closed"})
    assert "status" in refused.value.message_dict
    obj.refresh_from_db()
    assert (obj.status, obj.priority, obj.resolved_at, obj.reopen_count) == (S.NEW, priority, None, 0)


def test_owner_and_group_are_the_providers(ctx):
    with pytest.raises(ValidationError) as err:
        problem(ctx, owner=factories.person("Customer Person", ctx.org_a))
    assert "owner" in err.value.message_dict


def test_problem_from_incidents_derives_its_fields(ctx, staff):
    first = incident(ctx, staff.service, category="email", impact=2, urgency=3, created=days_ago(3))
    second = incident(ctx, staff.service, category="email", impact=3, urgency=1, title="Mail late")
    obj = services.problem_from_incidents(actor=None, incidents=[second, first], data={"owner": staff.owner})
    assert (obj.title, obj.service, obj.category, obj.impact, obj.urgency) == (
        "Mail stuck",
        staff.service,
        "email",
        2,
        1,
    )
    assert obj.priority == 2 and obj.owner == staff.owner and obj.origin == "reactive"
    assert set(obj.incidents.all()) == {first, second}
    with pytest.raises(ValidationError):
        services.problem_from_incidents(actor=None, incidents=[])
    with pytest.raises(ValidationError):  # an actor must see the incidents it links
        services.problem_from_incidents(actor=staff.agent, incidents=[first])
