"""REST resources of the service catalogue."""

from __future__ import annotations

from rest_framework import serializers

from servitium.core.api.base import RecordSerializer, RecordViewSet

from . import services
from .lifecycle import SERVICE_WORKFLOW
from .models import Service


class ServiceSerializer(RecordSerializer):
    owner_display = serializers.CharField(source="owner.name", read_only=True, default=None)

    class Meta:
        model = Service
        fields = [
            "id",
            "url",
            "reference",
            "name",
            "description",
            "status",
            "owner",
            "owner_display",
            "customers",
            "depends_on",
            "created",
            "updated",
        ]
        read_only_fields = ["reference"]

    def validate_status(self, value: str) -> str:
        if self.instance is not None and value != self.instance.status:
            raise serializers.ValidationError("Status changes go through POST .../transitions/.")
        return value


class ServiceViewSet(RecordViewSet):
    """Services in the catalogue. A customer user sees only services its organization receives."""

    queryset = Service.objects.select_related("owner").prefetch_related("customers", "depends_on")
    serializer_class = ServiceSerializer
    filterset_fields = ["status", "owner", "customers", "depends_on", "reference"]
    search_fields = ["name", "description", "reference"]
    ordering_fields = ["name", "reference", "status", "created", "updated"]
    create_service = staticmethod(services.service_create)
    update_service = staticmethod(services.service_update)
    workflow = SERVICE_WORKFLOW
    transition_service = staticmethod(services.service_transition)
