"""REST resources of availability and continuity: `availability-requirements`, `outages` (with `sync/` and
`availability/`, the measured availability per service and month), `availability-plans`,
`continuity-requirements`, `continuity-plans` (transitions, `review/`), `continuity-tests` and
`continuity-invocations`."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet, serializer_for

from . import selectors, services
from .models import (
    AvailabilityPlan,
    AvailabilityRequirement,
    ContinuityInvocation,
    ContinuityPlan,
    ContinuityRequirement,
    ContinuityTest,
    Outage,
)
from .resources import AvailabilityPlanResource, ContinuityPlanResource


class ContinuityPlanSerializer(RecordSerializer):
    next_review_due = serializers.DateField(read_only=True, allow_null=True)
    next_test_due = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        resource = ContinuityPlanResource


class AvailabilityPlanReviewSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


SYNC = inline_serializer(
    "OutageSync", {"created": serializers.IntegerField(), "updated": serializers.IntegerField()}
)
MONTH = inline_serializer(
    "ServiceAvailabilityMonth",
    {
        "service": serializers.IntegerField(),
        "service_name": serializers.CharField(),
        "month": serializers.CharField(),
        "calendar": serializers.CharField(),
        "service_minutes": serializers.IntegerField(),
        "unplanned_minutes": serializers.IntegerField(),
        "planned_minutes": serializers.IntegerField(),
        "availability": serializers.DecimalField(max_digits=7, decimal_places=3, allow_null=True),
        "target": serializers.DecimalField(max_digits=7, decimal_places=3, allow_null=True),
        "met": serializers.BooleanField(allow_null=True),
        "failures": serializers.IntegerField(),
        "mtrs_minutes": serializers.IntegerField(allow_null=True),
        "mtbf_hours": serializers.FloatField(allow_null=True),
    },
    many=True,
)


def _month_param(request: Request, name: str, default: dt.date) -> dt.date:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        if "\x00" in raw or len(raw) != 7:
            raise ValueError
        year, month = int(raw[:4]), int(raw[5:7])
        if raw[4] != "-" or not 2000 <= year <= 2100:
            raise ValueError
        return dt.date(year, month, 1)
    except ValueError:
        raise DRFValidationError({name: [_("Give a month as YYYY-MM (2000 to 2100).")]}) from None


class OutageViewSet(RecordViewSet):
    """Outages of services, planned or not; derived from major incidents and implemented changes by
    `sync/` (and each night), or recorded by hand."""

    queryset = Outage.objects.select_related("service", "incident", "change")
    create_service = staticmethod(services.outage_create)
    update_service = staticmethod(services.outage_update)

    @extend_schema(request=None, responses=SYNC)
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def sync(self, request: Request) -> Response:
        """Derive outages from major incidents and implemented changes now (idempotent)."""
        self._require(permissions.ADD)
        return Response(services.outages_sync(actor=request.user))

    @extend_schema(
        parameters=[
            OpenApiParameter("service", int, description="One service (default: every service you may see)."),
            OpenApiParameter("from", str, description="First month, YYYY-MM (default: twelve months ago)."),
            OpenApiParameter("to", str, description="Last month, YYYY-MM (default: this month)."),
        ],
        responses=MONTH,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def availability(self, request: Request) -> Response:
        """Measured availability per service and month on the service's calendar, against its target."""
        self._require(permissions.VIEW)
        start, end = selectors.year_window()
        first = _month_param(request, "from", start)
        last = _month_param(request, "to", dt.date(end.year - (end.month == 1), (end.month - 2) % 12 + 1, 1))
        if last < first:
            raise DRFValidationError({"to": [_("The last month is before the first.")]})
        if (last.year - first.year) * 12 + last.month - first.month >= 36:
            raise DRFValidationError({"to": [_("Ask for at most 36 months.")]})
        services_ = selectors.visible_services(request.user)
        raw = request.query_params.get("service")
        if raw not in (None, ""):
            if not raw.isdigit() or len(raw) > 18:
                raise DRFValidationError({"service": [_("Give a service id.")]})
            services_ = services_.filter(pk=int(raw))
        ids = list(services_.values_list("pk", flat=True))
        end_ = dt.date(last.year + (last.month == 12), last.month % 12 + 1, 1)
        rows = selectors.measure(ids, first, end_) if ids else []
        return Response(
            [
                {
                    "service": f.service_id,
                    "service_name": f.service,
                    "month": f.month.strftime("%Y-%m"),
                    "calendar": f.calendar,
                    "service_minutes": round(f.service_seconds / 60),
                    "unplanned_minutes": f.unplanned_minutes,
                    "planned_minutes": f.planned_minutes,
                    "availability": None if f.availability is None else str(f.availability),
                    "target": None if f.target is None else str(f.target),
                    "met": f.met,
                    "failures": f.failures,
                    "mtrs_minutes": f.mtrs_minutes,
                    "mtbf_hours": f.mtbf_hours,
                }
                for f in rows
            ]
        )


class AvailabilityRequirementViewSet(RecordViewSet):
    """What a service's availability is measured on beyond its SLA target: calendar, maintenance allowance."""

    queryset = AvailabilityRequirement.objects.select_related("service", "calendar")


class AvailabilityPlanViewSet(RecordViewSet):
    """Availability plans; transitions: approve (not by the author), retire, revise. `review/` records a
    review."""

    queryset = AvailabilityPlan.objects.select_related("service", "author", "approved_by")
    create_service = staticmethod(services.availability_plan_create)
    update_service = staticmethod(services.availability_plan_update)
    transition_service = staticmethod(services.availability_plan_transition)

    @extend_schema(
        request=AvailabilityPlanReviewSerializer, responses=serializer_for(AvailabilityPlanResource)
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk=None) -> Response:
        """Record a review of the plan; the next review moves on by the plan's interval."""
        plan = self.get_object()
        self._require(permissions.CHANGE, plan)
        payload = AvailabilityPlanReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        plan = services.availability_plan_review(
            actor=request.user, instance=plan, note=payload.validated_data["note"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data)


class ContinuityRequirementViewSet(RecordViewSet):
    """Continuity requirements per service: RTO, RPO, recovery priority."""

    queryset = ContinuityRequirement.objects.select_related("service")


class ContinuityPlanViewSet(RecordViewSet):
    """Continuity plans; transitions: approve (not by the author), retire, revise. `review/` records a
    review and clears the request for one."""

    queryset = ContinuityPlan.objects.select_related("author", "approved_by").prefetch_related("services")
    serializer_class = ContinuityPlanSerializer
    create_service = staticmethod(services.continuity_plan_create)
    update_service = staticmethod(services.continuity_plan_update)
    transition_service = staticmethod(services.continuity_plan_transition)

    @extend_schema(request=AvailabilityPlanReviewSerializer, responses=ContinuityPlanSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk=None) -> Response:
        """Record a review of the plan: the request for a review clears and its interval starts again."""
        plan = self.get_object()
        self._require(permissions.CHANGE, plan)
        payload = AvailabilityPlanReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        plan = services.continuity_plan_review(
            actor=request.user, instance=plan, note=payload.validated_data["note"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data)


class ContinuityTestViewSet(RecordViewSet):
    """Tests of continuity plans; a failed test opens a nonconformity, a partly passed one an opportunity."""

    queryset = ContinuityTest.objects.select_related("plan")
    create_service = staticmethod(services.continuity_test_create)
    update_service = staticmethod(services.continuity_test_update)


class ContinuityInvocationViewSet(RecordViewSet):
    """Invocations of continuity plans; the plan is due for review after each."""

    queryset = ContinuityInvocation.objects.select_related("plan")
    create_service = staticmethod(services.invocation_create)
    update_service = staticmethod(services.invocation_update)


def register(router) -> None:
    """Add this app's resources to the API router."""
    router.register(
        "availability-requirements", AvailabilityRequirementViewSet, basename="availabilityrequirement"
    )
    router.register("outages", OutageViewSet, basename="outage")
    router.register("availability-plans", AvailabilityPlanViewSet, basename="availabilityplan")
    router.register("continuity-requirements", ContinuityRequirementViewSet, basename="continuityrequirement")
    router.register("continuity-plans", ContinuityPlanViewSet, basename="continuityplan")
    router.register("continuity-tests", ContinuityTestViewSet, basename="continuitytest")
    router.register("continuity-invocations", ContinuityInvocationViewSet, basename="continuityinvocation")
