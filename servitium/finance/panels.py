"""What budgeting and accounting contributes to other pages: the tile on the assurance home page, the
management review input (adequacy of resources), the cost section of service reports, and the cost of a
change, of a service request and the financial resources of a service on those records' pages (registered in
apps.ready)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servitium.core import charts, permissions
from servitium.core.panels import LIST, register_panel
from servitium.core.reportsections import ReportScope, register_report_section
from servitium.core.reviewinputs import register_review_input

from . import selectors
from .models import Budget, ChargingStatement, CostItem, currency


def assurance_tile(obj: Any, user: Any) -> dict[str, Any] | None:
    """This year's budget against actual: services over budget, services without an approved budget,
    statements waiting for approval."""
    if not permissions.has_permission(user, permissions.VIEW, Budget):
        return None
    year = timezone.localdate().year
    rows = selectors.budget_vs_actual(selectors.Period.year(year), user)
    waiting = permissions.restrict(ChargingStatement.objects.filter(status="draft"), user).count()
    return {
        "year": year,
        "currency": currency(),
        "budget": sum((r.budget or Decimal(0) for r in rows), Decimal("0.00")),
        "actual": sum((r.actual for r in rows), Decimal("0.00")),
        "overspent": [r for r in rows if r.overspent],
        "unbudgeted": [r for r in rows if r.budget is None],
        "statements_waiting": waiting,
    }


def review_input(start: dt.date, end: dt.date, user: Any) -> dict[str, Any] | None:
    if not permissions.has_permission(user, permissions.VIEW, Budget):
        return None
    return selectors.review_figures(start, end, user)


def cost_for_report(scope: ReportScope) -> dict[str, Any] | None:
    """Cost per service in the report's period. An internal report (no customer) shows each service's
    whole cost against its budget; a customer's report shows that customer's share of each service's
    cost (its part of direct and apportioned costs), and what it was charged."""
    from servitium.catalog.models import Service

    period = selectors.Period(scope.start, scope.end)
    services = Service.objects.all()
    if scope.service_ids:
        services = services.filter(pk__in=scope.service_ids)
    if scope.customer_id is not None:
        services = services.filter(customers=scope.customer_id)
    names = dict(services.values_list("pk", "name"))
    if not names:
        return None
    if scope.customer_id is None:
        rows = [
            {"service": r.service, "budget": r.budget, "cost": r.actual, "overspent": r.overspent}
            for r in selectors.budget_vs_actual(period, service_ids=list(names))
        ]
        charged = None
    else:
        shares = selectors.customer_costs(period, scope.customer_id, service_ids=list(names))
        rows = [
            {"service": names[pk], "budget": None, "cost": shares[pk], "overspent": False}
            for pk in sorted(shares, key=lambda pk: names[pk])
        ]
        charged = sum(
            (
                s.total
                for s in ChargingStatement.objects.filter(
                    customer=scope.customer_id,
                    status="issued",
                    period_start__gte=scope.start,
                    period_end__lte=scope.end,
                )
            ),
            Decimal("0.00"),
        )
    if not rows:
        return None
    chart = charts.bars(
        [
            charts.Bar(
                r["service"],
                float(r["cost"]),
                f"{r['cost']}",
                charts.BAD if r["overspent"] else charts.NEUTRAL,
            )
            for r in rows
        ],
        title=str(_("Cost per service")),
    )
    return {
        "rows": rows,
        "chart": chart,
        "currency": currency(),
        "total": sum((r["cost"] for r in rows), Decimal("0.00")),
        "charged": charged,
        "customer": scope.customer_id,
    }


def cost_of_change(obj: Any, user: Any) -> dict[str, Any] | None:
    if obj is None or not permissions.has_permission(user, permissions.VIEW, CostItem):
        return None
    items = list(permissions.restrict(CostItem.objects.filter(change=obj), user)[:20])
    if not items:
        return None
    return {
        "items": items,
        "total": selectors.cost_of_change(obj),
        "currency": currency(),
        "what": _("change"),
    }


def cost_of_request(obj: Any, user: Any) -> dict[str, Any] | None:
    if obj is None or getattr(obj, "kind", "") != "request":
        return None
    if not permissions.has_permission(user, permissions.VIEW, CostItem):
        return None
    items = list(permissions.restrict(CostItem.objects.filter(request=obj), user)[:20])
    if not items:
        return None
    return {
        "items": items,
        "total": selectors.cost_of_request(obj),
        "currency": currency(),
        "what": _("request"),
    }


def service_finances(obj: Any, user: Any) -> dict[str, Any] | None:
    if obj is None or not permissions.has_permission(user, permissions.VIEW, Budget):
        return None
    found = selectors.financial_resources(obj, selectors.Period.year(timezone.localdate().year))
    if found["budget"] is None and not found["actual"]:
        return None
    return found


def register() -> None:
    register_panel("assurance.home", "finance/_assurance_tile.html", assurance_tile, page=LIST, order=40)
    register_panel("changes.change", "finance/_record_costs.html", cost_of_change, order=70)
    register_panel("incidents.incident", "finance/_record_costs.html", cost_of_request, order=70)
    register_panel("catalog.service", "finance/_service_finances.html", service_finances, order=70)
    register_review_input(
        "finance",
        _("Budgets and costs"),
        review_input,
        topics=("resources",),
        template="finance/_review_input.html",
        order=85,
    )
    register_report_section(
        "cost",
        _("Cost"),
        cost_for_report,
        items=("cost",),
        template="finance/_report_section.html",
        order=60,
    )
