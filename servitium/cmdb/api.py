"""REST resources of configuration management: `ci-types`, `cis` (with `impact/` and `dependencies/`),
`ci-relationships`."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core.api.base import RecordSerializer, RecordViewSet

from . import selectors, services
from .models import CIRelationship, CIType, ConfigurationItem


class CITypeSerializer(RecordSerializer):
    class Meta:
        model = CIType
        fields = [
            "id",
            "url",
            "name",
            "description",
            "attribute_schema",
            "under_change_control",
            "created",
            "updated",
        ]


class CITypeViewSet(RecordViewSet):
    """CI types and the attribute schema their CIs are checked against."""

    queryset = CIType.objects.all()
    serializer_class = CITypeSerializer
    filterset_fields = ["name", "under_change_control"]
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created", "updated"]
    update_service = staticmethod(services.ci_type_update)


class CISerializer(RecordSerializer):
    ci_type_display = serializers.CharField(source="ci_type.name", read_only=True)

    class Meta:
        model = ConfigurationItem
        fields = [
            "id",
            "url",
            "reference",
            "name",
            "ci_type",
            "ci_type_display",
            "status",
            "version",
            "description",
            "owner",
            "location",
            "customers",
            "service",
            "documentation_url",
            "attributes",
            "created",
            "updated",
        ]
        read_only_fields = ["reference"]


class CIFilter(django_filters.FilterSet):
    customer = django_filters.NumberFilter(
        field_name="customers", distinct=True, label="Id of a customer organization the CI serves"
    )

    class Meta:
        model = ConfigurationItem
        fields = ["ci_type", "status", "customer", "service", "owner", "location", "reference"]


def _summary(name: str, fields: list[str]):
    return inline_serializer(
        name, {f: serializers.IntegerField() if f == "id" else serializers.CharField() for f in fields}
    )


REACH_SCHEMA = inline_serializer(
    "CIReach",
    {
        "ci": _summary("CIReachOrigin", ["id", "reference", "name"]),
        "cis": inline_serializer(
            "CIReachItem",
            {
                "id": serializers.IntegerField(),
                "reference": serializers.CharField(),
                "name": serializers.CharField(),
                "ci_type": serializers.CharField(),
                "status": serializers.CharField(),
            },
            many=True,
        ),
        "services": _summary("CIReachService", ["id", "name"]),
        "customers": _summary("CIReachCustomer", ["id", "name"]),
    },
)


class CIViewSet(RecordViewSet):
    """Configuration items. A customer user sees the CIs serving its organization. `impact/`: what is
    affected when the CI fails; `dependencies/`: what it relies on."""

    queryset = ConfigurationItem.objects.select_related("ci_type").prefetch_related("customers")
    serializer_class = CISerializer
    filterset_class = CIFilter
    search_fields = ["name", "reference"]
    ordering_fields = ["name", "reference", "status", "created", "updated"]
    create_service = staticmethod(services.ci_create)
    update_service = staticmethod(services.ci_update)
    delete_service = staticmethod(services.ci_delete)

    @extend_schema(responses=REACH_SCHEMA)
    @action(detail=True, methods=["get"])
    def impact(self, request: Request, pk=None) -> Response:
        """Every CI that runs on, depends on, is part of or is provided by this one, transitively; the
        catalogue services and customers affected. Limited to what you may see."""
        return Response(selectors.impact(self.get_object(), request.user).as_dict())

    @extend_schema(responses=REACH_SCHEMA)
    @action(detail=True, methods=["get"])
    def dependencies(self, request: Request, pk=None) -> Response:
        """Everything this CI relies on, transitively, and the services of those CIs."""
        return Response(selectors.dependencies(self.get_object(), request.user).as_dict())


class CIRelationshipSerializer(RecordSerializer):
    class Meta:
        model = CIRelationship
        fields = ["id", "url", "source", "target", "kind", "description", "created", "updated"]


class CIRelationshipViewSet(RecordViewSet):
    """Relationships between CIs: the source runs on / depends on / is part of / is provided by the target,
    or connects to it."""

    queryset = CIRelationship.objects.select_related("source", "target")
    serializer_class = CIRelationshipSerializer
    filterset_fields = ["source", "target", "kind"]
    search_fields = ["description", "source__name", "target__name"]
    ordering_fields = ["created", "updated", "kind"]
    create_service = staticmethod(services.relationship_create)


def register(router) -> None:
    router.register("ci-types", CITypeViewSet, basename="citype")
    router.register("cis", CIViewSet, basename="configurationitem")
    router.register("ci-relationships", CIRelationshipViewSet, basename="cirelationship")
