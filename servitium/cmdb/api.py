"""REST resources of configuration management: `ci-types`, `cis` (with `impact/` and `dependencies/`),
`ci-relationships`."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet
from servitium.core.api.fields import RestrictedPrimaryKeyRelatedField

from . import api_control, control, selectors, services
from .api_inputs import InputsSerializer
from .models import CIRelationship, CIType, ConfigurationItem
from .resources import CIRelationshipResource, CITypeResource, ConfigurationItemResource


class CITypeSerializer(RecordSerializer):
    """A kind of configuration item and the attribute schema its CIs are checked against."""

    under_change_control = serializers.SerializerMethodField(
        help_text="Whether the active change policy puts CIs of this type under change control (set there)."
    )

    class Meta:
        resource = CITypeResource

    def get_under_change_control(self, obj: CIType) -> bool:
        return control.type_under_change_control(obj)


class CITypeViewSet(RecordViewSet):
    """CI types and the attribute schema their CIs are checked against."""

    queryset = CIType.objects.all()
    serializer_class = CITypeSerializer
    update_service = staticmethod(services.ci_type_update)

    def get_queryset(self):
        return control.with_control(super().get_queryset())


CHANGE_HELP = (
    "Write only: the approved change that covers this write. CIs of types under change control change only "
    "through such a change, or by a configuration manager."
)


class ChangeField(RestrictedPrimaryKeyRelatedField):
    """A change record by id, from the installed change process (cmdb.control), among those the user may
    see; without a change process there is none to name."""

    def get_queryset(self):
        changes = control.changes()
        if changes is None:
            return CIType.objects.none()
        request = self.context.get("request")
        return changes if request is None else permissions.restrict(changes, request.user)


def _change_field():
    # The queryset given here only satisfies the field's constructor; get_queryset() asks the change process.
    return ChangeField(
        queryset=CIType.objects.none(),
        write_only=True,
        required=False,
        allow_null=True,
        help_text=CHANGE_HELP,
    )


class CISerializer(InputsSerializer):
    """A configuration item; `change` (write only) names the approved change covering a write to a CI under
    change control."""

    ci_type_display = serializers.CharField(source="ci_type.name", read_only=True)
    change = _change_field()
    inputs = ("change",)

    class Meta:
        resource = ConfigurationItemResource


def _summary(name: str, fields: list[str], many: bool = False):
    return inline_serializer(
        name,
        {f: serializers.IntegerField() if f == "id" else serializers.CharField() for f in fields},
        many=many,
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
        "services": _summary("CIReachService", ["id", "name"], many=True),
        "customers": _summary("CIReachCustomer", ["id", "name"], many=True),
    },
)


MAP_SCHEMA = inline_serializer(
    "CIMap",
    {
        "ci": serializers.IntegerField(),
        "depth": serializers.IntegerField(),
        "nodes": inline_serializer(
            "CIMapNode",
            {
                "id": serializers.IntegerField(),
                "reference": serializers.CharField(),
                "name": serializers.CharField(),
                "ci_type": serializers.CharField(),
                "status": serializers.CharField(),
                "health": serializers.CharField(),
                "level": serializers.IntegerField(),
                "url": serializers.CharField(),
            },
            many=True,
        ),
        "edges": inline_serializer(
            "CIMapEdge",
            {
                "id": serializers.IntegerField(),
                "source": serializers.IntegerField(),
                "target": serializers.IntegerField(),
                "kind": serializers.CharField(),
            },
            many=True,
        ),
    },
)

LICENCE_SCHEMA = inline_serializer(
    "LicencePosition",
    {
        "id": serializers.IntegerField(),
        "reference": serializers.CharField(),
        "name": serializers.CharField(),
        "status": serializers.CharField(),
        "entitlement": serializers.IntegerField(allow_null=True),
        "metric": serializers.CharField(),
        "used": serializers.IntegerField(),
        "headroom": serializers.IntegerField(allow_null=True),
        "expires_on": serializers.DateField(allow_null=True),
        "days_to_expiry": serializers.IntegerField(allow_null=True),
        "contract": serializers.CharField(),
        "over_use": serializers.BooleanField(),
        "expiring": serializers.BooleanField(),
        "expired": serializers.BooleanField(),
    },
    many=True,
)


class CIViewSet(RecordViewSet):
    """Configuration items. A customer user sees the CIs serving its organization. `impact/`: what is
    affected when the CI fails; `dependencies/`: what it relies on."""

    queryset = ConfigurationItem.objects.select_related("ci_type").prefetch_related(
        "customers", "master_copies"
    )
    serializer_class = CISerializer
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

    @extend_schema(
        parameters=[OpenApiParameter("depth", OpenApiTypes.INT, description="Steps each way, 1 to 4 (2).")],
        responses=MAP_SCHEMA,
    )
    @action(detail=True, methods=["get"], url_path="map")
    def service_map(self, request: Request, pk=None) -> Response:
        """The CI's map: what it depends on (`level` > 0) and what depends on it (`level` < 0), `depth` steps
        each way; `health` is `failed` (open incident), `degraded` (in maintenance) or `ok`."""
        try:
            depth = int(request.query_params.get("depth", 2))
        except ValueError:
            raise ValidationError({"depth": [_("A whole number from 1 to 4.")]}) from None
        if not 1 <= depth <= selectors.MAX_MAP_DEPTH:
            raise ValidationError({"depth": [_("A whole number from 1 to 4.")]})
        return Response(selectors.ci_map(self.get_object(), request.user, depth))

    @extend_schema(responses=LICENCE_SCHEMA)
    @action(detail=False, methods=["get"])
    def licences(self, request: Request) -> Response:
        """Every licence CI you may see with its entitlement, use, headroom and expiry; `over_use` when more
        is used than bought, `expiring` within 60 days, `expired` after the date."""
        return Response([p.as_dict() for p in selectors.licences(request.user)])


class CIRelationshipSerializer(InputsSerializer):
    """A directed relationship between two CIs; `change` (write only) as for CIs."""

    change = _change_field()
    inputs = ("change",)

    class Meta:
        resource = CIRelationshipResource


class CIRelationshipViewSet(RecordViewSet):
    """Relationships between CIs: the source runs on / depends on / is part of / is provided by the target,
    or connects to it."""

    queryset = CIRelationship.objects.select_related("source", "target")
    serializer_class = CIRelationshipSerializer
    create_service = staticmethod(services.relationship_create)
    update_service = staticmethod(services.relationship_update)
    delete_service = staticmethod(services.relationship_delete)


def register(router) -> None:
    api_control.register(router)
    router.register("ci-types", CITypeViewSet, basename="citype")
    router.register("cis", CIViewSet, basename="configurationitem")
    router.register("ci-relationships", CIRelationshipViewSet, basename="cirelationship")
