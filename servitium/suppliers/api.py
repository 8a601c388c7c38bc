"""REST resources of supplier management (rules in resources.py). Provider staff only: customers see no
supplier data."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from servitium.core.api.base import RecordSerializer, RecordViewSet

from . import services
from .alignment import alignment_of, contract_alignment, target_alignment
from .models import (
    ContractReview,
    Dispute,
    GovernedProcess,
    Supplier,
    SupplierContract,
    SupplierPerformance,
    SupplierTarget,
)
from .resources import SupplierContractResource, SupplierResource, SupplierTargetResource

ALIGNMENT_SCHEMA = inline_serializer(
    "ContractAlignment",
    {
        "aligned": serializers.BooleanField(),
        "misalignments": inline_serializer(
            "Misalignment",
            {
                "supplier_target": serializers.IntegerField(),
                "service": serializers.CharField(),
                "metric": serializers.CharField(),
                "priority": serializers.IntegerField(allow_null=True),
                "customer": serializers.CharField(),
                "agreement": serializers.CharField(),
                "customer_target": serializers.CharField(),
                "supplier_target_value": serializers.CharField(),
                "message": serializers.CharField(),
            },
            many=True,
        ),
    },
)


class SupplierSerializer(RecordSerializer):
    name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        resource = SupplierResource


class SupplierViewSet(RecordViewSet):
    """Suppliers: organizations of kind supplier with their supplier-management data."""

    queryset = Supplier.objects.select_related("organization", "manager")
    serializer_class = SupplierSerializer
    transition_service = staticmethod(services.supplier_transition)


class ContractSerializer(RecordSerializer):
    missing_items = serializers.ListField(child=serializers.CharField(), read_only=True)
    review_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        resource = SupplierContractResource


class ContractViewSet(RecordViewSet):
    """Supplier contracts with the content items of 2011 7.2; activation is refused while any is missing."""

    queryset = SupplierContract.objects.select_related("supplier__organization").prefetch_related(
        "services", "targets"
    )
    serializer_class = ContractSerializer
    create_service = staticmethod(services.contract_create)
    update_service = staticmethod(services.contract_update)
    transition_service = staticmethod(services.contract_transition)

    @extend_schema(
        responses={200: ALIGNMENT_SCHEMA}, description="Supplier targets weaker than customer SLAs."
    )
    @action(detail=True, methods=["get"])
    def alignment(self, request, pk=None):
        problems = contract_alignment(self.get_object())
        return Response({"aligned": not problems, "misalignments": [p.as_dict() for p in problems]})


class SupplierTargetListSerializer(serializers.ListSerializer):
    """A page of supplier targets is checked against the customer targets with one query, not one per row."""

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        self.child.alignment = alignment_of(rows)
        return super().to_representation(rows)


class SupplierTargetSerializer(RecordSerializer):
    misalignments = serializers.SerializerMethodField()
    alignment: dict | None = None

    class Meta:
        resource = SupplierTargetResource
        list_serializer_class = SupplierTargetListSerializer

    def get_misalignments(self, obj) -> list[str]:
        found = self.alignment.get(obj.pk) if self.alignment is not None else None
        return [m.message for m in (found if found is not None else target_alignment(obj))]


class SupplierTargetViewSet(RecordViewSet):
    queryset = SupplierTarget.objects.select_related("contract__supplier__organization", "service")
    serializer_class = SupplierTargetSerializer
    create_service = staticmethod(services.target_create)
    update_service = staticmethod(services.target_update)


class SupplierPerformanceViewSet(RecordViewSet):
    """Supplier performance per target and period; `met` follows from the target."""

    queryset = SupplierPerformance.objects.select_related("target")


class ContractReviewViewSet(RecordViewSet):
    queryset = ContractReview.objects.select_related("contract", "reviewer")
    create_service = staticmethod(services.review_create)


class DisputeViewSet(RecordViewSet):
    """Disputes with suppliers; resolve with POST transitions {"transition": "resolve", "resolution": ...}."""

    queryset = Dispute.objects.select_related("contract")
    create_service = staticmethod(services.dispute_create)
    update_service = staticmethod(services.dispute_update)
    transition_service = staticmethod(services.dispute_transition)


class GovernedProcessViewSet(RecordViewSet):
    """Processes or parts of processes operated by other parties, and how they are governed (2011 4.2)."""

    queryset = GovernedProcess.objects.select_related("operated_by", "accountable")


def register(router) -> None:
    """Register this app's viewsets on the /api/v1/ router (basenames are the model names, as the
    representation's `url` expects)."""
    router.register("suppliers", SupplierViewSet, basename="supplier")
    router.register("contracts", ContractViewSet, basename="suppliercontract")
    router.register("supplier-targets", SupplierTargetViewSet, basename="suppliertarget")
    router.register("supplier-performance", SupplierPerformanceViewSet, basename="supplierperformance")
    router.register("contract-reviews", ContractReviewViewSet, basename="contractreview")
    router.register("disputes", DisputeViewSet, basename="dispute")
    router.register("governed-processes", GovernedProcessViewSet, basename="governedprocess")
