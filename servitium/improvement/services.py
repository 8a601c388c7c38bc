"""Writes of the improvement register. Other apps open entries here through `nonconformity_open` and
`opportunity_raise` (idempotent per source), people work them through the transitions; every write goes
through the audited core services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import services as core_services
from servitium.core.approval import person_of
from servitium.core.errors import ApplicationError, TransitionNotAllowed
from servitium.parties.models import Person

from .lifecycle import ACTION_WORKFLOW, NONCONFORMITY_WORKFLOW, OPPORTUNITY_WORKFLOW
from .models import CorrectiveAction, ImprovementOpportunity, Nonconformity, SourceKind

# Fields a transition may carry (`{"transition": "analyse_cause", "root_cause": "..."}`).
NC_TRANSITION_FIELDS = ("correction", "root_cause", "effectiveness_method", "effectiveness_due")
OPPORTUNITY_TRANSITION_FIELDS = ("decision_note", "evaluation")


def _source_values(source: models.Model | None, kind: str, reference: str) -> dict[str, Any]:
    if kind not in SourceKind.values:
        raise ValidationError({"source_kind": [_("Unknown source %(kind)s.") % {"kind": kind}]})
    values: dict[str, Any] = {"source_kind": kind, "source_reference": reference[:100]}
    if source is not None:
        values["source_type"] = ContentType.objects.get_for_model(source)
        values["source_id"] = source.pk
        values["source_reference"] = (reference or getattr(source, "reference", "") or str(source))[:100]
    return values


# --- nonconformities ------------------------------------------------------------------------------------


@transaction.atomic
def nonconformity_open(
    *,
    kind: str,
    description: str,
    actor: Any,
    source: models.Model | None = None,
    source_reference: str = "",
    grade: str = Nonconformity.Grade.MINOR,
    requirement: str = "",
    check_id: str = "",
    owner: Person | None = None,
    due_date: dt.date | None = None,
) -> Nonconformity:
    """Open a nonconformity raised by another process (an assessment's failed check, an audit finding, a
    major incident...). Idempotent: while one raised for the same check (or the same source record and
    requirement) is not closed, that one is returned unchanged."""
    values = _source_values(source, kind, source_reference)
    existing = Nonconformity.objects.exclude(status=Nonconformity.Status.CLOSED).filter(
        requirement=requirement
    )
    if check_id:
        existing = existing.filter(check_id=check_id)
    elif source is not None:
        existing = existing.filter(source_type=values["source_type"], source_id=source.pk, check_id="")
    else:
        existing = existing.none()
    found = existing.first()
    if found is not None:
        return found
    return core_services.record_create(
        model=Nonconformity,
        data={},
        derived={
            **values,
            "description": description[:4000] or check_id or _("Nonconformity"),
            "grade": grade,
            "requirement": requirement[:200],
            "check_id": check_id[:100],
            "owner": owner,
            "due_date": due_date,
        },
        actor=actor,
    )


def _ensure_open(nc: Nonconformity) -> None:
    if nc.status == Nonconformity.Status.CLOSED:
        raise TransitionNotAllowed(_("%(ref)s is closed and kept as it was.") % {"ref": nc.reference})


@transaction.atomic
def nonconformity_update(
    *, actor: Any, instance: Nonconformity, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> Nonconformity:
    """Change a nonconformity's description, grade, owner, cause...; a closed one is kept as it was."""
    _ensure_open(instance)
    return core_services.record_update(instance=instance, data=data, m2m=m2m, actor=actor)


def nonconformity_delete(*, actor: Any, instance: Nonconformity) -> None:
    """Nonconformities are audit evidence: closed, never deleted (superusers included)."""
    raise ApplicationError(
        _("A nonconformity is kept as evidence; close it instead of deleting it."), code="kept_as_evidence"
    )


def _given(data: dict | None, names: tuple[str, ...]) -> dict[str, Any]:
    return {f: data[f] for f in names if data and data.get(f) not in (None, "")}


@transaction.atomic
def nonconformity_transition(
    *,
    actor: Any,
    instance: Nonconformity,
    transition: str,
    note: str = "",
    data: dict | None = None,
    today: dt.date | None = None,
) -> Nonconformity:
    """Move a nonconformity along its lifecycle. A transition may carry the correction, the root cause or
    the effectiveness check's method; `effective` / `not_effective` record the check's result, by whom
    and when; `close` needs an effective check (the guard)."""
    nc = Nonconformity.objects.select_for_update().get(pk=instance.pk)
    step = NONCONFORMITY_WORKFLOW.get(transition)
    given = _given(data, NC_TRANSITION_FIELDS)
    stored = {f: getattr(nc, f) for f in given}
    for name, value in given.items():
        setattr(nc, name, value)
    if nc.status in step.sources:
        missing = [f for f in step.needs if not str(getattr(nc, f) or "").strip()]
        if missing:
            raise ValidationError({f: [_("Needed for this step.")] for f in missing})
    NONCONFORMITY_WORKFLOW.check(nc, nc.status, transition)
    extra: dict[str, Any] = dict(given)
    if step.name in ("effective", "not_effective"):
        extra.update(
            {
                "effectiveness_result": Nonconformity.Result.EFFECTIVE
                if step.name == "effective"
                else Nonconformity.Result.NOT_EFFECTIVE,
                "effectiveness_checked_by": person_of(actor),
                "effectiveness_checked_on": today or timezone.localdate(),
            }
        )
    if step.name == "close":
        extra["closed_at"] = timezone.now()
    for name, value in stored.items():  # the change log's "before" is what was stored
        setattr(nc, name, value)
    return core_services.record_transition(
        instance=nc,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )


def nonconformities_seen_again(*, ncs: list[Nonconformity], seen_in: str, actor: Any) -> None:
    """Note the assessment (by reference) that found each failure again: one UPDATE, one entry each."""
    core_services.record_bulk_update(instances=ncs, derived={"last_seen_in": seen_in}, actor=actor)


# --- corrective actions ---------------------------------------------------------------------------------


@transaction.atomic
def corrective_action_create(
    *, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> CorrectiveAction:
    """Plan a corrective action on a nonconformity that is still being worked (not verified or closed)."""
    nc = data.get("nonconformity")
    if nc is not None and nc.status in (Nonconformity.Status.VERIFIED, Nonconformity.Status.CLOSED):
        raise ValidationError(
            {
                "nonconformity": [
                    _("%(ref)s is %(status)s.") % {"ref": nc.reference, "status": nc.get_status_display()}
                ]
            }
        )
    return core_services.record_create(model=CorrectiveAction, data=data, m2m=m2m, actor=actor)


@transaction.atomic
def corrective_action_transition(
    *, actor: Any, instance: CorrectiveAction, transition: str, note: str = "", data: dict | None = None
) -> CorrectiveAction:
    """Start, complete (stamping the day) or cancel a corrective action."""
    action = CorrectiveAction.objects.select_for_update().get(pk=instance.pk)
    step = ACTION_WORKFLOW.check(action, action.status, transition)
    extra = {"done_on": timezone.localdate()} if step.name == "complete" else {}
    return core_services.record_transition(
        instance=action,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )


# --- improvement opportunities --------------------------------------------------------------------------


@transaction.atomic
def opportunity_raise(
    *,
    kind: str,
    description: str,
    actor: Any,
    source: models.Model | None = None,
    source_reference: str = "",
    benefit: str = "",
    priority: int = ImprovementOpportunity.Priority.MEDIUM,
    service: Any = None,
    customer: Any = None,
    owner: Person | None = None,
) -> ImprovementOpportunity:
    """Raise an improvement opportunity from another process (a low survey score, a complaint, an audit's
    OFI finding, an objective off track). Idempotent per source record: raised once, returned after."""
    values = _source_values(source, kind, source_reference)
    if source is not None:
        found = ImprovementOpportunity.objects.filter(
            source_type=values["source_type"], source_id=source.pk
        ).first()
        if found is not None:
            return found
    return core_services.record_create(
        model=ImprovementOpportunity,
        data={},
        derived={
            **values,
            "description": description[:4000],
            "benefit": benefit,
            "priority": priority,
            "service": service,
            "customer": customer,
            "owner": owner,
        },
        actor=actor,
    )


@transaction.atomic
def opportunity_update(
    *, actor: Any, instance: ImprovementOpportunity, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> ImprovementOpportunity:
    """Change an opportunity; an evaluated or rejected one is kept as it was."""
    if instance.status in (ImprovementOpportunity.Status.EVALUATED, ImprovementOpportunity.Status.REJECTED):
        raise TransitionNotAllowed(
            _("%(ref)s is %(status)s and kept as it was.")
            % {"ref": instance.reference, "status": instance.get_status_display()}
        )
    return core_services.record_update(instance=instance, data=data, m2m=m2m, actor=actor)


def opportunity_delete(*, actor: Any, instance: ImprovementOpportunity) -> None:
    raise ApplicationError(
        _("An improvement opportunity is kept as evidence; reject it instead of deleting it."),
        code="kept_as_evidence",
    )


@transaction.atomic
def opportunity_transition(
    *,
    actor: Any,
    instance: ImprovementOpportunity,
    transition: str,
    note: str = "",
    data: dict | None = None,
    today: dt.date | None = None,
) -> ImprovementOpportunity:
    """Approve (needs owner, target and target date), reject (with the reason), start, implement, and
    evaluate (with the result against the target)."""
    opportunity = ImprovementOpportunity.objects.select_for_update().get(pk=instance.pk)
    step = OPPORTUNITY_WORKFLOW.get(transition)
    given = _given(data, OPPORTUNITY_TRANSITION_FIELDS)
    stored = {f: getattr(opportunity, f) for f in given}
    for name, value in given.items():
        setattr(opportunity, name, value)
    if opportunity.status in step.sources:
        missing = [f for f in step.needs if not str(getattr(opportunity, f) or "").strip()]
        if missing:
            raise ValidationError({f: [_("Needed for this step.")] for f in missing})
    OPPORTUNITY_WORKFLOW.check(opportunity, opportunity.status, transition)
    extra: dict[str, Any] = dict(given)
    day = today or timezone.localdate()
    if step.name == "implement":
        extra["implemented_on"] = day
    elif step.name == "evaluate":
        extra["evaluated_on"] = day
    for name, value in stored.items():
        setattr(opportunity, name, value)
    return core_services.record_transition(
        instance=opportunity,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )
