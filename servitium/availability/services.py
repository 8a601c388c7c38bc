"""Writes of availability and continuity: requirements, outages (by hand and derived from major incidents
and implemented changes by `outages_sync`), plans with their approval by someone other than the author,
tests (a failed one raises a nonconformity, a partly passed one an improvement opportunity), invocations,
reviews, and the review a change to a covered service asks for. Every write goes through the audited core
services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.changes import revisions
from servitium.core import services as core_services
from servitium.core.approval import refuse_self_approval

from .lifecycle import AVAILABILITY_PLAN_WORKFLOW, CONTINUITY_PLAN_WORKFLOW
from .models import (
    AvailabilityPlan,
    ContinuityInvocation,
    ContinuityPlan,
    ContinuityTest,
    Outage,
    PlanStatus,
)

IMPLEMENTED = ("completed", "reviewed", "closed")  # change statuses after a successful implementation


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- outages ----------------------------------------------------------------------------------------------


@transaction.atomic
def outage_create(*, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None):
    """Record an outage by hand (its source is "manual" unless a service derived it)."""
    derived = {"source": Outage.Source.MANUAL, **(derived or {})}
    return core_services.record_create(model=Outage, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def outage_update(*, actor: Any, instance: Outage, data: dict[str, Any], m2m: dict | None = None):
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


def _incident_outages(actor: Any, since: dt.datetime | None) -> dict[str, int]:
    from servitium.incidents.models import Incident

    majors = Incident.objects.filter(is_major=True, service__isnull=False)
    if since is not None:
        majors = majors.filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=since))
    rows = list(majors.values_list("pk", "service_id", "created", "resolved_at", "reference", "title"))
    existing = {
        (o.incident_id, o.service_id): o
        for o in Outage.objects.filter(
            incident_id__in=[r[0] for r in rows], source=Outage.Source.MAJOR_INCIDENT
        )
    }
    created = updated = 0
    for pk, service_id, start, end, reference, title in rows:
        if end is not None and end <= start:
            continue
        found = existing.get((pk, service_id))
        if found is None:
            core_services.record_create(
                model=Outage,
                data={},
                derived={
                    "service_id": service_id,
                    "incident_id": pk,
                    "start": start,
                    "end": end,
                    "kind": Outage.Kind.UNPLANNED,
                    "source": Outage.Source.MAJOR_INCIDENT,
                    "cause": f"{reference} {title}",
                },
                actor=actor,
            )
            created += 1
        elif found.start != start or found.end != end:
            core_services.record_update(
                instance=found, data={}, derived={"start": start, "end": end}, actor=actor
            )
            updated += 1
    return {"created": created, "updated": updated}


def _change_outages(actor: Any, since: dt.datetime | None) -> dict[str, int]:
    from servitium.changes.models import Change

    changes = Change.objects.filter(status__in=IMPLEMENTED).filter(
        Q(actual_start__isnull=False, actual_end__isnull=False)
        | Q(planned_start__isnull=False, planned_end__isnull=False)
    )
    if since is not None:
        changes = changes.filter(
            Q(actual_end__gte=since) | Q(actual_end__isnull=True, planned_end__gte=since)
        )
    pairs = list(
        Change.affected_services.through.objects.filter(change_id__in=changes.values("pk")).values_list(
            "change_id", "service_id"
        )
    )
    if not pairs:
        return {"created": 0, "updated": 0}
    info = {
        c["pk"]: c
        for c in Change.objects.filter(pk__in={p[0] for p in pairs}).values(
            "pk", "reference", "title", "actual_start", "actual_end", "planned_start", "planned_end"
        )
    }
    existing = {
        (o.change_id, o.service_id): o
        for o in Outage.objects.filter(change_id__in=list(info), source=Outage.Source.CHANGE)
    }
    created = updated = 0
    for change_id, service_id in pairs:
        c = info[change_id]
        if c["actual_start"] and c["actual_end"]:
            start, end = c["actual_start"], c["actual_end"]
        else:
            start, end = c["planned_start"], c["planned_end"]
        if end <= start:
            continue
        found = existing.get((change_id, service_id))
        if found is None:
            core_services.record_create(
                model=Outage,
                data={},
                derived={
                    "service_id": service_id,
                    "change_id": change_id,
                    "start": start,
                    "end": end,
                    "kind": Outage.Kind.PLANNED,
                    "source": Outage.Source.CHANGE,
                    "cause": f"{c['reference']} {c['title']}",
                    "investigated": True,
                },
                actor=actor,
            )
            created += 1
        elif found.start != start or found.end != end:
            core_services.record_update(
                instance=found, data={}, derived={"start": start, "end": end}, actor=actor
            )
            updated += 1
    return {"created": created, "updated": updated}


@transaction.atomic
def outages_sync(*, actor: Any = None, since: dt.datetime | None = None) -> dict[str, int]:
    """Derive outages from major incidents (unplanned: from the ticket's opening to its resolution, open
    while it is not resolved) and from implemented changes of the schedule of change that name services
    (planned: the actual window, else the planned one). Idempotent: one outage per incident or change and
    service; a moved window updates it. `since` limits the work to records ending after it (the nightly job
    looks back a few days); only major incidents and implemented changes are read."""
    incidents = _incident_outages(actor, since)
    changes = _change_outages(actor, since)
    return {
        "created": incidents["created"] + changes["created"],
        "updated": incidents["updated"] + changes["updated"],
    }


# --- plans ------------------------------------------------------------------------------------------------


def _plan_create(model, *, actor, data, m2m=None, derived=None):
    derived = {"author": _user(actor), **(derived or {})}
    return core_services.record_create(model=model, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def availability_plan_create(*, actor: Any, data: dict, m2m: dict | None = None, derived: dict | None = None):
    return _plan_create(AvailabilityPlan, actor=actor, data=data, m2m=m2m, derived=derived)


@transaction.atomic
def availability_plan_update(*, actor: Any, instance: AvailabilityPlan, data: dict, m2m: dict | None = None):
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def continuity_plan_create(*, actor: Any, data: dict, m2m: dict | None = None, derived: dict | None = None):
    return _plan_create(ContinuityPlan, actor=actor, data=data, m2m=m2m, derived=derived)


@transaction.atomic
def continuity_plan_update(*, actor: Any, instance: ContinuityPlan, data: dict, m2m: dict | None = None):
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


def _plan_transition(workflow, model, *, actor, instance, transition, note="", data=None, now=None):
    if data:
        raise ValidationError({name: [_("A transition does not carry this field.")] for name in sorted(data)})
    now = now or timezone.now()
    plan = model.objects.select_for_update().get(pk=instance.pk)
    step = workflow.check(plan, plan.status, transition)
    extra: dict[str, Any] = {}
    if step.name == "approve":
        refuse_self_approval(
            actor,
            message=_("The plan's author may not approve it; someone else must."),
            users=[plan.author_id],
        )
        today = timezone.localdate(now)
        extra = {"approved_by": _user(actor), "approved_at": now, "last_reviewed": today}
        if model is AvailabilityPlan:
            extra["next_review_due"] = today + dt.timedelta(days=plan.review_interval_days)
        else:
            extra.update({"review_requested": False, "review_reason": ""})
    elif step.name == "revise":
        extra = {"approved_by": None, "approved_at": None, **revisions.revised(plan)}
    return core_services.record_transition(
        instance=plan,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )


@transaction.atomic
def availability_plan_transition(*, actor, instance, transition, note="", data=None, now=None):
    """Approve (not by its author), retire or revise an availability plan."""
    return _plan_transition(
        AVAILABILITY_PLAN_WORKFLOW,
        AvailabilityPlan,
        actor=actor,
        instance=instance,
        transition=transition,
        note=note,
        data=data,
        now=now,
    )


@transaction.atomic
def continuity_plan_transition(*, actor, instance, transition, note="", data=None, now=None):
    """Approve (not by its author), retire or revise a continuity plan."""
    return _plan_transition(
        CONTINUITY_PLAN_WORKFLOW,
        ContinuityPlan,
        actor=actor,
        instance=instance,
        transition=transition,
        note=note,
        data=data,
        now=now,
    )


def _reviewed(instance, *, actor, note: str, today: dt.date | None, extra: dict) -> Any:
    today = today or timezone.localdate()
    plan = core_services.record_update(
        instance=instance, data={}, derived={"last_reviewed": today, **extra}, actor=actor
    )
    if note.strip():
        core_services.comment_store(
            target=plan,
            body=_("Review: %(note)s") % {"note": note.strip()},
            visibility="internal",
            author=_user(actor),
            actor=actor,
        )
    return plan


@transaction.atomic
def continuity_plan_review(
    *, actor: Any, instance: ContinuityPlan, note: str = "", today: dt.date | None = None
):
    """Record that the plan was reviewed: the request for a review clears and the interval starts again."""
    if instance.status == PlanStatus.RETIRED:
        raise ValidationError(_("A retired plan is not reviewed; revise it first."))
    return _reviewed(
        instance, actor=actor, note=note, today=today, extra={"review_requested": False, "review_reason": ""}
    )


@transaction.atomic
def availability_plan_review(
    *, actor: Any, instance: AvailabilityPlan, note: str = "", today: dt.date | None = None
):
    """Record that the availability plan was reviewed; the next review moves on by its interval."""
    today = today or timezone.localdate()
    return _reviewed(
        instance,
        actor=actor,
        note=note,
        today=today,
        extra={"next_review_due": today + dt.timedelta(days=instance.review_interval_days)},
    )


def plan_request_review(*, actor: Any, plan: ContinuityPlan, reason: str) -> ContinuityPlan:
    """Ask for a review of the plan, adding the reason to those already given."""
    if plan.status == PlanStatus.RETIRED:
        return plan
    reasons = [r for r in (plan.review_reason or "").splitlines() if r.strip()]
    if reason in reasons and plan.review_requested:
        return plan
    reasons.append(reason)
    return core_services.record_update(
        instance=plan,
        data={},
        derived={"review_requested": True, "review_reason": "\n".join(reasons)[-4000:]},
        actor=actor,
    )


def change_asks_for_plan_review(change: Any, actor: Any) -> None:
    """Reaction to a change entering "completed": every plan covering one of its services is asked for a
    review (2018 8.7.2: plans kept current after changes to the service environment)."""
    service_ids = list(change.affected_services.values_list("pk", flat=True))
    if not service_ids:
        return
    plans = (
        ContinuityPlan.objects.filter(services__in=service_ids).exclude(status=PlanStatus.RETIRED).distinct()
    )
    for plan in plans:
        plan_request_review(
            actor=actor,
            plan=plan,
            reason=_("Change %(ref)s was implemented on a covered service.") % {"ref": change.reference},
        )


# --- tests and invocations --------------------------------------------------------------------------------


def _after_test(test: ContinuityTest, actor: Any) -> None:
    plan = test.plan
    derived = {"last_tested": max(filter(None, [plan.last_tested, test.tested_on]))}
    core_services.record_update(instance=plan, data={}, derived=derived, actor=actor)
    plan.refresh_from_db()
    plan_request_review(
        actor=actor,
        plan=plan,
        reason=_("Tested on %(d)s: %(r)s.") % {"d": test.tested_on, "r": test.get_result_display()},
    )
    if test.result == ContinuityTest.Result.PASSED:
        return
    from servitium.improvement import services as improvement_services

    text = _("Continuity test of %(plan)s on %(d)s %(r)s. %(findings)s") % {
        "plan": plan,
        "d": test.tested_on,
        "r": test.get_result_display(),
        "findings": test.findings,
    }
    if test.result == ContinuityTest.Result.FAILED:
        improvement_services.nonconformity_open(
            kind="other",
            description=text.strip(),
            actor=actor,
            source=test,
            source_reference=plan.reference,
            requirement="iso20000-1:2018#8.7.2.s6",
        )
    else:
        improvement_services.opportunity_raise(
            kind="other", description=text.strip(), actor=actor, source=test, source_reference=plan.reference
        )


@transaction.atomic
def continuity_test_create(
    *, actor: Any, data: dict, m2m: dict | None = None, derived: dict | None = None
) -> ContinuityTest:
    """Record a test of a plan: the plan is marked tested and due for review; a failed test opens a
    nonconformity, a partly passed one raises an improvement opportunity."""
    test = core_services.record_create(model=ContinuityTest, data=data, actor=actor, m2m=m2m, derived=derived)
    _after_test(test, actor)
    return test


@transaction.atomic
def continuity_test_update(
    *, actor: Any, instance: ContinuityTest, data: dict, m2m: dict | None = None
) -> ContinuityTest:
    test = core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)
    if "result" in data or "tested_on" in data:
        _after_test(test, actor)
    return test


@transaction.atomic
def invocation_create(*, actor: Any, data: dict, m2m: dict | None = None, derived: dict | None = None):
    """Record an invocation of a plan; the plan is due for review after it."""
    invocation = core_services.record_create(
        model=ContinuityInvocation, data=data, actor=actor, m2m=m2m, derived=derived
    )
    plan_request_review(
        actor=actor,
        plan=invocation.plan,
        reason=_("Invoked on %(d)s.") % {"d": timezone.localdate(invocation.started_at)},
    )
    return invocation


@transaction.atomic
def invocation_update(*, actor: Any, instance: ContinuityInvocation, data: dict, m2m: dict | None = None):
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)
