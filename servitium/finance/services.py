"""Writes of budgeting and accounting: budgets (their totals from their lines, approval by a second
person), cost items, apportionment rules, charge rules, and charging statements generated from the charge
rules, approved by a second person and issued. Every write goes through the audited core services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import services as core_services
from servitium.core.approval import refuse_self_approval
from servitium.core.errors import TransitionNotAllowed

from . import selectors
from .lifecycle import BUDGET_WORKFLOW, STATEMENT_WORKFLOW
from .models import (
    ApportionmentRule,
    Approval,
    Budget,
    ChargingStatement,
    CostItem,
    currency,
    line_errors,
    lines_total,
    share_errors,
)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- budgets ----------------------------------------


def _budget_lines(lines: Any) -> dict[str, Any]:
    errors = line_errors(lines)
    if errors:
        raise ValidationError({"lines": errors})
    clean = [{"category": line["category"], "amount": str(line["amount"])} for line in lines]
    return {"lines": clean, "total": lines_total(clean)}


@transaction.atomic
def budget_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> Budget:
    """A draft budget for a service and a period, written by the acting user; its total is the sum of
    its lines."""
    derived = {"author": _user(actor), **(derived or {})}
    lines = derived.get("lines", data.get("lines", []))
    derived.update(_budget_lines(lines))
    return core_services.record_create(model=Budget, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def budget_update(*, actor: Any, instance: Budget, data: dict[str, Any], m2m: dict | None = None) -> Budget:
    """Only a draft budget changes; revise an approved one first (it then needs approving again)."""
    if instance.status != Approval.DRAFT:
        raise TransitionNotAllowed(
            _("Budget %(ref)s is approved; revise it before changing it.") % {"ref": instance.reference}
        )
    derived = _budget_lines(data["lines"]) if "lines" in data else {}
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def budget_transition(
    *, actor: Any, instance: Budget, transition: str, note: str = "", data: dict | None = None
) -> Budget:
    """Approve a budget (someone other than its author) or send it back to draft."""
    budget = Budget.objects.select_for_update().get(pk=instance.pk)
    step = BUDGET_WORKFLOW.check(budget, budget.status, transition)
    extra: dict[str, Any] = {}
    if step.name == "approve":
        refuse_self_approval(
            actor,
            users=[budget.author_id],
            message=_(
                "You wrote budget %(ref)s, so you cannot approve it: the approver must be someone other "
                "than the author."
            )
            % {"ref": budget.reference},
        )
        extra = {"approved_by": _user(actor), "approved_on": timezone.localdate()}
    else:
        extra = {"approved_by": None, "approved_on": None}
    return core_services.record_transition(
        instance=budget,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )


# --- apportionment rules ----------------------------------------


def _check_shares(kind: str, shares: Any) -> None:
    if kind == ApportionmentRule.Kind.FIXED:
        errors = share_errors(shares)
        if errors:
            raise ValidationError({"shares": errors})


@transaction.atomic
def rule_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> ApportionmentRule:
    """A rule for sharing indirect costs; fixed shares must name each service once and total 100 %."""
    values = {**data, **(derived or {})}
    _check_shares(values.get("kind", ApportionmentRule.Kind.FIXED), values.get("shares", []))
    return core_services.record_create(
        model=ApportionmentRule, data=data, actor=actor, m2m=m2m, derived=derived
    )


@transaction.atomic
def rule_update(
    *, actor: Any, instance: ApportionmentRule, data: dict[str, Any], m2m: dict | None = None
) -> ApportionmentRule:
    _check_shares(data.get("kind", instance.kind), data.get("shares", instance.shares))
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


# --- cost items ----------------------------------------


def _fill_supplier(data: dict[str, Any], derived: dict[str, Any]) -> None:
    contract = data.get("contract") or derived.get("contract")
    if contract is not None and not (data.get("supplier") or derived.get("supplier")):
        derived["supplier"] = contract.supplier


@transaction.atomic
def cost_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> CostItem:
    """Record money spent; a contract given without its supplier brings the supplier along."""
    derived = dict(derived or {})
    _fill_supplier(data, derived)
    return core_services.record_create(model=CostItem, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def cost_update(*, actor: Any, instance: CostItem, data: dict[str, Any], m2m: dict | None = None) -> CostItem:
    derived: dict[str, Any] = {}
    _fill_supplier(data, derived)
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m, derived=derived)


# --- charging statements ----------------------------------------


def _statement_lines(customer_id: int, start: dt.date, end: dt.date) -> dict[str, Any]:
    lines = selectors.charges(customer_id, selectors.Period(start, end))
    return {"lines": lines, "total": lines_total(lines), "currency": currency()}


@transaction.atomic
def statement_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> ChargingStatement:
    """A draft statement for a customer and a period, its lines worked out from the charge rules of the
    services the customer receives."""
    values = {**data, **(derived or {})}
    customer, start, end = values.get("customer"), values.get("period_start"), values.get("period_end")
    derived = {"author": _user(actor), **(derived or {})}
    if customer is not None and start and end and end > start and start.year >= 2000 and end.year <= 2100:
        derived.update(_statement_lines(customer.pk, start, end))
    return core_services.record_create(
        model=ChargingStatement, data=data, actor=actor, m2m=m2m, derived=derived
    )


@transaction.atomic
def statement_update(
    *, actor: Any, instance: ChargingStatement, data: dict[str, Any], m2m: dict | None = None
) -> ChargingStatement:
    """Only the notes change; the lines follow from the charge rules (worked out again on approval)."""
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def statement_transition(
    *, actor: Any, instance: ChargingStatement, transition: str, note: str = "", data: dict | None = None
) -> ChargingStatement:
    """Approve a statement (someone other than its author; its lines are worked out again from the charge
    rules first), send it back to draft, or issue it to the customer."""
    statement = ChargingStatement.objects.select_for_update().get(pk=instance.pk)
    step = STATEMENT_WORKFLOW.check(statement, statement.status, transition)
    extra: dict[str, Any] = {}
    if step.name == "approve":
        refuse_self_approval(
            actor,
            users=[statement.author_id],
            message=_(
                "You prepared statement %(ref)s, so you cannot approve it: the approver must be someone "
                "other than the author."
            )
            % {"ref": statement.reference},
        )
        extra = {
            "approved_by": _user(actor),
            **_statement_lines(statement.customer_id, statement.period_start, statement.period_end),
        }
    elif step.name == "revise":
        extra = {"approved_by": None}
    elif step.name == "issue":
        extra = {"issued_on": timezone.localdate()}
    return core_services.record_transition(
        instance=statement,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )
