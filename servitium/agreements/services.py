"""Writes of service level management: agreements, targets, reviews, the performance record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import services as core_services
from servitium.core.errors import TransitionNotAllowed

from .lifecycle import AGREEMENT_WORKFLOW, REVIEW_WORKFLOW
from .measures import MEASURES
from .models import ServiceLevelAgreement, ServiceReview, ServiceTarget, TargetPerformance


@transaction.atomic
def agreement_create(
    *,
    actor: Any,
    data: dict[str, Any],
    m2m: dict[str, Any] | None = None,
    derived: dict[str, Any] | None = None,
) -> ServiceLevelAgreement:
    """A new agreement, a draft. `data` is what the actor asked for; `derived` what the caller decided (the
    kind, where the API endpoint decides it)."""
    derived = dict(derived or {})
    if not data.get("title") and "title" not in derived:
        derived["title"] = f"{data.get('service')} for {data.get('customer')}"
    return core_services.record_create(
        model=ServiceLevelAgreement, data=data, actor=actor, m2m=m2m, derived=derived
    )


@transaction.atomic
def agreement_update(
    *, actor: Any, instance: ServiceLevelAgreement, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> ServiceLevelAgreement:
    """Change the terms of a draft, or what an agreed agreement leaves open (its locked terms change only
    after reopening it)."""
    if instance.status in (ServiceLevelAgreement.Status.EXPIRED, ServiceLevelAgreement.Status.TERMINATED):
        raise TransitionNotAllowed(
            _("An expired or terminated agreement is kept as it was; create a new one.")
        )
    if instance.status == ServiceLevelAgreement.Status.AGREED:
        locked = {
            "customer",
            "service",
            "kind",
            "workload",
            "exceptions",
            "calendar",
            "valid_from",
            "pause_statuses",
        }
        changed = sorted(k for k, v in data.items() if k in locked and getattr(instance, k) != v)
        if changed:
            raise TransitionNotAllowed(
                _("These terms of an agreed agreement change only through renegotiation (reopen): %(f)s.")
                % {"f": ", ".join(changed)}
            )
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def agreement_transition(
    *, actor: Any, instance: ServiceLevelAgreement, transition: str, note: str = "", data: dict | None = None
) -> ServiceLevelAgreement:
    """Agree, reopen, expire or terminate. Agreeing stamps the date and schedules the first review."""
    agreement = ServiceLevelAgreement.objects.select_for_update().get(pk=instance.pk)
    step = AGREEMENT_WORKFLOW.check(agreement, agreement.status, transition)
    extra: dict[str, Any] = {}
    if step.name == "agree":
        clash = ServiceLevelAgreement.objects.filter(
            kind=agreement.kind,
            customer=agreement.customer,
            service=agreement.service,
            status=ServiceLevelAgreement.Status.AGREED,
        ).exclude(pk=agreement.pk)
        if clash.exists():
            raise TransitionNotAllowed(
                _("%(c)s already has an agreed agreement for %(s)s (%(ref)s); terminate or expire it first.")
                % {"c": agreement.customer, "s": agreement.service, "ref": clash.first().reference}
            )
        today = timezone.localdate()
        extra = {
            "agreed_on": today,
            "next_review_due": today + dt.timedelta(days=agreement.review_interval_days),
        }
    return core_services.record_transition(
        instance=agreement,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )


def _check_target_editable(agreement: ServiceLevelAgreement) -> None:
    if agreement.status != ServiceLevelAgreement.Status.DRAFT:
        raise TransitionNotAllowed(
            _("Targets of %(ref)s can change only while it is a draft (reopen it to renegotiate).")
            % {"ref": agreement.reference}
        )


@transaction.atomic
def target_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> ServiceTarget:
    _check_target_editable(data["agreement"])
    return core_services.record_create(model=ServiceTarget, data=data, actor=actor)


@transaction.atomic
def target_update(
    *, actor: Any, instance: ServiceTarget, data: dict[str, Any], m2m: dict[str, Any] | None = None
):
    _check_target_editable(instance.agreement)
    if "agreement" in data and data["agreement"] != instance.agreement:
        _check_target_editable(data["agreement"])
    return core_services.record_update(instance=instance, data=data, actor=actor)


@transaction.atomic
def target_delete(*, actor: Any, instance: ServiceTarget) -> None:
    _check_target_editable(instance.agreement)
    core_services.record_delete(instance=instance, actor=actor)


@transaction.atomic
def review_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> ServiceReview:
    """Plan a service review (it is held, or cancelled, through its transitions)."""
    return core_services.record_create(model=ServiceReview, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def review_update(
    *, actor: Any, instance: ServiceReview, data: dict[str, Any], m2m: dict[str, Any] | None = None
):
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def review_transition(
    *, actor: Any, instance: ServiceReview, transition: str, note: str = "", data: dict | None = None
) -> ServiceReview:
    """Hold or cancel a review. Holding it needs the date and what was discussed, and moves the agreement's
    next review due date one interval on from the meeting."""
    review = ServiceReview.objects.select_for_update().get(pk=instance.pk)
    step = REVIEW_WORKFLOW.check(review, review.status, transition)
    extra: dict[str, Any] = {}
    if step.name == "hold":
        data = data or {}
        held_on = data.get("held_on") or review.held_on or timezone.localdate()
        if isinstance(held_on, str):
            try:
                held_on = dt.date.fromisoformat(held_on)
            except ValueError:
                raise ValidationError({"held_on": _("Give the meeting date as YYYY-MM-DD.")}) from None
        discussed = data.get("performance_discussed", review.performance_discussed)
        if not str(discussed).strip():
            raise ValidationError(
                {"performance_discussed": _("Record the performance discussed before closing the review.")}
            )
        extra = {"held_on": held_on, "performance_discussed": discussed}
        agreement = review.agreement
        core_services.record_update(
            instance=agreement,
            data={},
            derived={"next_review_due": held_on + dt.timedelta(days=agreement.review_interval_days)},
            actor=actor,
        )
    return core_services.record_transition(
        instance=review,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )


@transaction.atomic
def agreements_expire_due(*, actor: Any = None, today: dt.date | None = None) -> int:
    """Expire agreed agreements whose validity has ended."""
    today = today or timezone.localdate()
    count = 0
    for agreement in ServiceLevelAgreement.objects.filter(
        status=ServiceLevelAgreement.Status.AGREED, valid_until__lt=today
    ):
        agreement_transition(actor=actor, instance=agreement, transition="expire", note=_("validity ended"))
        count += 1
    return count


@transaction.atomic
def performance_record(*, period_start: dt.datetime, period_end: dt.datetime, actor: Any = None) -> int:
    """Measure every target of every agreed agreement over the period with the registered measures and
    store the result (one row per target and period; re-running updates it). Returns rows written."""
    written = 0
    targets = ServiceTarget.objects.filter(
        agreement__status=ServiceLevelAgreement.Status.AGREED
    ).select_related("agreement", "agreement__calendar", "agreement__service", "agreement__customer")
    for target in targets:
        measure = MEASURES.get(target.measure_key)
        measurement = measure(target, period_start, period_end) if measure else None
        value = None if measurement is None else measurement.value
        data = {
            "measured_value": value,
            "samples": 0 if measurement is None else measurement.samples,
            "met": target.is_met(value),
            "note": (measurement.note if measurement else _("no measure registered for this kind yet"))[:300],
        }
        existing = TargetPerformance.objects.filter(
            target=target, period_start=period_start, period_end=period_end
        ).first()
        if existing is None:
            core_services.record_create(
                model=TargetPerformance,
                data={"target": target, "period_start": period_start, "period_end": period_end, **data},
                actor=actor,
            )
        else:
            core_services.record_update(instance=existing, data=data, actor=actor)
        written += 1
    return written
