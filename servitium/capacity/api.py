"""REST resources of capacity and demand: `capacity-plans` (transitions approve / revise, `review/`),
`capacity-plan-lines`, `capacity-metrics` (`forecast/`), `capacity-measurements` (`bulk/` takes many at
once) and `demand-records` (`from-requests/` counts service requests as demand)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet, serializer_for

from . import selectors, services
from .models import CapacityMetric, CapacityPlan, CapacityPlanLine, Demand, Measurement
from .resources import CapacityPlanLineResource, CapacityPlanResource, DemandResource


class CapacityPlanSerializer(RecordSerializer):
    lines = serializers.PrimaryKeyRelatedField(
        many=True,
        read_only=True,
        help_text="Ids of the plan's lines (written at /api/v1/capacity-plan-lines/).",
    )

    class Meta:
        resource = CapacityPlanResource


class CapacityPlanLineSerializer(RecordSerializer):
    gap = serializers.DecimalField(
        max_digits=19,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        help_text="Forecast need minus current capacity: positive is missing, negative is spare.",
    )

    class Meta:
        resource = CapacityPlanLineResource


class PlanReviewSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class CapacityPlanViewSet(RecordViewSet):
    """Capacity plans of the services; transitions: approve (a capacity manager other than the author),
    revise (back to draft). `review/` records a review (the next review moves on by the interval)."""

    queryset = CapacityPlan.objects.select_related(
        "service", "owner", "author", "approved_by"
    ).prefetch_related("lines")
    serializer_class = CapacityPlanSerializer
    create_service = staticmethod(services.plan_create)
    update_service = staticmethod(services.plan_update)
    transition_service = staticmethod(services.plan_transition)

    @extend_schema(request=PlanReviewSerializer, responses=CapacityPlanSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk=None) -> Response:
        """Record a review of the plan."""
        plan = self.get_object()
        self._require(permissions.CHANGE, plan)
        payload = PlanReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.plan_review(actor=request.user, instance=plan, note=payload.validated_data["note"])
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data)


class CapacityPlanLineViewSet(RecordViewSet):
    """The resource lines of capacity plans (human, technical, information, financial)."""

    queryset = CapacityPlanLine.objects.select_related("plan", "budget")
    serializer_class = CapacityPlanLineSerializer
    create_service = staticmethod(services.line_create)
    update_service = staticmethod(services.line_update)
    delete_service = staticmethod(services.line_delete)


FORECAST = inline_serializer(
    "CapacityForecast",
    {
        "metric": serializers.IntegerField(),
        "critical_threshold": serializers.DecimalField(max_digits=19, decimal_places=4),
        "direction": serializers.CharField(),
        "readings": serializers.IntegerField(help_text="How many of the latest measurements the trend uses."),
        "slope_per_day": serializers.FloatField(allow_null=True, help_text="Change of the value per day."),
        "crossing_at": serializers.DateTimeField(
            allow_null=True, help_text="When the trend reaches the critical threshold; null: it does not."
        ),
        "days_left": serializers.IntegerField(allow_null=True),
    },
)


class CapacityMetricViewSet(RecordViewSet):
    """Capacity metrics with their thresholds; state, latest value, forecast breach and the incident of a
    current critical breach are worked out from the measurements. `forecast/` gives the trend."""

    queryset = CapacityMetric.objects.select_related("service", "ci", "breach_incident")
    create_service = staticmethod(services.metric_create)
    update_service = staticmethod(services.metric_update)

    @extend_schema(request=None, responses=FORECAST)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def forecast(self, request: Request, pk=None) -> Response:
        """The least-squares trend of the latest measurements and when it reaches the critical threshold."""
        metric = self.get_object()
        found = selectors.metric_forecast(metric)
        return Response(
            {
                "metric": metric.pk,
                "critical_threshold": str(metric.critical_threshold),
                "direction": metric.direction,
                **found.as_dict(),
            }
        )


class MeasurementRowSerializer(serializers.Serializer):
    metric = serializers.IntegerField(min_value=1, max_value=2**62)
    measured_at = serializers.DateTimeField()
    value = serializers.DecimalField(max_digits=18, decimal_places=4)


class MeasurementBatchSerializer(serializers.Serializer):
    measurements = serializers.ListField(
        child=serializers.JSONField(),
        help_text="Up to 5000 rows of {metric, measured_at, value}. A 400 names the first bad row (from 0).",
    )


BATCH_RESULT = inline_serializer(
    "MeasurementBatchResult",
    {
        "stored": serializers.IntegerField(),
        "metrics": serializers.ListField(child=serializers.IntegerField()),
    },
)


class MeasurementViewSet(RecordViewSet):
    """Readings of capacity metrics. `bulk/` takes many at once (e.g. from a monitoring tool): all or none."""

    queryset = Measurement.objects.select_related("metric")
    create_service = staticmethod(services.measurement_create)
    update_service = staticmethod(services.measurement_update)
    delete_service = staticmethod(services.measurement_delete)

    @extend_schema(request=MeasurementBatchSerializer, responses={201: BATCH_RESULT})
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def bulk(self, request: Request) -> Response:
        """Store many measurements; each metric's state is brought up to date once."""
        self._require(permissions.ADD)
        payload = MeasurementBatchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rows = []
        for index, row in enumerate(payload.validated_data["measurements"]):
            checked = MeasurementRowSerializer(data=row if isinstance(row, dict) else {})
            if not isinstance(row, dict) or not checked.is_valid():
                errors = (
                    checked.errors
                    if isinstance(row, dict)
                    else {"row": ["Give {metric, measured_at, value}."]}
                )
                field, messages = next(iter(errors.items()))
                raise serializers.ValidationError(
                    {"measurements": [f"Row {index}, {field}: {' '.join(str(m) for m in messages)}"]}
                )
            rows.append(dict(checked.validated_data))
        metrics = permissions.restrict(CapacityMetric.objects.all(), request.user)
        ids = {row["metric"] for row in rows}
        allowed = [
            m for m in metrics.filter(pk__in=ids) if permissions.can(request.user, permissions.CHANGE, m)
        ]
        stored = services.measurements_record(actor=request.user, rows=rows, metrics=allowed)
        return Response(
            {"stored": len(stored), "metrics": sorted({m.metric_id for m in stored})},
            status=status.HTTP_201_CREATED,
        )


class DemandFromRequestsSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": ["The period must end after it starts."]})
        if (attrs["end"] - attrs["start"]).days > 366:
            raise serializers.ValidationError({"end": ["Count at most one year at a time."]})
        return attrs


class DemandViewSet(RecordViewSet):
    """Demand per customer, service and period. `from-requests/` counts each customer's service requests
    per service in a period and records them as demand (run again, it updates the counts)."""

    queryset = Demand.objects.select_related("customer", "service")
    create_service = staticmethod(services.demand_create)
    update_service = staticmethod(services.demand_update)

    @extend_schema(request=DemandFromRequestsSerializer, responses=serializer_for(DemandResource)(many=True))
    @action(
        detail=False, methods=["post"], url_path="from-requests", filter_backends=[], pagination_class=None
    )
    def from_requests(self, request: Request) -> Response:
        self._require(permissions.ADD)
        payload = DemandFromRequestsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        made = services.demand_from_requests(
            actor=request.user, start=payload.validated_data["start"], end=payload.validated_data["end"]
        )
        return Response(self.get_serializer(made, many=True).data)


def register(router) -> None:
    """Add this app's resources to the API router."""
    router.register("capacity-plans", CapacityPlanViewSet, basename="capacityplan")
    router.register("capacity-plan-lines", CapacityPlanLineViewSet, basename="capacityplanline")
    router.register("capacity-metrics", CapacityMetricViewSet, basename="capacitymetric")
    router.register("capacity-measurements", MeasurementViewSet, basename="measurement")
    router.register("demand-records", DemandViewSet, basename="demand")
