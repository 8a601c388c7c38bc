"""Writes of exit and transfer: exit plans (agreed with the customer, then handed over, disposed of and
closed), their inventory, data exports (queued, built by the task queue, handed over, acknowledged by the
customer), handover records and disposal records, refused before the plan allows disposal. Every write goes
through the audited core services."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import services as core_services
from servitium.core.errors import ApplicationError, ConflictError, TransitionNotAllowed

from . import jobs
from .lifecycle import EXPORT_WORKFLOW, HANDED, PLAN_WORKFLOW
from .models import DataExport, DisposalRecord, ExitItem, ExitPlan, HandoverRecord

logger = logging.getLogger(__name__)
S = ExitPlan.Status
E = DataExport.Status
OPEN_PLAN = (S.DRAFT, S.AGREED, S.HANDING_OVER, S.HANDED_OVER, S.DISPOSED)
# What was agreed with the customer stays as agreed: changing it means a new plan.
AGREED_TERMS = (
    "customer",
    "kind",
    "exit_terms",
    "effective_end",
    "dispose_not_before",
    "agreements",
    "services",
    "subscriptions",
)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


# --- exit plans ---------------------------------------------------------------------------------------------


def _check_concerned(customer: Any, m2m: dict | None) -> None:
    """Agreements and subscriptions concerned are the customer's own; services concerned are services it
    receives."""
    m2m = m2m or {}
    customer_id = _pk(customer)
    errors: dict[str, list[str]] = {}
    for agreement in m2m.get("agreements") or ():
        if agreement.customer_id != customer_id:
            errors["agreements"] = [_("%(ref)s is not an agreement with this customer.") % {"ref": agreement}]
    for subscription in m2m.get("subscriptions") or ():
        if subscription.customer_id != customer_id:
            errors["subscriptions"] = [
                _("%(ref)s is not a subscription of this customer.") % {"ref": subscription.reference}
            ]
    for service in m2m.get("services") or ():
        if not service.customers.filter(pk=customer_id).exists():
            errors["services"] = [_("The customer does not receive %(name)s.") % {"name": service.name}]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> ExitPlan:
    """Record a draft exit plan for a customer."""
    _check_concerned({**data, **(derived or {})}.get("customer"), m2m)
    return core_services.record_create(model=ExitPlan, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def plan_update(*, actor: Any, instance: ExitPlan, data: dict[str, Any], m2m: dict | None = None) -> ExitPlan:
    """Change a plan; once agreed with the customer its terms, dates and scope stay as agreed."""
    plan = ExitPlan.objects.select_for_update().get(pk=instance.pk)
    if plan.status not in OPEN_PLAN:
        raise ConflictError(
            _("%(ref)s is %(status)s and no longer changes.")
            % {"ref": plan.reference, "status": plan.get_status_display()}
        )
    if plan.status != S.DRAFT:
        changed = [n for n in AGREED_TERMS if n in data and _pk(data[n]) != _pk(getattr(plan, n, None))]
        changed += [
            n
            for n in ("agreements", "services", "subscriptions")
            if n in (m2m or {})
            and {o.pk for o in m2m[n]} != set(getattr(plan, n).values_list("pk", flat=True))
        ]
        if changed:
            raise ConflictError(
                _("The plan was agreed with the customer: %(fields)s stay as agreed.")
                % {"fields": ", ".join(changed)},
                code="agreed_terms",
            )
    _check_concerned(data.get("customer", plan.customer_id), m2m)
    return core_services.record_update(instance=plan, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def plan_transition(
    *,
    actor: Any,
    instance: ExitPlan,
    transition: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    today: dt.date | None = None,
) -> ExitPlan:
    """Move a plan along its lifecycle. `agree` takes `agreed_by` (one of the customer's people) and
    optionally `agreed_on` (default today); `acknowledge` is the customer's own user agreeing it (as the
    person their account belongs to, today)."""
    data = data or {}
    plan = ExitPlan.objects.select_for_update(of=("self",)).select_related("customer").get(pk=instance.pk)
    step = PLAN_WORKFLOW.check(plan, plan.status, transition)
    extra: dict[str, Any] = {}
    if step.name == "agree":
        extra.update(_agreement(plan, data, today or timezone.localdate()))
    elif step.name == "acknowledge":
        extra.update(_acknowledgement(plan, actor, today or timezone.localdate()))
    elif step.name == "close":
        extra["closed_at"] = timezone.now()
    return core_services.record_transition(
        instance=plan,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )


def _agreement(plan: ExitPlan, data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    from servitium.parties.models import Person

    raw = data.get("agreed_by")
    if raw in (None, ""):
        raise ValidationError({"agreed_by": [_("Name the customer's person who agreed the plan.")]})
    try:
        person = Person.objects.get(pk=int(_pk(raw)), organization_id=plan.customer_id)
    except (TypeError, ValueError, Person.DoesNotExist):
        raise ValidationError({"agreed_by": [_("Choose one of the customer's people.")]}) from None
    agreed_on = data.get("agreed_on") or today
    if isinstance(agreed_on, str):
        try:
            agreed_on = dt.date.fromisoformat(agreed_on)
        except ValueError:
            raise ValidationError({"agreed_on": [_("Give the date as YYYY-MM-DD.")]}) from None
    if agreed_on > today:
        raise ValidationError({"agreed_on": [_("The plan cannot be agreed in the future.")]})
    return {"agreed_by": person, "agreed_on": agreed_on}


def _acknowledgement(plan: ExitPlan, actor: Any, today: dt.date) -> dict[str, Any]:
    from servitium.parties.models import Person

    if not permissions.is_customer_user(actor) or actor.organization_id != plan.customer_id:
        raise TransitionNotAllowed(
            _("Only the customer's own users acknowledge the plan; record an agreement given otherwise.")
        )
    person = Person.objects.filter(user=actor, organization_id=plan.customer_id).first()
    if person is None:
        raise TransitionNotAllowed(
            _("Your account is not linked to a person of your organization, so it cannot agree the plan.")
        )
    return {"agreed_by": person, "agreed_on": today}


@transaction.atomic
def plan_delete(*, actor: Any, instance: ExitPlan) -> None:
    """Only a draft goes away; a plan agreed with the customer stays on the record (cancel it)."""
    if instance.status != S.DRAFT:
        raise ConflictError(_("Only a draft plan can be deleted; cancel or close this one."))
    for item in instance.items.all():
        core_services.record_delete(instance=item, actor=actor)
    core_services.record_delete(instance=instance, actor=actor)


# --- the inventory ------------------------------------------------------------------------------------------


def _plan_open(plan: Any) -> None:
    plan = plan if isinstance(plan, ExitPlan) else ExitPlan.objects.filter(pk=_pk(plan)).first()
    if plan is not None and plan.status not in OPEN_PLAN:
        raise ConflictError(
            _("%(ref)s is %(status)s: its inventory no longer changes.")
            % {"ref": plan.reference, "status": plan.get_status_display()}
        )


@transaction.atomic
def item_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> ExitItem:
    _plan_open({**data, **(derived or {})}.get("plan"))
    return core_services.record_create(model=ExitItem, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def item_update(*, actor: Any, instance: ExitItem, data: dict[str, Any], m2m: dict | None = None) -> ExitItem:
    _plan_open(instance.plan)
    if "plan" in data:
        _plan_open(data["plan"])
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def item_delete(*, actor: Any, instance: ExitItem) -> None:
    _plan_open(instance.plan)
    if instance.done_at:
        raise ConflictError(_("The item is done; it stays on the record."))
    core_services.record_delete(instance=instance, actor=actor)


@transaction.atomic
def item_complete(
    *, actor: Any, instance: ExitItem, note: str = "", at: dt.datetime | None = None
) -> ExitItem:
    """Mark an item done. Disposal items are done by a disposal record only (never before the plan allows)."""
    item = ExitItem.objects.select_for_update(of=("self",)).select_related("plan").get(pk=instance.pk)
    _plan_open(item.plan)
    if item.done_at:
        raise ConflictError(_("The item is already done."))
    if item.action == ExitItem.Action.DISPOSE:
        raise ConflictError(
            _("Items to dispose of are done by recording the disposal, once the plan allows it."),
            code="dispose_by_record",
        )
    if item.plan.status == S.DRAFT:
        raise ConflictError(_("Agree the plan with the customer before carrying out its inventory."))
    derived: dict[str, Any] = {"done_at": at or timezone.now(), "done_by": _user(actor)}
    if note.strip():
        derived["note"] = "\n".join(filter(None, [item.note, note.strip()]))
    return core_services.record_update(instance=item, data={}, derived=derived, actor=actor)


def _mark_done(items: list[ExitItem], *, actor: Any, at: dt.datetime) -> None:
    for item in items:
        if not item.done_at:
            core_services.record_update(
                instance=item, data={}, derived={"done_at": at, "done_by": _user(actor)}, actor=actor
            )


# --- data exports -------------------------------------------------------------------------------------------


@transaction.atomic
def export_request(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> DataExport:
    """Queue an export of a customer's records; the task queue builds it once the request is stored."""
    derived = dict(derived or {})
    plan = {**data, **derived}.get("plan")
    if plan is not None and not {**data, **derived}.get("customer"):
        derived["customer"] = plan.customer
    derived.update({"requested_by": _user(actor), "status": E.QUEUED})
    export = core_services.record_create(model=DataExport, data=data, actor=actor, m2m=m2m, derived=derived)
    pk = export.pk
    transaction.on_commit(lambda: _enqueue(pk))
    return export


@transaction.atomic
def export_delete(*, actor: Any, instance: DataExport) -> None:
    """A failed or never built export may go; one built stays on the record with its digest."""
    if instance.status not in (E.QUEUED, E.FAILED) or instance.handovers.exists():
        raise ConflictError(_("A built export stays on the record."))
    core_services.record_delete(instance=instance, actor=actor)


def _enqueue(pk: int) -> None:
    jobs.build_customer_export(pk)


@transaction.atomic
def export_transition(
    *, actor: Any, instance: DataExport, transition: str, note: str = "", data: dict[str, Any] | None = None
) -> DataExport:
    """Hand a built export over, or acknowledge its receipt (the customer, or staff recording it)."""
    export = DataExport.objects.select_for_update().get(pk=instance.pk)
    step = EXPORT_WORKFLOW.check(export, export.status, transition)
    now = timezone.now()
    extra = (
        {"handed_over_at": now}
        if step.name == "hand_over"
        else {"acknowledged_at": now, "acknowledged_by": _user(actor)}
    )
    return core_services.record_transition(
        instance=export,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )


def export_acknowledge(*, actor: Any, instance: DataExport, note: str = "") -> DataExport:
    return export_transition(actor=actor, instance=instance, transition="acknowledge", note=note)


# --- handovers and disposals --------------------------------------------------------------------------------


def _items_of(
    plan: ExitPlan, items: list[ExitItem], allowed: tuple[str, ...], message: str
) -> list[ExitItem]:
    for item in items:
        if item.plan_id != plan.pk:
            raise ValidationError(
                {"exit_items": [_("%(item)s is not in this plan's inventory.") % {"item": item}]}
            )
        if item.action not in allowed:
            raise ValidationError(
                {"exit_items": [message % {"item": item, "action": item.get_action_display()}]}
            )
    return items


@transaction.atomic
def handover_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> HandoverRecord:
    """Record a handover: its items (to hand over or transfer) are done, its export handed over."""
    values = {**data, **(derived or {})}
    plan = values.get("plan")
    if plan is not None:
        plan = ExitPlan.objects.get(pk=plan.pk)  # its status as stored, not as the caller last read it
        _plan_open(plan)
        if plan.status == S.DRAFT:
            raise ConflictError(_("Agree the plan with the customer before handing anything over."))
    items = list((m2m or {}).get("exit_items") or ())
    if plan is not None:
        _items_of(plan, items, HANDED, _("%(item)s is to %(action)s, not to hand over or transfer."))
    record = core_services.record_create(
        model=HandoverRecord, data=data, actor=actor, m2m=m2m, derived=derived
    )
    _mark_done(items, actor=actor, at=record.handed_over_at)
    export = record.export
    if export is not None and export.status == E.READY:
        export_transition(actor=actor, instance=export, transition="hand_over", note=_("Handed over"))
    return record


@transaction.atomic
def handover_update(
    *, actor: Any, instance: HandoverRecord, data: dict[str, Any], m2m: dict | None = None
) -> HandoverRecord:
    items = list((m2m or {}).get("exit_items") or ())
    _items_of(instance.plan, items, HANDED, _("%(item)s is to %(action)s, not to hand over or transfer."))
    record = core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)
    _mark_done(items, actor=actor, at=record.handed_over_at)
    return record


def evidence_delete(*, actor: Any, instance: Any) -> None:
    """Handover and disposal records are evidence of the exit: corrected, never deleted."""
    raise ApplicationError(
        _("Handover and disposal records stay on the record; correct them instead."), code="evidence_kept"
    )


def disposal_refusal(plan: ExitPlan, when: dt.date) -> str | None:
    """Why nothing of the customer's may be disposed of under `plan` on `when` (None: it may)."""
    if plan.status != S.HANDED_OVER:
        return _("%(ref)s is %(status)s: disposal follows the completed handover.") % {
            "ref": plan.reference,
            "status": plan.get_status_display(),
        }
    if not plan.dispose_not_before:
        return _("The plan does not say from when disposal is allowed (dispose not before).")
    if when < plan.dispose_not_before or timezone.localdate() < plan.dispose_not_before:
        return _("The plan allows disposal only from %(day)s.") % {"day": plan.dispose_not_before}
    if not plan.exports.filter(status=E.ACKNOWLEDGED).exists():
        return _("The customer has not acknowledged receipt of its data export.")
    return None


@transaction.atomic
def disposal_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> DisposalRecord:
    """Record what was disposed of: refused (409) before the plan allows it or before the customer
    acknowledged its export; refused (400) for an item the plan hands over rather than disposes of."""
    values = {**data, **(derived or {})}
    plan = values.get("plan")
    if plan is not None:
        plan = ExitPlan.objects.select_for_update().get(pk=plan.pk)
        disposed_at = values.get("disposed_at") or timezone.now()
        if disposed_at > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError({"disposed_at": [_("Record a disposal once it is done, not in advance.")]})
        reason = disposal_refusal(plan, timezone.localdate(disposed_at))
        if reason:
            raise ConflictError(reason, code="disposal_refused")
        _items_of(
            plan,
            list((m2m or {}).get("exit_items") or ()),
            (ExitItem.Action.DISPOSE,),
            _("%(item)s is to %(action)s, not to dispose of: the plan keeps it from disposal."),
        )
    record = core_services.record_create(
        model=DisposalRecord,
        data=data,
        actor=actor,
        m2m=m2m,
        derived={**(derived or {}), "disposed_by": _user(actor)},
    )
    _mark_done(list(record.exit_items.all()), actor=actor, at=record.disposed_at)
    return record


@transaction.atomic
def disposal_update(
    *, actor: Any, instance: DisposalRecord, data: dict[str, Any], m2m: dict | None = None
) -> DisposalRecord:
    """Only the evidence is added later (a supplier's certificate arriving after the disposal)."""
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)
