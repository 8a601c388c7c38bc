"""Alignment of supplier targets with customer SLA targets (20000-17 5.7: a supplier target weaker than
the customer target it underpins is a risk to that agreement)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .models import SupplierContract, SupplierTarget


@dataclass(frozen=True)
class Misalignment:
    supplier_target: SupplierTarget
    customer: str
    agreement: str
    customer_value: Decimal
    supplier_value: Decimal
    higher_is_better: bool
    calendar_note: str

    def as_dict(self) -> dict:
        return {
            "supplier_target": self.supplier_target.pk,
            "service": self.supplier_target.service.name,
            "metric": self.supplier_target.metric,
            "priority": self.supplier_target.priority,
            "customer": self.customer,
            "agreement": self.agreement,
            "customer_target": str(self.customer_value),
            "supplier_target_value": str(self.supplier_value),
            "message": self.message,
        }

    @property
    def message(self) -> str:
        from servitium.core.vocabulary import format_target

        t = self.supplier_target
        weaker_word = "lower" if self.higher_is_better else "longer"
        prio = f" for priority {t.priority}" if t.priority else ""
        text = (
            f"{t.contract.supplier} commits to {format_target(t.metric, self.supplier_value, t.unit)} "
            f"({t.get_metric_display()}{prio}) on {t.service}: {weaker_word} than the "
            f"{format_target(t.metric, self.customer_value, t.unit)} agreed with {self.customer} "
            f"({self.agreement})."
        )
        return f"{text} {self.calendar_note}".strip()


def weaker(supplier_value: Decimal, customer_value: Decimal, higher_is_better: bool) -> bool:
    """Is the supplier's commitment weaker than the customer's? (Lower-is-better for times.)"""
    return supplier_value < customer_value if higher_is_better else supplier_value > customer_value


def target_alignment(target: SupplierTarget, sla_targets=None) -> list[Misalignment]:
    """Customer SLA targets on the same service, measure and priority that this supplier target undercuts.
    `sla_targets`: the agreed SLA targets already loaded for many supplier targets (alignment_of)."""
    from servitium.agreements.selectors import matching_targets, sla_targets_for

    if sla_targets is None:
        candidates = sla_targets_for(target.service, target.metric, target.priority)
    else:
        candidates = matching_targets(sla_targets, target.service_id, target.metric, target.priority)
    problems = []
    for customer_target in candidates:
        if target.metric == "custom" and customer_target.name != target.name:
            continue
        if weaker(target.target_value, customer_target.target_value, target.higher_is_better):
            agreement = customer_target.agreement
            note = ""
            if target.metric in ("response_time", "resolution_time") and agreement.calendar:
                note = f"(Customer time runs on '{agreement.calendar.name}'.)"
            problems.append(
                Misalignment(
                    supplier_target=target,
                    customer=agreement.customer.name,
                    agreement=agreement.reference,
                    customer_value=customer_target.target_value,
                    supplier_value=target.target_value,
                    higher_is_better=target.higher_is_better,
                    calendar_note=note,
                )
            )
    return problems


def alignment_of(targets: list[SupplierTarget]) -> dict[int, list[Misalignment]]:
    """The misalignments of many supplier targets, with one query for the customer targets they support."""
    from servitium.agreements.selectors import agreed_sla_targets

    services = {t.service_id for t in targets}
    sla_targets = list(agreed_sla_targets(services)) if services else []
    return {t.pk: target_alignment(t, sla_targets) for t in targets}


def contract_alignment(contract: SupplierContract) -> list[Misalignment]:
    targets = list(contract.targets.select_related("service", "contract__supplier__organization"))
    return [m for problems in alignment_of(targets).values() for m in problems]
