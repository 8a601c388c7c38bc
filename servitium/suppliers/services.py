"""Writes of supplier management."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import services as core_services

from .lifecycle import CONTRACT_WORKFLOW, DISPUTE_WORKFLOW, SUPPLIER_WORKFLOW
from .models import ContractReview, Dispute, Supplier, SupplierContract, SupplierTarget


@transaction.atomic
def supplier_transition(
    *, actor: Any, instance: Supplier, transition: str, note: str = "", data: dict | None = None
) -> Supplier:
    """Deactivate a supplier we no longer work with, or reactivate it."""
    supplier = Supplier.objects.select_for_update().get(pk=instance.pk)
    step = SUPPLIER_WORKFLOW.check(supplier, supplier.status, transition)
    return core_services.record_transition(
        instance=supplier, actor=actor, field="status", target=step.target, message=note or str(step.label)
    )


@transaction.atomic
def contract_create(
    *, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> SupplierContract:
    """A new contract, a draft (activated through its transitions once it states every content item)."""
    return core_services.record_create(model=SupplierContract, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def contract_update(
    *, actor: Any, instance: SupplierContract, data: dict[str, Any], m2m: dict[str, Any] | None = None
):
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def contract_transition(
    *, actor: Any, instance: SupplierContract, transition: str, note: str = "", data: dict | None = None
) -> SupplierContract:
    contract = SupplierContract.objects.select_for_update().get(pk=instance.pk)
    step = CONTRACT_WORKFLOW.check(contract, contract.status, transition)
    extra = {}
    if step.name == "activate" and contract.next_review_due is None:
        extra["next_review_due"] = timezone.localdate() + dt.timedelta(days=contract.review_interval_days)
    return core_services.record_transition(
        instance=contract,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )


def _check_target_service(data: dict[str, Any], instance: SupplierTarget | None = None) -> None:
    contract = data.get("contract", getattr(instance, "contract", None))
    service = data.get("service", getattr(instance, "service", None))
    if contract and service and not contract.services.filter(pk=service.pk).exists():
        raise ValidationError(
            {
                "service": _("%(s)s is not among the services contract %(c)s contributes to.")
                % {"s": service, "c": contract.reference}
            }
        )


@transaction.atomic
def target_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> SupplierTarget:
    _check_target_service(data)
    return core_services.record_create(model=SupplierTarget, data=data, actor=actor)


@transaction.atomic
def target_update(
    *, actor: Any, instance: SupplierTarget, data: dict[str, Any], m2m: dict[str, Any] | None = None
):
    _check_target_service(data, instance)
    return core_services.record_update(instance=instance, data=data, actor=actor)


@transaction.atomic
def review_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> ContractReview:
    """Record a contract review and schedule the next one an interval after it."""
    review = core_services.record_create(model=ContractReview, data=data, actor=actor)
    contract = review.contract
    core_services.record_update(
        instance=contract,
        data={},
        derived={"next_review_due": review.held_on + dt.timedelta(days=contract.review_interval_days)},
        actor=actor,
    )
    return review


@transaction.atomic
def dispute_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> Dispute:
    """Raise a dispute (resolved, reopened and closed through its transitions)."""
    return core_services.record_create(model=Dispute, data=data, actor=actor)


@transaction.atomic
def dispute_update(*, actor: Any, instance: Dispute, data: dict[str, Any], m2m: dict[str, Any] | None = None):
    return core_services.record_update(instance=instance, data=data, actor=actor)


@transaction.atomic
def dispute_transition(
    *, actor: Any, instance: Dispute, transition: str, note: str = "", data: dict | None = None
) -> Dispute:
    dispute = Dispute.objects.select_for_update().get(pk=instance.pk)
    if data and data.get("resolution"):
        dispute.resolution = str(data["resolution"])
    step = DISPUTE_WORKFLOW.check(dispute, dispute.status, transition)
    extra: dict[str, Any] = {"resolution": dispute.resolution}
    if step.name == "resolve":
        extra["resolved_on"] = timezone.localdate()
    return core_services.record_transition(
        instance=dispute,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )
