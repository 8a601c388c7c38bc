"""Capacity and demand kept as the checks expect, for tests of other areas (the well-run provider)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from servitium.capacity import services
from servitium.catalog.models import Service


def well_kept_capacity() -> None:
    """Every live service: an approved plan in force covering the four kinds of resource, a metric
    measured today within its thresholds, and each customer's demand of last month with a forecast."""
    from tests.capacity.conftest import full_plan, metric, readings

    today = timezone.localdate()
    for service in Service.objects.filter(status="live"):
        full_plan(service)
        readings(metric(service, name=f"{service.name} load"), [40, 42, 41])
        for customer in service.customers.filter(kind__in=("customer", "internal")):
            services.demand_create(
                actor=None,
                data={
                    "customer": customer,
                    "service": service,
                    "period_start": today - dt.timedelta(days=40),
                    "period_end": today - dt.timedelta(days=10),
                    "measure": "users",
                    "measured": Decimal("100"),
                    "forecast": Decimal("110"),
                },
            )
