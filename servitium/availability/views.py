"""UI of availability and continuity: lists, pages and forms of every record type (columns, filters,
fields and forms come from resources.py), the availability of every service over the last twelve months
and a page per service with its months against the target, and the review forms of plans."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import views as generic
from servitium.core.errors import ApplicationError

from . import panels, selectors, services
from .models import (
    AvailabilityPlan,
    AvailabilityRequirement,
    ContinuityInvocation,
    ContinuityPlan,
    ContinuityRequirement,
    ContinuityTest,
    Outage,
)


def _reviewed(view, request, pk, review):
    obj = view.get_object(pk)
    if not permissions.can(request.user, permissions.CHANGE, obj):
        raise PermissionDenied(_("You may not do this."))
    try:
        review(actor=request.user, instance=obj, note=request.POST.get("note", ""))
        messages.success(request, _("Review recorded."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(obj.get_absolute_url())


# --- availability -------------------------------------------------------------------------------------


class ServiceAvailabilityList(generic.RecordMixin, generic.View):
    """Every service's availability over the last twelve months against its target; "derive outages now"
    runs the outage sync."""

    model = Outage

    def _allowed(self, request, action=permissions.VIEW) -> bool:
        return permissions.has_permission(request.user, action, Outage)

    def get(self, request):
        if not self._allowed(request):
            raise PermissionDenied(_("You may not see availability."))
        start, end = selectors.year_window()
        services_ = list(selectors.visible_services(request.user).order_by("name"))
        figures = selectors.measure([s.pk for s in services_], start, end) if services_ else []
        by_service: dict[int, list] = {}
        for f in figures:
            by_service.setdefault(f.service_id, []).append(f)
        rows = [
            {
                "service": s,
                "target": by_service[s.pk][0].target,
                "calendar": by_service[s.pk][0].calendar,
                **selectors.summary(by_service[s.pk]),
            }
            for s in services_
        ]
        return render(
            request,
            "availability/service_availability_list.html",
            {
                **self.base_context(),
                "rows": rows,
                "start": start,
                "end": end,
                "can_sync": self._allowed(request, permissions.ADD),
            },
        )

    def post(self, request):
        if not self._allowed(request, permissions.ADD):
            raise PermissionDenied(_("You may not do this."))
        result = services.outages_sync(actor=request.user)
        messages.success(
            request,
            _("Outages derived: %(c)d new, %(u)d updated.")
            % {"c": result["created"], "u": result["updated"]},
        )
        return redirect(reverse("availability:service_availability_list"))


class ServiceAvailabilityDetail(generic.RecordMixin, generic.View):
    """One service's months: service time, unplanned and planned downtime, availability against the
    target, MTBF and MTRS, with the chart; and its outages."""

    model = Outage

    def get(self, request, pk):
        if not permissions.has_permission(request.user, permissions.VIEW, Outage):
            raise PermissionDenied(_("You may not see availability."))
        service = selectors.visible_services(request.user).filter(pk=pk).first()
        if service is None:
            raise Http404(_("No such service."))
        start, end = selectors.year_window()
        figures = selectors.measure([service.pk], start, end)
        outages = permissions.restrict(
            Outage.objects.filter(service=service).select_related("incident", "change"), request.user
        )[:50]
        return render(
            request,
            "availability/service_availability_detail.html",
            {**self.base_context(), **panels.chart_context(figures), "service": service, "outages": outages},
        )


class RequirementList(generic.RecordListView):
    model = AvailabilityRequirement

    def base_queryset(self):
        return AvailabilityRequirement.objects.select_related("service", "calendar")


class RequirementDetail(generic.RecordDetailView):
    model = AvailabilityRequirement


class RequirementForm(generic.RecordFormView):
    model = AvailabilityRequirement


class OutageList(generic.RecordListView):
    model = Outage

    def base_queryset(self):
        return Outage.objects.select_related("service")


class OutageDetail(generic.RecordDetailView):
    model = Outage


class OutageForm(generic.RecordFormView):
    model = Outage
    create_service = staticmethod(services.outage_create)
    update_service = staticmethod(services.outage_update)


class AvailabilityPlanList(generic.RecordListView):
    model = AvailabilityPlan

    def base_queryset(self):
        return AvailabilityPlan.objects.select_related("service")


class AvailabilityPlanDetail(generic.RecordDetailView):
    model = AvailabilityPlan
    template_name = "availability/plan_detail.html"
    transition_service = staticmethod(services.availability_plan_transition)

    def post(self, request, pk):
        if request.POST.get("action") == "review":
            return _reviewed(self, request, pk, services.availability_plan_review)
        return super().post(request, pk)


class AvailabilityPlanForm(generic.RecordFormView):
    model = AvailabilityPlan
    create_service = staticmethod(services.availability_plan_create)
    update_service = staticmethod(services.availability_plan_update)


# --- continuity ---------------------------------------------------------------------------------------


class ContinuityRequirementList(generic.RecordListView):
    model = ContinuityRequirement

    def base_queryset(self):
        return ContinuityRequirement.objects.select_related("service")


class ContinuityRequirementDetail(generic.RecordDetailView):
    model = ContinuityRequirement


class ContinuityRequirementForm(generic.RecordFormView):
    model = ContinuityRequirement


class ContinuityPlanList(generic.RecordListView):
    model = ContinuityPlan


class ContinuityPlanDetail(generic.RecordDetailView):
    """The plan with its due dates, the reasons a review is asked for, its tests and invocations."""

    model = ContinuityPlan
    template_name = "availability/plan_detail.html"
    transition_service = staticmethod(services.continuity_plan_transition)

    def context(self, obj):
        context = super().context(obj)
        user = self.request.user
        context.update(
            {
                "continuity": True,
                "tests": permissions.restrict(obj.tests.all(), user)[:20],
                "invocations": permissions.restrict(obj.invocations.all(), user)[:20],
            }
        )
        return context

    def post(self, request, pk):
        if request.POST.get("action") == "review":
            return _reviewed(self, request, pk, services.continuity_plan_review)
        return super().post(request, pk)


class ContinuityPlanForm(generic.RecordFormView):
    model = ContinuityPlan
    create_service = staticmethod(services.continuity_plan_create)
    update_service = staticmethod(services.continuity_plan_update)


class ContinuityTestList(generic.RecordListView):
    model = ContinuityTest

    def base_queryset(self):
        return ContinuityTest.objects.select_related("plan")


class ContinuityTestDetail(generic.RecordDetailView):
    model = ContinuityTest


class ContinuityTestForm(generic.RecordFormView):
    model = ContinuityTest
    create_service = staticmethod(services.continuity_test_create)
    update_service = staticmethod(services.continuity_test_update)


class InvocationList(generic.RecordListView):
    model = ContinuityInvocation

    def base_queryset(self):
        return ContinuityInvocation.objects.select_related("plan")


class InvocationDetail(generic.RecordDetailView):
    model = ContinuityInvocation


class InvocationForm(generic.RecordFormView):
    model = ContinuityInvocation
    create_service = staticmethod(services.invocation_create)
    update_service = staticmethod(services.invocation_update)
