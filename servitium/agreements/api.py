"""REST resources of service level management."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from servitium.core.api.base import RecordSerializer, RecordViewSet

from . import services
from .lifecycle import AGREEMENT_WORKFLOW, REVIEW_WORKFLOW
from .models import ServiceLevelAgreement, ServiceReview, ServiceTarget, TargetPerformance


class SLATargetSerializer(RecordSerializer):
    display_value = serializers.CharField(read_only=True)

    class Meta:
        model = ServiceTarget
        fields = [
            "id",
            "url",
            "agreement",
            "metric",
            "priority",
            "name",
            "target_value",
            "unit",
            "higher_is_better",
            "description",
            "display_value",
            "created",
            "updated",
        ]
        read_only_fields = ["higher_is_better"]
        # The model's full_clean() in the service checks uniqueness, with a clear message.
        validators: list = []

    def build_url_field(self, field_name, model_class):
        return serializers.HyperlinkedIdentityField, {"view_name": "api:sla-target-detail"}


class AgreementSerializer(RecordSerializer):
    url = serializers.SerializerMethodField()
    targets = SLATargetSerializer(many=True, read_only=True)
    customer_display = serializers.CharField(source="customer.name", read_only=True)
    service_display = serializers.CharField(source="service.name", read_only=True)
    review_overdue = serializers.BooleanField(read_only=True)
    missing_for_agreement = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ServiceLevelAgreement
        fields = [
            "id",
            "url",
            "reference",
            "kind",
            "title",
            "customer",
            "customer_display",
            "service",
            "service_display",
            "status",
            "scope",
            "calendar",
            "valid_from",
            "valid_until",
            "agreed_on",
            "customer_signatory",
            "service_level_manager",
            "review_interval_days",
            "next_review_due",
            "review_overdue",
            "workload",
            "pause_statuses",
            "exceptions",
            "targets",
            "missing_for_agreement",
            "created",
            "updated",
        ]
        read_only_fields = ["reference", "status", "agreed_on", "kind"]
        validators: list = []

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: ServiceLevelAgreement) -> str:
        name = (
            "api:sla-detail"
            if obj.kind == ServiceLevelAgreement.Kind.SLA
            else "api:internal-agreement-detail"
        )
        path = reverse(name, args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class AgreementViewSet(RecordViewSet):
    """Service level agreements with customers. Customer users see their own organization's only."""

    kind = ServiceLevelAgreement.Kind.SLA
    queryset = ServiceLevelAgreement.objects.select_related("customer", "service").prefetch_related("targets")
    serializer_class = AgreementSerializer
    filterset_fields = ["customer", "service", "status", "calendar", "reference"]
    search_fields = ["title", "reference", "scope"]
    ordering_fields = ["reference", "created", "next_review_due", "valid_until"]
    workflow = AGREEMENT_WORKFLOW
    transition_service = staticmethod(services.agreement_transition)
    update_service = staticmethod(services.agreement_update)

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.kind)

    @classmethod
    def create_service(cls, *, actor, data, m2m=None):
        return services.agreement_create(actor=actor, data={**data, "kind": cls.kind}, m2m=m2m)


class InternalAgreementViewSet(AgreementViewSet):
    """Internal agreements with internal groups or customers acting as suppliers (same contents as an SLA)."""

    kind = ServiceLevelAgreement.Kind.INTERNAL


class SLATargetViewSet(RecordViewSet):
    """Targets of agreements (writable while the agreement is a draft)."""

    queryset = ServiceTarget.objects.select_related("agreement")
    serializer_class = SLATargetSerializer
    filterset_fields = ["agreement", "metric", "priority"]
    search_fields = ["name", "description"]
    ordering_fields = ["metric", "priority", "created"]
    create_service = staticmethod(services.target_create)
    update_service = staticmethod(services.target_update)
    delete_service = staticmethod(services.target_delete)


class SLAPerformanceSerializer(RecordSerializer):
    target_display = serializers.CharField(source="target.__str__", read_only=True)
    agreement = serializers.IntegerField(source="target.agreement_id", read_only=True)

    class Meta:
        model = TargetPerformance
        fields = [
            "id",
            "target",
            "target_display",
            "agreement",
            "period_start",
            "period_end",
            "measured_value",
            "samples",
            "met",
            "note",
            "created",
        ]


class SLAPerformanceViewSet(RecordViewSet):
    """Recorded performance against targets (written by the nightly job; read-only here)."""

    http_method_names = ["get", "head", "options"]
    queryset = TargetPerformance.objects.select_related("target", "target__agreement")
    serializer_class = SLAPerformanceSerializer
    filterset_fields = ["target", "target__agreement", "met"]
    ordering_fields = ["period_start", "created"]


class ServiceReviewSerializer(RecordSerializer):
    class Meta:
        model = ServiceReview
        fields = [
            "id",
            "url",
            "reference",
            "agreement",
            "scheduled_for",
            "held_on",
            "status",
            "attendees",
            "performance_discussed",
            "actions",
            "created",
            "updated",
        ]
        read_only_fields = ["reference", "status"]

    def build_url_field(self, field_name, model_class):
        return serializers.HyperlinkedIdentityField, {"view_name": "api:service-review-detail"}


class ServiceReviewViewSet(RecordViewSet):
    """Service review meetings; hold one with POST transitions/
    {"transition": "hold", "held_on": "YYYY-MM-DD", "performance_discussed": "..."}."""

    queryset = ServiceReview.objects.select_related("agreement").prefetch_related("attendees")
    serializer_class = ServiceReviewSerializer
    filterset_fields = ["agreement", "status"]
    search_fields = ["performance_discussed", "reference"]
    ordering_fields = ["scheduled_for", "created"]
    create_service = staticmethod(services.review_create)
    update_service = staticmethod(services.review_update)
    workflow = REVIEW_WORKFLOW
    transition_service = staticmethod(services.review_transition)


def register(router) -> None:
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("slas", AgreementViewSet, basename="sla")
    router.register("internal-agreements", InternalAgreementViewSet, basename="internal-agreement")
    router.register("sla-targets", SLATargetViewSet, basename="sla-target")
    router.register("sla-performance", SLAPerformanceViewSet, basename="sla-performance")
    router.register("service-reviews", ServiceReviewViewSet, basename="service-review")
