"""Demo data of capacity and demand: a year of daily readings of a capacity metric or two for every live
service, an approved capacity plan for each live service but one, with lines for the four kinds of
resource (the financial line pointing to the service's budget of the year), and a year of monthly demand
per customer and service, plus the service requests counted as demand for the last three months.

Deliberate findings (they show in `servitium assess` and on the assurance tile):
- "Object storage used" rises about 0.125 points a day and is forecast to reach its critical threshold
  (90%) in about seven weeks; it is at warning now (early warning, not yet a breach);
- Monitoring and Alerting, a live service, has no capacity plan -> capacity.live_services_planned
  (2018 8.4.3.a; 2011 6.5.s2);
- Dunmore City Council's demand for Backup and Restore is not recorded -> capacity.demand_determined
  (2018 8.4.2.s1; 2011 6.5.a);
- of two plans revised after approval, the first was revised under an approved change; the second shows a
  revision from before changes were named -> capacity.revisions_under_change (2011 6.5.s3).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from servitium.catalog.models import Service
from servitium.core import services as core_services
from servitium.parties.models import Person

from . import services
from .models import CapacityMetric, CapacityPlan, Demand, ResourceType

DAYS = 365
UNPLANNED = "Monitoring and Alerting"
NO_DEMAND = ("Dunmore City Council", "Backup and Restore")

# service, metric name, unit, direction, warning, critical, base, daily slope, noise, weekly swing
METRICS = [
    (
        "Data Centre Facilities",
        "Frankfurt hall power draw",
        "kW",
        "higher_is_worse",
        400,
        450,
        300,
        0.05,
        6,
        4,
    ),
    ("Network Connectivity", "WAN peak utilisation", "%", "higher_is_worse", 70, 90, 42, 0.02, 3, 6),
    ("Identity and Access", "Sign-ins at peak", "per s", "higher_is_worse", 800, 1000, 260, 0.15, 15, 40),
    ("Virtual Compute", "Cluster CPU use", "%", "higher_is_worse", 75, 90, 55, 0.01, 3, 5),
    ("Virtual Compute", "Memory committed", "%", "higher_is_worse", 80, 95, 66, 0.015, 2, 2),
    ("Block and Object Storage", "Object storage used", "%", "higher_is_worse", 75, 90, 38, 0.125, 0.6, 0),
    ("Managed PostgreSQL", "Connections in use", "%", "higher_is_worse", 70, 90, 40, 0.01, 4, 6),
    ("Backup and Restore", "Nightly backup window used", "%", "higher_is_worse", 80, 95, 58, 0.02, 3, 0),
    ("Hosted Email", "Mail queue depth", "messages", "higher_is_worse", 500, 2000, 120, 0.0, 25, 30),
    ("Kubernetes Platform", "Allocatable CPU requested", "%", "higher_is_worse", 75, 90, 50, 0.02, 3, 4),
    ("Web Application Hosting", "Free web worker slots", "slots", "lower_is_worse", 40, 15, 90, -0.02, 4, 6),
    ("Service Desk", "Agent occupancy", "%", "higher_is_worse", 80, 90, 66, 0.005, 3, 5),
    (
        "Monitoring and Alerting",
        "Metric ingestion",
        "k samples/s",
        "higher_is_worse",
        400,
        500,
        180,
        0.1,
        8,
        10,
    ),
]

# service -> demand measure, demand now, forecast at the end of the plan, and the plan's lines besides
# the financial one: (type, what, current capacity, forecast need, unit, action, days until needed, cost)
PLANS: dict[str, dict[str, Any]] = {
    "Data Centre Facilities": {
        "unit": "racks",
        "now": 180,
        "forecast": 196,
        "lines": [
            ("human", "Facility engineers on shift", 6, 6, "FTE", "", None, None),
            ("technical", "Frankfurt hall power capacity", 450, 420, "kW", "", None, None),
            ("information", "Rack and power inventory", 1, 1, "inventory", "", None, None),
        ],
    },
    "Network Connectivity": {
        "unit": "Gbit/s at peak",
        "now": 8.4,
        "forecast": 11,
        "lines": [
            ("human", "Network engineers", 3, 3, "FTE", "", None, None),
            ("technical", "WAN capacity Frankfurt-Dublin", 20, 20, "Gbit/s", "", None, None),
            ("information", "Flow data retained", 30, 30, "days", "", None, None),
        ],
    },
    "Identity and Access": {
        "unit": "active users",
        "now": 18500,
        "forecast": 23000,
        "lines": [
            ("human", "Identity engineers", 2, 2, "FTE", "", None, None),
            ("technical", "Directory nodes", 4, 5, "nodes", "Add a fifth node in Dublin.", 120, 9000),
            ("information", "Tenant configuration records", 4, 5, "tenants", "", None, None),
        ],
    },
    "Virtual Compute": {
        "unit": "VMs",
        "now": 1340,
        "forecast": 1520,
        "lines": [
            ("human", "Cloud operations engineers", 5, 6, "FTE", "Hire one engineer.", 150, 85000),
            ("technical", "Hypervisor hosts", 48, 54, "hosts", "Order six hosts for Frankfurt.", 90, 126000),
            ("information", "Capacity dashboards per cluster", 4, 4, "clusters", "", None, None),
        ],
    },
    "Block and Object Storage": {
        "unit": "TB stored",
        "now": 1680,
        "forecast": 2150,
        "lines": [
            ("human", "Storage engineers", 2, 2, "FTE", "", None, None),
            (
                "technical",
                "Object storage raw capacity",
                2000,
                2600,
                "TB",
                "Add two storage shelves.",
                45,
                96000,
            ),
            ("information", "Retention rules per tenant", 3, 3, "tenants", "", None, None),
        ],
    },
    "Managed PostgreSQL": {
        "unit": "database clusters",
        "now": 86,
        "forecast": 104,
        "lines": [
            ("human", "Database administrators", 2, 2.5, "FTE", "Share a DBA with Backup.", 180, 40000),
            (
                "technical",
                "Database host pool",
                24,
                28,
                "hosts",
                "Four hosts with the next order.",
                90,
                48000,
            ),
            ("information", "Runbooks for failover", 6, 6, "runbooks", "", None, None),
        ],
    },
    "Backup and Restore": {
        "unit": "TB protected",
        "now": 920,
        "forecast": 1100,
        "lines": [
            ("human", "Backup operators", 2, 2, "FTE", "", None, None),
            (
                "technical",
                "Backup target capacity",
                1400,
                1500,
                "TB",
                "Extend the target by 100 TB.",
                200,
                12000,
            ),
            ("information", "Restore test records", 12, 12, "per year", "", None, None),
        ],
    },
    "Hosted Email": {
        "unit": "mailboxes",
        "now": 5200,
        "forecast": 5600,
        "lines": [
            ("human", "Messaging engineers", 1, 1, "FTE", "", None, None),
            ("technical", "Mail store nodes", 6, 6, "nodes", "", None, None),
            ("information", "Spam filter rules", 1, 1, "rule set", "", None, None),
        ],
    },
    "Kubernetes Platform": {
        "unit": "clusters",
        "now": 34,
        "forecast": 45,
        "lines": [
            ("human", "Platform engineers", 2, 3, "FTE", "Train one cloud engineer (CKA).", 120, 6000),
            ("technical", "Worker node pool", 60, 72, "nodes", "Grow the pool by twelve nodes.", 100, 60000),
            ("information", "Cluster templates", 3, 3, "templates", "", None, None),
        ],
    },
    "Web Application Hosting": {
        "unit": "sites",
        "now": 210,
        "forecast": 240,
        "lines": [
            ("human", "Web operations engineers", 1, 1, "FTE", "", None, None),
            ("technical", "Web workers", 120, 140, "workers", "Add twenty workers.", 60, 8000),
            ("information", "Site configuration records", 210, 240, "sites", "", None, None),
        ],
    },
    "Service Desk": {
        "unit": "tickets a month",
        "now": 2100,
        "forecast": 2400,
        "lines": [
            ("human", "Service desk agents", 8, 9, "FTE", "Hire one agent before the Cedar peak.", 75, 52000),
            ("technical", "Telephony seats", 12, 12, "seats", "", None, None),
            (
                "information",
                "Knowledge articles",
                340,
                380,
                "articles",
                "Write articles for new services.",
                90,
                0,
            ),
        ],
    },
}

DEMAND_MEASURES = {
    "Identity and Access": ("active users", 2500),
    "Virtual Compute": ("VMs", 300),
    "Block and Object Storage": ("TB stored", 380),
    "Managed PostgreSQL": ("database clusters", 25),
    "Backup and Restore": ("TB protected", 200),
    "Hosted Email": ("mailboxes", 1300),
    "Kubernetes Platform": ("clusters", 8),
    "Web Application Hosting": ("sites", 50),
    "Service Desk": ("tickets", 500),
    "Monitoring and Alerting": ("monitored hosts", 150),
}

TEXTS = {
    "requirements_impact": "The SLA's availability target needs one spare unit (N+1) in each site; the "
    "continuity plan needs the Dublin site able to carry Frankfurt's critical load.",
    "upgrades": "Capacity is added when a metric reaches its warning threshold or when its trend reaches "
    "the critical threshold within 90 days; the lines give dates and costs.",
    "external_changes": "Customer contracts renewed this year add volume; the NIS2 rules may lengthen log "
    "retention.",
    "new_technology": "Denser hosts and tiered storage are assessed at each review.",
    "predictive_analysis": "Least-squares trend of the last 60 readings of each capacity metric (see the "
    "charts), and the customers' demand forecasts.",
}


def _month_start(day: dt.date, back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def _metrics(actor: Any, services_by_name: dict[str, Service]) -> None:
    now = timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
    for name, metric_name, unit, direction, warn, crit, base, slope, noise, swing in METRICS:
        service = services_by_name.get(name)
        if service is None:
            continue
        metric = CapacityMetric.objects.filter(service=service, name=metric_name).first()
        if metric is None:
            metric = services.metric_create(
                actor=actor,
                data={
                    "service": service,
                    "name": metric_name,
                    "unit": unit,
                    "direction": direction,
                    "warning_threshold": Decimal(warn),
                    "critical_threshold": Decimal(crit),
                },
            )
        if metric.measurements.exists():
            continue
        rng = random.Random(metric_name)
        rows = []
        for day in range(DAYS):
            when = now - dt.timedelta(days=DAYS - 1 - day)
            weekly = swing * math.sin(2 * math.pi * when.weekday() / 7)
            value = base + slope * day + weekly + rng.uniform(-noise, noise)
            rows.append({"metric": metric, "measured_at": when, "value": round(max(value, 0), 2)})
        services.measurements_record(actor=actor, rows=rows)


def _plans(actor: Any, services_by_name: dict[str, Service], today: dt.date) -> None:
    from servitium.competence.models import ResourceBudget

    owners = {p.name: p for p in Person.objects.filter(organization__kind="provider")}
    start = _month_start(today, 6)
    for name, spec in PLANS.items():
        service = services_by_name.get(name)
        if service is None or CapacityPlan.objects.filter(service=service).exists():
            continue
        customers = ", ".join(service.customers.order_by("name").values_list("name", flat=True)) or "internal"
        plan = services.plan_create(
            actor=actor,
            data={
                "service": service,
                "title": f"Capacity plan {service.name} {start.year}-{start.year + 1}",
                "owner": service.owner if service.owner_id else owners.get("Ewa Nowak"),
                "period_start": start,
                "period_end": _month_start(today, -6),
                "review_interval_days": 90,
                "current_demand": f"{spec['now']} {spec['unit']} for {customers}.",
                "forecast_demand": f"{spec['forecast']} {spec['unit']} by the end of the period, from "
                "the customers' forecasts and the trend of the last year.",
                "demand_unit": spec["unit"],
                "current_demand_figure": Decimal(str(spec["now"])),
                "forecast_demand_figure": Decimal(str(spec["forecast"])),
                **TEXTS,
            },
        )
        for kind, item, current, need, unit, action, days, cost in spec["lines"]:
            services.line_create(
                actor=actor,
                data={
                    "plan": plan,
                    "resource_type": kind,
                    "item": item,
                    "current_capacity": Decimal(str(current)),
                    "forecast_need": Decimal(str(need)),
                    "unit": unit,
                    "action": action,
                    "needed_by": today + dt.timedelta(days=days) if days else None,
                    "cost": Decimal(cost) if cost is not None else None,
                },
            )
        budget = ResourceBudget.objects.filter(service=service, year=today.year).first()
        if budget is not None:
            need = (budget.budget * Decimal("1.06")).quantize(Decimal("1"))
            services.line_create(
                actor=actor,
                data={
                    "plan": plan,
                    "resource_type": ResourceType.FINANCIAL,
                    "item": f"Operating budget {today.year}",
                    "current_capacity": budget.budget,
                    "forecast_need": need,
                    "unit": "EUR",
                    "action": "Ask for the increase in next year's budget round.",
                    "needed_by": dt.date(today.year + 1, 1, 1),
                    "cost": need - budget.budget,
                    "budget": budget,
                },
            )
        services.plan_transition(
            actor=None, instance=plan, transition="approve", note="Approved at the review"
        )


def _revisions(actor: Any) -> None:
    from servitium.changes.models import Change
    from servitium.changes.revisions import AUTHORISED

    plans = list(CapacityPlan.objects.filter(status=CapacityPlan.Status.APPROVED).order_by("service__name"))
    if len(plans) < 2 or CapacityPlan.objects.filter(revision__gt=0).exists():
        return
    authorised = Change.objects.filter(status__in=AUTHORISED).order_by("pk")
    rfc = authorised.filter(affected_services=plans[0].service).first() or authorised.first()
    if rfc is not None:
        plan = services.plan_transition(
            actor=actor, instance=plans[0], transition="revise", note="Storage growth"
        )
        plan = services.plan_update(actor=actor, instance=plan, data={"change": rfc})
        services.plan_transition(
            actor=None, instance=plan, transition="approve", note="Approved under the change"
        )
    # A revision recorded before revisions named their change (the deliberate gap).
    CapacityPlan.objects.filter(pk=plans[1].pk).update(revision=1)


def _demand(actor: Any, services_by_name: dict[str, Service], today: dt.date) -> None:
    if Demand.objects.filter(source=Demand.Source.MANUAL).exists():
        return
    rows = []
    for name, (measure, base) in DEMAND_MEASURES.items():
        service = services_by_name.get(name)
        if service is None:
            continue
        for customer in service.customers.order_by("name"):
            if (customer.name, name) == NO_DEMAND:
                continue
            rng = random.Random(f"{customer.name}/{name}")
            size = base * rng.uniform(0.5, 1.5)
            growth = rng.uniform(0.005, 0.03)
            for back in range(12, 0, -1):
                start = _month_start(today, back)
                measured = size * (1 + growth) ** (12 - back)
                rows.append(
                    Demand(
                        customer=customer,
                        service=service,
                        period_start=start,
                        period_end=_month_start(today, back - 1),
                        measure=measure,
                        measured=Decimal(round(measured)),
                        forecast=Decimal(round(measured * (1 + growth))),
                    )
                )
    core_services.record_bulk_create(model=Demand, instances=rows, actor=actor, with_changes=False)
    for back in (3, 2, 1):
        services.demand_from_requests(
            actor=actor, start=_month_start(today, back), end=_month_start(today, back - 1)
        )


@transaction.atomic
def load(*, actor: Any) -> None:
    """Create the demo records (idempotent)."""
    services_by_name = {s.name: s for s in Service.objects.filter(status="live")}
    if not services_by_name:
        return
    today = timezone.localdate()
    _metrics(actor, services_by_name)
    _plans(actor, services_by_name, today)
    _revisions(actor)
    _demand(actor, services_by_name, today)
