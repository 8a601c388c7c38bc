"""REST resources of service level management (rules in resources.py)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from servitium.core.api.base import RecordSerializer, RecordViewSet
from servitium.core.api.lean import record_link

from . import services
from .models import ServiceLevelAgreement, ServiceReview, ServiceTarget, TargetPerformance
from .resources import ServiceLevelAgreementResource, ServiceTargetResource, TargetPerformanceResource


class SLATargetSerializer(RecordSerializer):
    display_value = serializers.CharField(read_only=True)

    class Meta:
        resource = ServiceTargetResource
        # The model's full_clean() in the service checks uniqueness, with a clear message.
        validators: list = []


class AgreementSerializer(RecordSerializer):
    url = serializers.SerializerMethodField()
    # The endpoint decides the kind (slas/ or internal-agreements/).
    kind = serializers.CharField(read_only=True)
    targets = SLATargetSerializer(many=True, read_only=True)
    customer_display = serializers.CharField(source="customer.name", read_only=True)
    service_display = serializers.CharField(source="service.name", read_only=True)
    review_overdue = serializers.BooleanField(read_only=True)
    missing_for_agreement = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        resource = ServiceLevelAgreementResource
        # One agreed agreement per customer and service is checked by the service, with a clear message.
        validators: list = []

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: ServiceLevelAgreement) -> str:
        name = (
            "api:sla-detail"
            if obj.kind == ServiceLevelAgreement.Kind.SLA
            else "api:internal-agreement-detail"
        )
        return record_link(self.context.get("request"), name, obj.pk)


class AgreementViewSet(RecordViewSet):
    """Service level agreements with customers. Customer users see their own organization's only."""

    kind = ServiceLevelAgreement.Kind.SLA
    queryset = ServiceLevelAgreement.objects.select_related("customer", "service").prefetch_related("targets")
    serializer_class = AgreementSerializer
    transition_service = staticmethod(services.agreement_transition)
    update_service = staticmethod(services.agreement_update)

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.kind)

    @classmethod
    def create_service(cls, *, actor, data, m2m=None):
        return services.agreement_create(actor=actor, data=data, m2m=m2m, derived={"kind": cls.kind})


class InternalAgreementViewSet(AgreementViewSet):
    """Internal agreements with internal groups or customers acting as suppliers (same contents as an SLA)."""

    kind = ServiceLevelAgreement.Kind.INTERNAL


class SLATargetViewSet(RecordViewSet):
    """Targets of agreements (writable while the agreement is a draft)."""

    queryset = ServiceTarget.objects.select_related("agreement")
    serializer_class = SLATargetSerializer
    create_service = staticmethod(services.target_create)
    update_service = staticmethod(services.target_update)
    delete_service = staticmethod(services.target_delete)


class SLAPerformanceSerializer(RecordSerializer):
    target_display = serializers.CharField(source="target.__str__", read_only=True)
    agreement = serializers.IntegerField(source="target.agreement_id", read_only=True)

    class Meta:
        resource = TargetPerformanceResource


class SLAPerformanceViewSet(RecordViewSet):
    """Recorded performance against targets (written by the nightly job; read-only here)."""

    http_method_names = ["get", "head", "options"]
    queryset = TargetPerformance.objects.select_related("target")
    serializer_class = SLAPerformanceSerializer


class ServiceReviewViewSet(RecordViewSet):
    """Service review meetings; hold one with POST transitions/
    {"transition": "hold", "held_on": "YYYY-MM-DD", "performance_discussed": "..."}."""

    queryset = ServiceReview.objects.select_related("agreement").prefetch_related("attendees")
    create_service = staticmethod(services.review_create)
    update_service = staticmethod(services.review_update)
    transition_service = staticmethod(services.review_transition)


def register(router) -> None:
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("slas", AgreementViewSet, basename="sla")
    router.register("internal-agreements", InternalAgreementViewSet, basename="internal-agreement")
    router.register("sla-targets", SLATargetViewSet, basename="servicetarget")
    router.register("sla-performance", SLAPerformanceViewSet, basename="targetperformance")
    router.register("service-reviews", ServiceReviewViewSet, basename="servicereview")
