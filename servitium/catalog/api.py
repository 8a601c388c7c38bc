"""REST resources of the service catalogue."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from servitium.core.api.base import RecordSerializer, RecordViewSet

from . import services
from .models import Offering, OfferingOption, Service, ServiceComponent
from .resources import OfferingOptionResource, OfferingResource, ServiceResource
from .selectors import service_dependency_graph

GRAPH_SCHEMA = inline_serializer(
    "ServiceGraph",
    {
        "nodes": inline_serializer(
            "ServiceGraphNode",
            {
                "id": serializers.CharField(help_text="`service:<id>` or `component:<id>`"),
                "kind": serializers.ChoiceField(choices=["service", "component"]),
                "label": serializers.CharField(),
                "status": serializers.CharField(help_text="A service's status, a component's kind."),
                "level": serializers.IntegerField(),
                "url": serializers.CharField(allow_blank=True),
                "focus": serializers.BooleanField(),
                "provided_by": serializers.CharField(required=False, allow_null=True),
            },
            many=True,
        ),
        "edges": inline_serializer(
            "ServiceGraphEdge",
            {
                "from": serializers.CharField(),
                "to": serializers.CharField(),
                "type": serializers.ChoiceField(choices=["depends_on", "has_component"]),
            },
            many=True,
        ),
    },
)


class ServiceSerializer(RecordSerializer):
    owner_display = serializers.CharField(source="owner.name", read_only=True, default=None)

    class Meta:
        resource = ServiceResource


class ServiceViewSet(RecordViewSet):
    """Services in the catalogue. A customer user sees only services its organization receives."""

    queryset = Service.objects.select_related("owner").prefetch_related("customers", "depends_on")
    serializer_class = ServiceSerializer
    create_service = staticmethod(services.service_create)
    update_service = staticmethod(services.service_update)
    transition_service = staticmethod(services.service_transition)

    @extend_schema(
        responses={200: GRAPH_SCHEMA},
        description="The dependency graph around the service: nodes (services with a level: negative = "
        "depends on this one, positive = this one depends on it; components) and edges.",
    )
    @action(detail=True, methods=["get"])
    def graph(self, request, pk=None):
        return Response(service_dependency_graph(self.get_object(), request.user).as_dict())


class ServiceComponentViewSet(RecordViewSet):
    """Parts of services; provider staff only."""

    queryset = ServiceComponent.objects.select_related("service", "provided_by").prefetch_related(
        "depends_on_services"
    )
    create_service = staticmethod(services.component_create)
    update_service = staticmethod(services.component_update)


class OfferingOptionSerializer(RecordSerializer):
    class Meta:
        resource = OfferingOptionResource
        # full_clean() in the service checks the constraints; a second default is resolved by the service
        # (it clears the previous one), so the serializer must not refuse it up front.
        validators: list = []


class OfferingSerializer(RecordSerializer):
    options = OfferingOptionSerializer(many=True, read_only=True)
    service_display = serializers.CharField(source="service.name", read_only=True)

    class Meta:
        resource = OfferingResource


class OfferingViewSet(RecordViewSet):
    """What customers can order: public offerings of live services, and those of services they receive."""

    queryset = Offering.objects.select_related("service").prefetch_related("options")
    serializer_class = OfferingSerializer


def _option_create(*, actor, data, m2m=None):
    return services.option_save(actor=actor, data=data)


def _option_update(*, actor, instance, data, m2m=None):
    return services.option_save(actor=actor, data=data, instance=instance)


class OfferingOptionViewSet(RecordViewSet):
    queryset = OfferingOption.objects.select_related("offering")
    serializer_class = OfferingOptionSerializer
    create_service = staticmethod(_option_create)
    update_service = staticmethod(_option_update)
