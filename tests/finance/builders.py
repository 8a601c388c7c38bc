"""Books kept as the finance checks expect, for tests of other areas (the well-run provider)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from servitium.catalog.models import Service
from servitium.changes.models import Change
from servitium.finance import services
from servitium.finance.models import Budget, CostItem


def well_kept_finance() -> None:
    """An approved, ample budget for every live service this year; a direct cost of every kind on each
    (one of them capital); an indirect cost shared by fixed shares; a cost item on every change of the
    last year that states no cost."""
    today = timezone.localdate()
    day = today if today.day == 1 else today - dt.timedelta(days=1)
    live = list(Service.objects.filter(status=Service.Status.LIVE).order_by("pk"))
    if not live:
        return
    for service in live:
        if not Budget.objects.filter(service=service, year=today.year, month__isnull=True).exists():
            budget = services.budget_create(
                actor=None,
                data={
                    "service": service,
                    "year": today.year,
                    "lines": [{"category": "personnel", "amount": "10000000.00"}],
                },
            )
            services.budget_transition(actor=None, instance=budget, transition="approve")
        for category in ("assets", "licences", "external", "personnel", "facilities", "overheads"):
            services.cost_create(
                actor=None,
                data={
                    "date": day,
                    "description": f"Kept books: {category}",
                    "amount": Decimal("10.00"),
                    "category": category,
                    "expense": "capital" if category == "assets" else "operating",
                    "service": service,
                },
            )
    rule = services.rule_create(
        actor=None,
        data={
            "name": "Kept books: shared platform",
            "kind": "fixed",
            "shares": [{"service": live[0].pk, "percent": "100"}],
        },
    )
    services.cost_create(
        actor=None,
        data={
            "date": day,
            "description": "Kept books: shared platform",
            "amount": Decimal("10.00"),
            "category": "shared",
            "allocation": "indirect",
            "rule": rule,
        },
    )
    costed = CostItem.objects.filter(change__isnull=False).values("change")
    for change in Change.objects.filter(cost="").exclude(pk__in=costed):
        services.cost_create(
            actor=None,
            data={
                "date": day,
                "description": f"Kept books: {change.reference}",
                "amount": Decimal("10.00"),
                "category": "personnel",
                "service": live[0],
                "change": change,
            },
        )
