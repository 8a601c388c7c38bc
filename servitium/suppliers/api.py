"""REST resources of supplier management. Provider staff only: customers see no supplier data."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from servitium.core.api.base import RecordSerializer, RecordViewSet

from . import services
from .alignment import contract_alignment, target_alignment
from .lifecycle import CONTRACT_WORKFLOW, DISPUTE_WORKFLOW
from .models import (
    CONTENT_ITEMS,
    ContractReview,
    Dispute,
    GovernedProcess,
    Supplier,
    SupplierContract,
    SupplierPerformance,
    SupplierTarget,
)


def _url(name: str):
    return serializers.HyperlinkedIdentityField, {"view_name": f"api:{name}-detail"}


class SupplierSerializer(RecordSerializer):
    name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Supplier
        fields = [
            "id",
            "url",
            "organization",
            "name",
            "manager",
            "lead_supplier",
            "category",
            "criticality",
            "status",
            "notes",
            "created",
            "updated",
        ]

    def build_url_field(self, field_name, model_class):
        return _url("supplier")


class SupplierViewSet(RecordViewSet):
    """Suppliers: organizations of kind supplier with their supplier-management data."""

    queryset = Supplier.objects.select_related("organization", "manager")
    serializer_class = SupplierSerializer
    filterset_fields = ["manager", "lead_supplier", "criticality", "status"]
    search_fields = ["organization__name", "category"]
    ordering_fields = ["organization__name", "created"]


class ContractSerializer(RecordSerializer):
    missing_items = serializers.ListField(child=serializers.CharField(), read_only=True)
    review_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = SupplierContract
        fields = [
            "id",
            "url",
            "reference",
            "supplier",
            "title",
            "services",
            "status",
            "start_date",
            "end_date",
            "review_interval_days",
            "next_review_due",
            "review_overdue",
            *CONTENT_ITEMS,
            "missing_items",
            "created",
            "updated",
        ]
        read_only_fields = ["reference", "status"]

    def build_url_field(self, field_name, model_class):
        return _url("contract")


class ContractViewSet(RecordViewSet):
    """Supplier contracts with the content items of 2011 7.2; activation is refused while any is missing."""

    queryset = SupplierContract.objects.select_related("supplier__organization").prefetch_related(
        "services", "targets"
    )
    serializer_class = ContractSerializer
    filterset_fields = ["supplier", "status", "services"]
    search_fields = ["title", "reference", "scope"]
    ordering_fields = ["reference", "next_review_due", "created"]
    create_service = staticmethod(services.contract_create)
    update_service = staticmethod(services.contract_update)
    workflow = CONTRACT_WORKFLOW
    transition_service = staticmethod(services.contract_transition)

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT}, description="Supplier targets weaker than customer SLAs."
    )
    @action(detail=True, methods=["get"])
    def alignment(self, request, pk=None):
        problems = contract_alignment(self.get_object())
        return Response({"aligned": not problems, "misalignments": [p.as_dict() for p in problems]})


class SupplierTargetSerializer(RecordSerializer):
    misalignments = serializers.SerializerMethodField()

    class Meta:
        model = SupplierTarget
        fields = [
            "id",
            "url",
            "contract",
            "service",
            "metric",
            "priority",
            "name",
            "target_value",
            "unit",
            "higher_is_better",
            "misalignments",
            "created",
            "updated",
        ]

    def build_url_field(self, field_name, model_class):
        return _url("supplier-target")

    def get_misalignments(self, obj) -> list[str]:
        return [m.message for m in target_alignment(obj)]


class SupplierTargetViewSet(RecordViewSet):
    queryset = SupplierTarget.objects.select_related("contract__supplier__organization", "service")
    serializer_class = SupplierTargetSerializer
    filterset_fields = ["contract", "service", "metric", "priority"]
    ordering_fields = ["created"]
    create_service = staticmethod(services.target_create)
    update_service = staticmethod(services.target_update)


class SupplierPerformanceSerializer(RecordSerializer):
    class Meta:
        model = SupplierPerformance
        fields = [
            "id",
            "url",
            "target",
            "period_start",
            "period_end",
            "measured_value",
            "met",
            "source",
            "reviewed_by",
            "created",
            "updated",
        ]
        read_only_fields = ["met"]

    def build_url_field(self, field_name, model_class):
        return _url("supplier-performance")


class SupplierPerformanceViewSet(RecordViewSet):
    """Supplier performance per target and period; `met` follows from the target."""

    queryset = SupplierPerformance.objects.select_related("target")
    serializer_class = SupplierPerformanceSerializer
    filterset_fields = ["target", "met", "target__contract"]
    ordering_fields = ["period_start", "created"]


class ContractReviewSerializer(RecordSerializer):
    class Meta:
        model = ContractReview
        fields = [
            "id",
            "url",
            "contract",
            "held_on",
            "reviewer",
            "findings",
            "changes_agreed",
            "created",
            "updated",
        ]

    def build_url_field(self, field_name, model_class):
        return _url("contract-review")


class ContractReviewViewSet(RecordViewSet):
    queryset = ContractReview.objects.select_related("contract", "reviewer")
    serializer_class = ContractReviewSerializer
    filterset_fields = ["contract", "reviewer"]
    ordering_fields = ["held_on", "created"]
    create_service = staticmethod(services.review_create)


class DisputeSerializer(RecordSerializer):
    class Meta:
        model = Dispute
        fields = [
            "id",
            "url",
            "reference",
            "contract",
            "raised_on",
            "raised_by",
            "description",
            "status",
            "resolution",
            "resolved_on",
            "created",
            "updated",
        ]
        read_only_fields = ["reference", "status", "resolved_on"]

    def build_url_field(self, field_name, model_class):
        return _url("dispute")


class DisputeViewSet(RecordViewSet):
    """Disputes with suppliers; resolve with POST transitions {"transition": "resolve", "resolution": ...}."""

    queryset = Dispute.objects.select_related("contract")
    serializer_class = DisputeSerializer
    filterset_fields = ["contract", "status"]
    search_fields = ["description", "reference"]
    ordering_fields = ["raised_on", "created"]
    create_service = staticmethod(services.dispute_create)
    update_service = staticmethod(services.dispute_update)
    workflow = DISPUTE_WORKFLOW
    transition_service = staticmethod(services.dispute_transition)


class GovernedProcessSerializer(RecordSerializer):
    class Meta:
        model = GovernedProcess
        fields = [
            "id",
            "url",
            "process",
            "part_operated",
            "operated_by",
            "governance",
            "accountable",
            "evidence",
            "created",
            "updated",
        ]

    def build_url_field(self, field_name, model_class):
        return _url("governed-process")


class GovernedProcessViewSet(RecordViewSet):
    """Processes or parts of processes operated by other parties, and how they are governed (2011 4.2)."""

    queryset = GovernedProcess.objects.select_related("operated_by", "accountable")
    serializer_class = GovernedProcessSerializer
    filterset_fields = ["process", "operated_by", "accountable"]
    ordering_fields = ["process", "created"]


def register(router) -> None:
    """Register this app's viewsets on the /api/v1/ router."""
    router.register("suppliers", SupplierViewSet, basename="supplier")
    router.register("contracts", ContractViewSet, basename="contract")
    router.register("supplier-targets", SupplierTargetViewSet, basename="supplier-target")
    router.register("supplier-performance", SupplierPerformanceViewSet, basename="supplier-performance")
    router.register("contract-reviews", ContractReviewViewSet, basename="contract-review")
    router.register("disputes", DisputeViewSet, basename="dispute")
    router.register("governed-processes", GovernedProcessViewSet, basename="governed-process")
