"""The process register (2011 4.5.2, 4.5.3 e; 2018 8.1): one entry per process, its next review derived, and
its two rules both ways — every service management process registered, owned, written down in a procedure in
force, with performance criteria, records and a current review; and each entry checked against the SMS plan's
current version."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.core import services as core_services
from servitium.core.checks import MET, NOT_MET, REGISTRY
from servitium.sms.models.leadership import SERVICE_PROCESSES
from tests.base import client
from tests.documents.conftest import document, in_force, person_user

from . import helpers as h

PLANNED = "sms.processes_planned_and_controlled"
ALIGNED = "sms.process_plans_aligned"


def _procedure(ctx):
    author = person_user("proc_author", "Pia Author", ctx.provider, ["sms-agent"])
    approver = person_user("proc_approver", "Paul Approver", ctx.provider, ["sms-manager"])
    doc = document(title="Service management processes", kind="process")
    in_force(doc, author, approver)
    doc.refresh_from_db()
    return doc


def test_the_api_keeps_one_entry_per_process_and_derives_the_next_review(ctx):
    manager = client(h.factories.user("sms_boss", ctx.provider, ["sms-manager"]))
    owner = h.person(ctx)
    made = manager.post(
        "/api/v1/processes/",
        {"process": "problem", "owner": owner.pk, "last_reviewed": "2026-01-31", "review_interval_months": 1},
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["next_review"] == "2026-02-28"  # the month's last day, not 3 March
    again = manager.post("/api/v1/processes/", {"process": "problem", "owner": owner.pk}, format="json")
    assert again.status_code == 400 and "process" in again.json()
    too_long = manager.patch(
        f"/api/v1/processes/{made.json()['id']}/", {"review_interval_months": 40}, format="json"
    )
    assert too_long.status_code == 400 and "review_interval_months" in too_long.json()
    future = manager.patch(
        f"/api/v1/processes/{made.json()['id']}/", {"last_reviewed": "9999-12-31"}, format="json"
    )
    assert future.status_code == 400 and "last_reviewed" in future.json()
    assert manager.get(f"/api/v1/processes/{made.json()['id']}/").json()["review_interval_months"] == 1
    listed = manager.get("/api/v1/processes/", {"process": "problem"}).json()["results"]
    assert [row["owner"] for row in listed] == [owner.pk]


def test_every_service_process_planned_and_controlled_both_ways(ctx):
    assert REGISTRY[PLANNED].run().status != MET  # an empty register shows nothing yet
    procedure = _procedure(ctx)
    today = timezone.localdate()
    entries = {
        key: h.process(ctx, process=key, procedure=procedure, last_reviewed=today - dt.timedelta(days=30))
        for key, _label in SERVICE_PROCESSES
        if key != "demand"
    }
    result = REGISTRY[PLANNED].run()
    assert result.status != MET and "demand management" in result.message and result.gaps == []
    h.process(ctx, process="demand", procedure=procedure, last_reviewed=today)
    assert REGISTRY[PLANNED].run().status == MET
    # An entry without criteria and one whose review lapsed are named; a draft procedure counts for nothing.
    core_services.record_update(instance=entries["capacity"], data={"performance_criteria": " "}, actor=None)
    from servitium.sms import services

    services.process_definition_update(
        actor=None, instance=entries["incident"], data={"last_reviewed": today - dt.timedelta(days=400)}
    )
    result = REGISTRY[PLANNED].run()
    assert result.status != MET
    assert {g.object_id for g in result.gaps} == {entries["capacity"].pk, entries["incident"].pk}
    assert "performance criteria" in result.message and "review" in result.message
    draft = document(title="Draft procedure", kind="procedure")
    services.process_definition_update(actor=None, instance=entries["change"], data={"procedure": draft})
    result = REGISTRY[PLANNED].run()
    assert (
        entries["change"].pk in {g.object_id for g in result.gaps} and "procedure in force" in result.message
    )


def test_every_process_follows_the_current_plan_version_both_ways(ctx):
    plan = h.plan(ctx)
    first = h.process(ctx, process="incident", plan_version=plan.version)
    second = h.process(ctx, process="problem", plan_version=plan.version)
    assert REGISTRY[ALIGNED].run().status == MET
    core_services.record_update(instance=plan, data={"version": "2"}, actor=None)
    result = REGISTRY[ALIGNED].run()
    assert result.status == NOT_MET and "version 2" in result.message
    client(h.factories.user("sms_boss", ctx.provider, ["sms-manager"])).patch(
        f"/api/v1/processes/{first.pk}/", {"plan_version": "2"}, format="json"
    )
    result = REGISTRY[ALIGNED].run()
    assert result.status != MET and [g.object_id for g in result.gaps] == [second.pk]
