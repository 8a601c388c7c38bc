"""What availability and continuity contribute elsewhere (registered in apps.ready): the tile on the
assurance home page, the availability of a service on its page, the continuity plans on a change's page,
the "availability" section of service reports, the management-review input, the SLA measure "availability"
(so the agreements' performance job, and the "availability" indicator that reads it, use this measurement)
and the reaction to an implemented change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from servitium.core import charts, permissions
from servitium.core.hooks import register_reaction
from servitium.core.panels import LIST, register_panel
from servitium.core.reportsections import ReportScope, register_report_section
from servitium.core.reviewinputs import register_review_input

from . import selectors, services
from .models import ContinuityPlan, Outage, PlanStatus

CHANGE_RECORD_TYPE = "changes.change"
CHANGE_IMPLEMENTED = "completed"


def _can_see(user: Any) -> bool:
    return permissions.has_permission(user, permissions.VIEW, Outage)


def assurance_tile(obj: Any, user: Any) -> dict[str, Any] | None:
    """Last month's availability against target and the continuity plans due for a test or a review."""
    if not _can_see(user):
        return None
    today = dt.date.today()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    ids = list(selectors.visible_services(user).values_list("pk", flat=True))
    figures = selectors.measure(ids, last_month, today.replace(day=1)) if ids else []
    measured = [f for f in figures if f.target is not None]
    due = selectors.plans_due()
    return {
        "month": last_month,
        "measured": len(measured),
        "missed": [f for f in measured if f.met is False],
        "test_due": len(due["test"]),
        "review_due": len(due["review"]),
        "plans": permissions.restrict(
            ContinuityPlan.objects.filter(status=PlanStatus.APPROVED), user
        ).count(),
    }


def service_availability(obj: Any, user: Any) -> dict[str, Any] | None:
    """The service's availability over the last twelve months, on its page."""
    if obj is None or not _can_see(user):
        return None
    start, end = selectors.year_window()
    figures = selectors.measure([obj.pk], start, end)
    return {**chart_context(figures), "service": obj}


def chart_context(figures: list[selectors.MonthFigures]) -> dict[str, Any]:
    target = next((f.target for f in figures if f.target is not None), None)
    points = [
        charts.Point(
            f.month.strftime("%b %y"),
            None if f.availability is None else float(f.availability),
            colour=charts.BAD if f.met is False else charts.GOOD,
            note=f"{f.month:%Y-%m}: {f.availability}%",
        )
        for f in figures
    ]
    chart = charts.line(
        points,
        target=None if target is None else float(target),
        target_label=str(_("target")),
        title=str(_("Availability per month against the target")),
        unit="%",
        ceiling=100,
    )
    return {"figures": figures, "target": target, "chart": chart, "summary": selectors.summary(figures)}


def plans_of_change(obj: Any, user: Any) -> dict[str, Any] | None:
    """Continuity plans covering a service the change affects, and whether a review is asked for."""
    if obj is None or not permissions.has_permission(user, permissions.VIEW, ContinuityPlan):
        return None
    service_ids = list(obj.affected_services.values_list("pk", flat=True))
    if not service_ids:
        return None
    plans = list(
        permissions.restrict(
            ContinuityPlan.objects.filter(services__in=service_ids)
            .exclude(status=PlanStatus.RETIRED)
            .distinct(),
            user,
        ).order_by("reference")
    )
    return {"plans": plans} if plans else None


def report_section(scope: ReportScope) -> dict[str, Any] | None:
    """Per-service availability against target for the report's services and period."""
    from servitium.catalog.models import Service

    services_ = Service.objects.all()
    if scope.service_ids:
        services_ = services_.filter(pk__in=scope.service_ids)
    if scope.customer_id is not None:
        services_ = services_.filter(customers=scope.customer_id)
    ids = list(services_.values_list("pk", flat=True))
    if not ids:
        return None
    figures = selectors.measure(ids, scope.start, scope.end)
    by_service: dict[int, list] = {}
    for f in figures:
        by_service.setdefault(f.service_id, []).append(f)
    rows = []
    for months in by_service.values():
        total = selectors.summary(months)
        rows.append({"service": months[0].service, "target": months[0].target, "months": months, **total})
    rows.sort(key=lambda r: r["service"])
    bars = charts.bars(
        [
            charts.Bar(
                r["service"],
                None if r["availability"] is None else float(r["availability"]),
                text=f"{r['availability']}%" if r["availability"] is not None else "—",
                colour=charts.BAD if r["missed"] else charts.GOOD,
            )
            for r in rows
        ],
        maximum=100,
        title=str(_("Availability per service")),
    )
    return {"rows": rows, "chart": bars, "start": scope.start, "end": scope.end}


def review_input(start: dt.date, end: dt.date, user: Any) -> dict[str, Any] | None:
    """For the management review: services that missed their availability target in the period, and the
    continuity plans' tests and reviews due."""
    if not _can_see(user):
        return None
    ids = list(selectors.visible_services(user).values_list("pk", flat=True))
    figures = selectors.measure(ids, start, end) if ids else []
    missed = [f for f in figures if f.met is False]
    due = selectors.plans_due()
    return {"measured": sum(1 for f in figures if f.met is not None), "missed": missed, "due": due}


def availability_measure(target: Any, period_start: dt.datetime, period_end: dt.datetime):
    """The SLA measure "availability": the service's availability over the period's months, on the
    agreement's calendar."""
    from servitium.agreements.measures import Measurement

    agreement = target.agreement
    basis = selectors.bases([agreement.service_id])[agreement.service_id]
    if agreement.calendar_id:
        basis = selectors.Basis(
            agreement.calendar.name, agreement.calendar.spec(), target.target_value, basis.allowance_seconds
        )
    figures = selectors.measure(
        [agreement.service_id],
        period_start.date(),
        max(period_end.date(), period_start.date() + dt.timedelta(days=1)),
        basis_override={agreement.service_id: basis},
    )
    total = selectors.summary(figures)
    if total["availability"] is None:
        return None
    return Measurement(
        Decimal(total["availability"]),
        samples=len(figures),
        note=f"{total['failures']} unplanned outages, {total['unplanned_minutes']} min in service hours",
    )


def register() -> None:
    from servitium.agreements.measures import register_measure

    register_panel("assurance.home", "availability/_assurance_tile.html", assurance_tile, page=LIST, order=20)
    register_panel(
        "catalog.service", "availability/_service_availability.html", service_availability, order=55
    )
    register_panel(CHANGE_RECORD_TYPE, "availability/_change_plans.html", plans_of_change, order=65)
    register_report_section(
        "availability",
        _("Availability"),
        report_section,
        items=("availability",),
        template="availability/_report_section.html",
        order=40,
    )
    register_review_input(
        "availability",
        _("Availability and continuity"),
        review_input,
        topics=("service_performance",),
        template="availability/_review_input.html",
        order=45,
    )
    register_measure("availability")(availability_measure)
    register_reaction(CHANGE_RECORD_TYPE, CHANGE_IMPLEMENTED, services.change_asks_for_plan_review)
