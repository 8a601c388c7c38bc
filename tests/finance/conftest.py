"""Fixtures of the finance tests: finance staff, three services with customers, and builders for budgets,
rules, cost items and charge rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from servitium.core import services as core_services
from servitium.finance import services
from servitium.finance.models import ApportionmentRule, ChargeRule
from tests import factories


@pytest.fixture
def fin(ctx):
    org_c = factories.organization("Suite Customer C", "customer")
    return SimpleNamespace(
        manager=factories.user("fin_m", ctx.provider, ["finance-manager"]),
        agent=factories.user("fin_a", ctx.provider, ["finance-agent"]),
        second=factories.user("fin_m2", ctx.provider, ["finance-manager"]),
        org_c=org_c,
        mail=factories.service("Hosted Mail", customers=[ctx.org_a, ctx.org_b, org_c]),
        web=factories.service("Web Hosting", customers=[ctx.org_a]),
        backup=factories.service("Backup", customers=[]),
    )


def budget(service, year=2026, month=None, lines=None, *, approved=False, actor=None):
    lines = lines if lines is not None else [{"category": "personnel", "amount": "1200.00"}]
    found = services.budget_create(
        actor=actor, data={"service": service, "year": year, "month": month, "lines": lines}
    )
    if approved:
        found = services.budget_transition(actor=None, instance=found, transition="approve")
    return found


def rule(name="Shared platform", kind="fixed", *, shares=None, services_=()):
    return services.rule_create(
        actor=None,
        data={"name": name, "kind": kind, "shares": shares or []},
        m2m={"services": list(services_)} if services_ else None,
    )


def cost(amount, *, service=None, rule_=None, date=dt.date(2026, 3, 10), category="personnel", **extra):
    return services.cost_create(
        actor=None,
        data={
            "date": date,
            "description": extra.pop("description", "Engineers"),
            "amount": Decimal(str(amount)),
            "category": category,
            "allocation": "indirect" if rule_ is not None else "direct",
            "service": service,
            "rule": rule_,
            **extra,
        },
    )


def charge(service, price, description="Mailbox bundle", **extra):
    return core_services.record_create(
        model=ChargeRule,
        data={"service": service, "description": description, "monthly_price": Decimal(str(price)), **extra},
        actor=None,
    )


__all__ = ["ApportionmentRule", "budget", "charge", "cost", "rule"]
