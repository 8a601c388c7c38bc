"""UI of capacity and demand management: the plans (the plan page shows its resource lines by type, the
charts of the service's metrics against their thresholds and forecast, and the customers' demand), plan
lines, metrics (with their chart), measurements and demand records. Columns, filters, fields and forms come
from resources.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import views as generic
from servitium.core.errors import ApplicationError
from servitium.core.panels import panels

from . import selectors, services
from .lifecycle import PLAN_WORKFLOW
from .models import CapacityMetric, CapacityPlan, CapacityPlanLine, Demand, Measurement
from .panels import FINANCIAL_SLOT


class PlanList(generic.RecordListView):
    model = CapacityPlan

    def base_queryset(self):
        return CapacityPlan.objects.select_related("service", "owner")


class PlanDetail(generic.RecordDetailView):
    model = CapacityPlan
    template_name = "capacity/capacityplan_detail.html"
    transition_service = staticmethod(services.plan_transition)

    def base_queryset(self):
        return CapacityPlan.objects.select_related("service", "owner", "author", "approved_by")

    def context(self, obj):
        context = super().context(obj)
        user = self.request.user
        demand = permissions.restrict(
            Demand.objects.filter(service=obj.service).select_related("customer"), user
        ).order_by("-period_start", "customer__name", "measure")[:24]
        blocked = []
        if context["can_change"]:
            for step in PLAN_WORKFLOW.from_state(obj.status):
                reason = step.guard(obj) if step.guard else None
                if reason:
                    blocked.append((str(step.label), reason))
        context.update(
            {
                "groups": selectors.plan_lines_by_type(obj, user),
                "charts": [selectors.metric_chart(m) for m in selectors.service_metrics(obj.service, user)],
                "demand": demand,
                "financial_panels": panels(FINANCIAL_SLOT, obj, user),
                "can_add_line": context["can_change"]
                and permissions.has_permission(user, permissions.ADD, CapacityPlanLine),
                "blocked": blocked,
            }
        )
        return context

    def post(self, request, pk):
        if request.POST.get("action") != "review":
            return super().post(request, pk)
        obj = self.get_object(pk)
        if not permissions.can(request.user, permissions.CHANGE, obj):
            raise PermissionDenied(_("You may not do this."))
        try:
            services.plan_review(actor=request.user, instance=obj, note=request.POST.get("note", "")[:5000])
            messages.success(request, _("Review recorded."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect(obj.get_absolute_url())


class PlanForm(generic.RecordFormView):
    model = CapacityPlan
    create_service = staticmethod(services.plan_create)
    update_service = staticmethod(services.plan_update)


class LineList(generic.RecordListView):
    model = CapacityPlanLine

    def base_queryset(self):
        return CapacityPlanLine.objects.select_related("plan", "budget")


class LineDetail(generic.RecordDetailView):
    model = CapacityPlanLine

    def base_queryset(self):
        return CapacityPlanLine.objects.select_related("plan", "budget")


class LineForm(generic.RecordFormView):
    model = CapacityPlanLine
    create_service = staticmethod(services.line_create)
    update_service = staticmethod(services.line_update)


class MetricList(generic.RecordListView):
    model = CapacityMetric

    def base_queryset(self):
        return CapacityMetric.objects.select_related("service", "ci", "breach_incident")


class MetricDetail(generic.RecordDetailView):
    model = CapacityMetric
    template_name = "capacity/capacitymetric_detail.html"

    def base_queryset(self):
        return CapacityMetric.objects.select_related("service", "ci", "breach_incident")

    def context(self, obj):
        context = super().context(obj)
        context.update(
            {
                "chart": selectors.metric_chart(obj),
                "recent": permissions.restrict(obj.measurements.all(), self.request.user)[:20],
            }
        )
        return context


class MetricForm(generic.RecordFormView):
    model = CapacityMetric
    create_service = staticmethod(services.metric_create)
    update_service = staticmethod(services.metric_update)


class MeasurementList(generic.RecordListView):
    model = Measurement

    def base_queryset(self):
        return Measurement.objects.select_related("metric")


class MeasurementDetail(generic.RecordDetailView):
    model = Measurement

    def base_queryset(self):
        return Measurement.objects.select_related("metric")


class MeasurementForm(generic.RecordFormView):
    model = Measurement
    create_service = staticmethod(services.measurement_create)
    update_service = staticmethod(services.measurement_update)


class DemandList(generic.RecordListView):
    model = Demand

    def base_queryset(self):
        return Demand.objects.select_related("customer", "service")


class DemandDetail(generic.RecordDetailView):
    model = Demand

    def base_queryset(self):
        return Demand.objects.select_related("customer", "service")


class DemandForm(generic.RecordFormView):
    model = Demand
    create_service = staticmethod(services.demand_create)
    update_service = staticmethod(services.demand_update)
