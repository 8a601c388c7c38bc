"""Fixtures of the capacity tests: capacity staff, a live service with a customer, and builders for plans,
lines, metrics and readings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from servitium.capacity import services
from servitium.capacity.models import ResourceType
from tests import factories


@pytest.fixture
def staff(ctx):
    return SimpleNamespace(
        manager=factories.user("capm", ctx.provider, ["capacity-manager"]),
        manager2=factories.user("capm2", ctx.provider, ["capacity-manager"]),
        agent=factories.user("capa", ctx.provider, ["capacity-agent"]),
        owner=factories.person("Carla Planner", ctx.provider),
        service=factories.service("Hosted Mail", customers=[ctx.org_a]),
    )


FULL_PLAN = {
    "current_demand": "1,200 mailboxes, peak on Monday mornings.",
    "forecast_demand": "1,500 mailboxes by year end after the Cedar roll-out.",
    "demand_unit": "mailboxes",
    "current_demand_figure": Decimal("1200"),
    "forecast_demand_figure": Decimal("1500"),
    "requirements_impact": "99.9% availability needs N+1 mail nodes in each site.",
    "upgrades": "Add a node at 75% CPU; each costs 4,000 a year.",
    "external_changes": "Mail retention law may double storage.",
    "new_technology": "Tiered object storage for archives.",
    "predictive_analysis": "Least-squares trend of the capacity metrics, reviewed monthly.",
}


def plan(service, *, actor=None, **data):
    today = timezone.localdate()
    values = {
        "service": service,
        "title": f"Capacity of {service.name}",
        "period_start": today - dt.timedelta(days=30),
        "period_end": today + dt.timedelta(days=335),
        **data,
    }
    return services.plan_create(actor=actor, data=values)


def line(plan_, resource_type=ResourceType.TECHNICAL, current="10", need="12", **data):
    values = {
        "plan": plan_,
        "resource_type": resource_type,
        "item": f"{resource_type} resource",
        "current_capacity": Decimal(current),
        "forecast_need": Decimal(need),
        "unit": "units",
        **data,
    }
    return services.line_create(actor=None, data=values)


def full_plan(service, *, approve=True):
    """An approved plan in force with a line of every kind; gaps have a dated, costed action."""
    made = plan(service, **FULL_PLAN)
    for kind in ResourceType.values:
        line(
            made,
            kind,
            action="Buy more",
            needed_by=timezone.localdate() + dt.timedelta(days=90),
            cost=Decimal("1000"),
        )
    if approve:
        made = services.plan_transition(actor=None, instance=made, transition="approve")
    return made


def metric(service=None, *, warning="70", critical="90", direction="higher_is_worse", **data):
    values = {
        "service": service,
        "name": data.pop("name", "CPU use"),
        "unit": "%",
        "direction": direction,
        "warning_threshold": Decimal(warning),
        "critical_threshold": Decimal(critical),
        **data,
    }
    return services.metric_create(actor=None, data=values)


def readings(metric_, values, *, days_apart=1.0, end=None):
    """Store readings `days_apart` apart, the last one at `end` (default: an hour ago)."""
    end = end or timezone.now() - dt.timedelta(hours=1)
    rows = [
        {
            "metric": metric_.pk,
            "measured_at": end - dt.timedelta(days=days_apart * (len(values) - 1 - i)),
            "value": value,
        }
        for i, value in enumerate(values)
    ]
    return services.measurements_record(actor=None, rows=rows)
