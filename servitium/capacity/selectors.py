"""Reads of capacity and demand management: each metric's recent readings, its trend and the day its
critical threshold would be crossed, the monthly chart of a metric against its thresholds and forecast, the
plan of a service, and the figures of the assurance tile, the service report section and the management
review input. Every queryset that reaches a user goes through the permission path."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import charts, permissions

from . import forecast
from .models import CapacityMetric, CapacityPlan, Demand, Measurement, ResourceType

FORECAST_HORIZON_DAYS = 60  # a crossing forecast within this many days is an early warning
CHART_MONTHS = 12
FORECAST_MONTHS = 3


@dataclass(frozen=True)
class MetricForecast:
    metric: CapacityMetric
    slope_per_day: float | None
    crossing_at: dt.datetime | None  # when the trend reaches the critical threshold (None: it does not)
    readings: int

    @property
    def days_left(self) -> int | None:
        if self.crossing_at is None:
            return None
        return max(0, (self.crossing_at - timezone.now()).days)

    @property
    def soon(self) -> bool:
        return self.days_left is not None and self.days_left <= FORECAST_HORIZON_DAYS

    def as_dict(self) -> dict[str, Any]:
        return {
            "slope_per_day": None if self.slope_per_day is None else round(self.slope_per_day, 6),
            "crossing_at": self.crossing_at,
            "days_left": self.days_left,
            "readings": self.readings,
        }


def readings(metric: CapacityMetric, count: int | None = None) -> list[tuple[dt.datetime, float]]:
    """The latest `count` (default: the metric's forecast window) readings, oldest first."""
    count = count or metric.forecast_window
    rows = list(
        Measurement.objects.filter(metric=metric)
        .order_by("-measured_at")
        .values_list("measured_at", "value")[:count]
    )
    return [(when, float(value)) for when, value in reversed(rows)]


def metric_forecast(
    metric: CapacityMetric, found: list[tuple[dt.datetime, float]] | None = None
) -> MetricForecast:
    """The least-squares trend of the metric's latest readings (`found`, when the caller has read them
    already) and when it reaches the critical threshold."""
    found = readings(metric) if found is None else found
    line = forecast.trend(found)
    crossing = (
        forecast.crossing(
            found,
            float(metric.critical_threshold),
            higher_is_worse=metric.direction == CapacityMetric.Direction.HIGHER_IS_WORSE,
        )
        if line is not None
        else None
    )
    return MetricForecast(metric, line.slope if line else None, crossing, len(found))


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def metric_chart(metric: CapacityMetric, *, today: dt.date | None = None) -> dict[str, Any]:
    """The worst reading of each of the last twelve months (coloured by the state it puts the metric in),
    then the trend's value for the next three months (grey), against the warning and critical thresholds
    (dashed amber and red)."""
    today = today or timezone.localdate()
    first = _add_months(_month_start(today), -(CHART_MONTHS - 1))
    since = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    higher = metric.direction == CapacityMetric.Direction.HIGHER_IS_WORSE
    worst: dict[dt.date, Decimal] = {}
    for when, value in Measurement.objects.filter(metric=metric, measured_at__gte=since).values_list(
        "measured_at", "value"
    ):
        month = _month_start(timezone.localdate(when))
        known = worst.get(month)
        if known is None or (value > known if higher else value < known):
            worst[month] = value
    colours = {
        CapacityMetric.State.OK: charts.GOOD,
        CapacityMetric.State.WARNING: charts.WARN,
        CapacityMetric.State.CRITICAL: charts.BAD,
    }
    points = []
    for i in range(CHART_MONTHS):
        month = _add_months(first, i)
        value = worst.get(month)
        points.append(
            charts.Point(
                month.strftime("%b"),
                None if value is None else float(value),
                colours[metric.state_of(value)] if value is not None else charts.GREY,
            )
        )
    latest = readings(metric)
    predicted = metric_forecast(metric, latest)
    line = forecast.trend(latest)
    if line is not None:
        for i in range(1, FORECAST_MONTHS + 1):
            month = _add_months(_month_start(today), i)
            middle = timezone.make_aware(dt.datetime.combine(month + dt.timedelta(days=14), dt.time(12)))
            value = line.value_at(middle)
            points.append(
                charts.Point(
                    month.strftime("%b"),
                    round(value, 2),
                    charts.GREY,
                    note=_("%(month)s forecast: %(value)s")
                    % {"month": month.strftime("%b %Y"), "value": f"{value:.1f}"},
                )
            )
    unit = f" {metric.unit}" if metric.unit else ""
    svg = charts.line(
        points,
        target=float(metric.critical_threshold),
        target_label=_("critical threshold %(t)s%(u)s") % {"t": _num(metric.critical_threshold), "u": unit},
        warning=float(metric.warning_threshold),
        warning_label=_("warning threshold %(t)s%(u)s") % {"t": _num(metric.warning_threshold), "u": unit},
        title=_("%(metric)s: worst reading per month and forecast") % {"metric": metric.name},
        unit=unit,
        css_class="trend-chart capacity-chart",
    )
    return {"metric": metric, "svg": svg, "forecast": predicted}


def _num(value: Any) -> str:
    return "—" if value is None else format(Decimal(value).normalize(), "f")


def plan_lines_by_type(plan: CapacityPlan, user: Any) -> list[dict[str, Any]]:
    """The plan's lines grouped under the four resource types (in the order of TR 20000-17), empty types
    included so a missing one shows."""
    lines = list(permissions.restrict(plan.lines.select_related("budget"), user))
    return [
        {"type": value, "label": label, "lines": [ln for ln in lines if ln.resource_type == value]}
        for value, label in ResourceType.choices
    ]


def service_metrics(service: Any, user: Any):
    return permissions.restrict(
        CapacityMetric.objects.filter(Q(service=service) | Q(ci__service=service)).select_related(
            "service", "ci"
        ),
        user,
    ).order_by("name", "id")


def live_services_without_plan(user: Any = None, *, today: dt.date | None = None):
    """Live services with no approved plan whose period covers today."""
    from servitium.catalog.models import Service

    today = today or timezone.localdate()
    covered = CapacityPlan.objects.filter(
        status=CapacityPlan.Status.APPROVED, period_start__lte=today, period_end__gte=today
    ).values("service_id")
    services = Service.objects.filter(status="live").exclude(pk__in=covered)
    return permissions.restrict(services, user) if user is not None else services


def breach_soon(metrics, *, days: int = FORECAST_HORIZON_DAYS):
    """Metrics whose trend reaches the critical threshold within `days` (those already beyond it included)."""
    return metrics.filter(forecast_breach_at__lte=timezone.now() + dt.timedelta(days=days)).order_by(
        "forecast_breach_at"
    )


def tile(user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    metrics = permissions.restrict(CapacityMetric.objects.all(), user)
    states = dict(metrics.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    soon = list(breach_soon(metrics).select_related("service", "ci")[:10])
    plans = permissions.restrict(CapacityPlan.objects.all(), user)
    return {
        "metrics": sum(states.values()),
        "critical": states.get(CapacityMetric.State.CRITICAL, 0),
        "warning": states.get(CapacityMetric.State.WARNING, 0),
        "soon": soon,
        "horizon": FORECAST_HORIZON_DAYS,
        "plans": plans.filter(status=CapacityPlan.Status.APPROVED).count(),
        "reviews_due": plans.filter(next_review__lt=today).count(),
        "without_plan": list(live_services_without_plan(user, today=today).order_by("name")[:10]),
    }


def report_figures(
    customer_id: int | None, service_ids: tuple[int, ...], start: dt.date, end: dt.date
) -> dict[str, Any] | None:
    """What a service report says about capacity: per service in scope, its metrics with their state and
    forecast and chart, the plan in force, and the customer's demand recorded in the period."""
    from servitium.catalog.models import Service

    services = Service.objects.all()
    if service_ids:
        services = services.filter(pk__in=service_ids)
    elif customer_id is not None:
        services = services.filter(customers=customer_id)
    services = list(services.order_by("name"))
    if not services:
        return None
    ids = {s.pk for s in services}
    # All services' metrics and plans in two queries (a customer's report names a dozen services).
    metrics: dict[int, list[CapacityMetric]] = {pk: [] for pk in ids}
    for metric in (
        CapacityMetric.objects.filter(Q(service__in=ids) | Q(ci__service__in=ids))
        .select_related("service", "ci")
        .order_by("name", "id")
    ):
        for pk in {metric.service_id, metric.ci.service_id if metric.ci_id else None} & ids:
            metrics[pk].append(metric)
    plans: dict[int, CapacityPlan] = {}
    for plan in CapacityPlan.objects.filter(
        service__in=ids, status=CapacityPlan.Status.APPROVED, period_start__lt=end
    ).order_by("service_id", "-period_start"):
        plans.setdefault(plan.service_id, plan)
    rows = []
    for service in services:
        plan = plans.get(service.pk)
        if not metrics[service.pk] and plan is None:
            continue
        rows.append(
            {
                "service": service,
                "plan": plan,
                "metrics": [metric_chart(m, today=end - dt.timedelta(days=1)) for m in metrics[service.pk]],
            }
        )
    demand = Demand.objects.filter(period_start__gte=start, period_start__lt=end, service__in=services)
    if customer_id is not None:
        demand = demand.filter(customer_id=customer_id)
    demand = list(
        demand.select_related("customer", "service").order_by("service__name", "customer__name", "measure")
    )
    if not rows and not demand:
        return None
    return {"services": rows, "demand": demand, "start": start, "end": end}


def review_figures(start: dt.date, end: dt.date, user: Any) -> dict[str, Any]:
    """The management review's view of the adequacy of resources: plans in force and due for review, live
    services without a plan, metrics in breach or forecast to breach, and the plan lines with a gap."""
    today = timezone.localdate()
    plans = permissions.restrict(CapacityPlan.objects.select_related("service"), user)
    metrics = permissions.restrict(CapacityMetric.objects.select_related("service", "ci"), user)
    from .models import CapacityPlanLine

    lines = permissions.restrict(
        CapacityPlanLine.objects.filter(plan__status=CapacityPlan.Status.APPROVED).select_related(
            "plan__service"
        ),
        user,
    )
    gaps = [ln for ln in lines if ln.gap is not None and ln.gap > 0]
    return {
        "approved": plans.filter(status=CapacityPlan.Status.APPROVED).count(),
        "reviews_due": list(plans.filter(next_review__lt=today).order_by("next_review")[:20]),
        "without_plan": list(live_services_without_plan(user, today=today).order_by("name")),
        "breached": [m for m in metrics if m.state == CapacityMetric.State.CRITICAL],
        "soon": list(breach_soon(metrics)),
        "gaps": gaps[:30],
        "gap_types": sorted({ln.get_resource_type_display() for ln in gaps}),
        "start": start,
        "end": end,
    }
