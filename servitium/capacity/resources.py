"""What capacity plans, their lines, capacity metrics, measurements and demand records show, who may write
which field, and how their lists filter. All are the provider's own records (area `capacity`): capacity
managers and agents write them, top management and auditors read them, customers see none. A plan's status
changes only through its transitions; a metric's state, latest value and breach incident are worked out
from its measurements; none of them is input."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from servitium.core.declaration import Access, Resource

from .lifecycle import PLAN_WORKFLOW
from .models import CapacityMetric, CapacityPlan, CapacityPlanLine, Demand, Measurement

PLAN_WRITES = (
    "service",
    "title",
    "owner",
    "period_start",
    "period_end",
    "review_interval_days",
    "next_review",
    "current_demand",
    "forecast_demand",
    "demand_unit",
    "current_demand_figure",
    "forecast_demand_figure",
    "requirements_impact",
    "upgrades",
    "external_changes",
    "new_technology",
    "predictive_analysis",
    "change",
)


class CapacityPlanResource(Resource):
    model = CapacityPlan
    area = "capacity"
    status = "status"
    workflow = PLAN_WORKFLOW
    fields = (
        "reference",
        "service",
        "title",
        "owner",
        "period_start",
        "period_end",
        "status",
        "review_interval_days",
        "next_review",
        "last_reviewed",
        "current_demand",
        "forecast_demand",
        "demand_unit",
        "current_demand_figure",
        "forecast_demand_figure",
        "requirements_impact",
        "upgrades",
        "external_changes",
        "new_technology",
        "predictive_analysis",
        "author",
        "approved_by",
        "approved_at",
        "revision",
        "change",
        "lines",
    )
    computed = ("lines",)
    staff = Access(create=PLAN_WRITES, update=PLAN_WRITES[1:])
    filters = ("service", "status", "owner", "reference")
    extra_filters = {
        "review_before": django_filters.DateFilter(
            field_name="next_review", lookup_expr="lt", label=_("review before"), help_text=_("YYYY-MM-DD")
        ),
    }
    list_filters = ("status", "service", "owner")
    search = ("reference", "title", "service__name", "current_demand", "forecast_demand")
    orderings = ("reference", "title", "service", "period_start", "status", "next_review")
    ordering = ("service", "-period_start")
    columns = ("reference", "title", "service", "period_start", "period_end", "status", "next_review")


LINE_WRITES = (
    "plan",
    "resource_type",
    "item",
    "current_capacity",
    "forecast_need",
    "unit",
    "action",
    "needed_by",
    "cost",
    "budget",
)


class CapacityPlanLineResource(Resource):
    model = CapacityPlanLine
    area = "capacity"
    fields = (*LINE_WRITES, "gap")
    computed = ("gap",)
    staff = Access(create=LINE_WRITES, update=LINE_WRITES[1:])
    filters = ("plan", "resource_type", "budget")
    list_filters = ("resource_type",)
    search = ("item", "action", "plan__reference", "plan__title")
    orderings = ("plan", "resource_type", "item", "needed_by")
    ordering = ("plan", "resource_type", "id")
    columns = ("plan", "resource_type", "item", "current_capacity", "forecast_need", "unit")


METRIC_WRITES = (
    "service",
    "ci",
    "name",
    "unit",
    "direction",
    "warning_threshold",
    "critical_threshold",
    "forecast_window",
)


class CapacityMetricResource(Resource):
    model = CapacityMetric
    area = "capacity"
    fields = (
        *METRIC_WRITES,
        "state",
        "last_value",
        "last_measured_at",
        "forecast_breach_at",
        "breach_incident",
    )
    staff = Access(create=METRIC_WRITES)
    filters = ("service", "ci", "state", "direction")
    list_filters = ("state", "service", "direction")
    search = ("name", "unit", "service__name", "ci__name")
    extra_filters = {
        "breach_before": django_filters.IsoDateTimeFilter(
            field_name="forecast_breach_at",
            lookup_expr="lt",
            label=_("forecast to breach before"),
            help_text=_("ISO 8601"),
        ),
    }
    orderings = ("name", "service", "state", "last_measured_at", "forecast_breach_at")
    ordering = ("name", "id")
    columns = ("name", "service", "ci", "state", "last_value", "critical_threshold", "forecast_breach_at")


class MeasurementResource(Resource):
    model = Measurement
    area = "capacity"
    fields = ("metric", "measured_at", "value")
    staff = Access(create=fields, update=("value",))
    filters = ("metric",)
    extra_filters = {
        "measured_after": django_filters.IsoDateTimeFilter(
            field_name="measured_at", lookup_expr="gte", label=_("measured from"), help_text=_("ISO 8601")
        ),
        "measured_before": django_filters.IsoDateTimeFilter(
            field_name="measured_at", lookup_expr="lt", label=_("measured before"), help_text=_("ISO 8601")
        ),
    }
    list_filters = ("metric",)
    search = ("metric__name",)
    orderings = ("measured_at", "metric", "value")
    ordering = ("-measured_at", "-id")
    columns = ("metric", "measured_at", "value")


DEMAND_WRITES = (
    "customer",
    "service",
    "period_start",
    "period_end",
    "measure",
    "measured",
    "forecast",
    "notes",
)


class DemandResource(Resource):
    model = Demand
    area = "capacity"
    fields = (*DEMAND_WRITES, "source")
    staff = Access(create=DEMAND_WRITES)
    filters = ("customer", "service", "source", "period_start")
    extra_filters = {
        "period_from": django_filters.DateFilter(
            field_name="period_start", lookup_expr="gte", label=_("period from"), help_text=_("YYYY-MM-DD")
        ),
    }
    list_filters = ("customer", "service", "source")
    search = ("measure", "notes", "customer__name", "service__name")
    orderings = ("period_start", "customer", "service", "measure", "measured", "forecast")
    ordering = ("-period_start", "customer", "service", "measure")
    columns = ("customer", "service", "period_start", "period_end", "measure", "measured", "forecast")
