"""Base classes every app's API uses: a serializer that writes related records by id and a viewset whose
querysets pass through `restrict()` and whose writes call audited services."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core import permissions, tenancy
from servitium.core import services as core_services
from servitium.core.declaration import Resource, is_declared, resource_for
from servitium.core.errors import ApplicationError
from servitium.core.workflow import Workflow

from ..filters import GivenFiltersBackend, RecordFilterSet, filterset_for
from .fields import RestrictedPrimaryKeyRelatedField
from .lean import LeanOutputMixin


class RecordSerializer(serializers.ModelSerializer):
    # Model serializer with `url`, related records by id, and restricted choices for related ids. With
    # `Meta.resource` (a declaration, see core.declaration) the fields, the read-only ones and the required
    # ones come from the declaration; the class only adds what it computes (`*_display`, nested lists).
    # Input for the status field is passed to the service, which refuses it (400 naming it).
    # (A comment, not a docstring: the OpenAPI description of every record would inherit it.)

    serializer_related_field = RestrictedPrimaryKeyRelatedField
    masks_tenants = True  # to_representation below; the lean path (core/api/lean.py) does the same

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        meta = cls.__dict__.get("Meta")
        resource = getattr(meta, "resource", None)
        if resource is not None:
            derive_meta(meta, resource)

    def build_url_field(self, field_name, model_class):
        return serializers.HyperlinkedIdentityField, {
            "view_name": f"api:{model_class._meta.model_name}-detail"
        }

    @property
    def resource(self) -> type[Resource] | None:
        return getattr(self.Meta, "resource", None)

    def _user(self) -> Any:
        return getattr(self.context.get("request"), "user", None)

    def get_fields(self):
        fields = super().get_fields()
        resource = self.resource
        customer_required = getattr(resource, "customer", None) and resource.customer.required
        if customer_required is not None and permissions.is_customer_user(self._user()):
            for name in resource.writable():
                if name in fields:
                    fields[name].required = name in customer_required
        return fields

    def to_internal_value(self, data):
        refused = self._refused_read_only(data)
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if refused and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **refused}) from None
            raise
        if refused:
            raise serializers.ValidationError(refused)
        status_field = getattr(self.resource, "status", None)
        if status_field and isinstance(data, Mapping) and status_field in data:
            values[status_field] = data[status_field]  # for the service to refuse unless unchanged
        return values

    def _refused_read_only(self, data) -> dict[str, list[str]]:
        """Declared fields nobody writes, sent with a value other than the one the record shows: a 400
        naming them, as on every other channel, never a silent 200 (a value equal to what a GET shows is
        not a write, so a client may send back what it read)."""
        resource = self.resource
        if resource is None or not isinstance(data, Mapping):
            return {}
        sent = [name for name in resource.read_only() if name in data]
        if not sent:
            return {}
        current = super().to_representation(self.instance) if self.instance is not None else {}
        message = [str(_("You may not set this field."))]
        return {name: message for name in sent if self.instance is None or data[name] != current.get(name)}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        organization = tenancy.customer_organization(self._user())
        if organization is not None:
            tenancy.mask(data, tenancy.tenant_fields(type(instance), data), organization)
        return data


def derive_meta(meta: type, resource: type[Resource]) -> None:
    """Fill a serializer's Meta from a declaration."""
    meta.model = resource.model
    meta.fields = [*resource.representation(), *resource.write_only]
    writable = resource.writable()
    meta.read_only_fields = [
        n for n in meta.fields if n not in writable and n != "url" and resource.model_field(n) is not None
    ]
    extra = dict(getattr(meta, "extra_kwargs", {}) or {})
    if resource.staff.required is not None:
        for name in writable:
            if resource.model_field(name) is not None:
                extra.setdefault(name, {}).setdefault("required", name in resource.staff.required)
    for name in resource.write_only:
        extra.setdefault(name, {})["write_only"] = True
    meta.extra_kwargs = extra


_SERIALIZERS: dict[type[Resource], type[RecordSerializer]] = {}


def serializer_for(resource: type[Resource]) -> type[RecordSerializer]:
    """The serializer a declaration gives when its API adds nothing of its own."""
    found = _SERIALIZERS.get(resource)
    if found is None:
        meta = type("Meta", (), {"resource": resource})
        name = f"{resource.model.__name__}Serializer"
        found = _SERIALIZERS[resource] = type(name, (RecordSerializer,), {"Meta": meta})
    return found


class TransitionInputSerializer(serializers.Serializer):
    transition = serializers.CharField(help_text="Name of the transition, from GET transitions/.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    target = serializers.CharField()


class RecordViewSet(LeanOutputMixin, viewsets.ModelViewSet):
    """CRUD on one model through the one permission path and the audited services.

    Subclasses set `queryset`, `serializer_class`, and optionally `create_service` / `update_service` /
    `delete_service` (callables taking keyword arguments) and `workflow` + `transition_service`.
    """

    create_service: ClassVar[Callable[..., Any] | None] = None
    update_service: ClassVar[Callable[..., Any] | None] = None
    delete_service: ClassVar[Callable[..., Any] | None] = None
    workflow: ClassVar[Workflow | None] = None
    workflow_field: ClassVar[str] = "status"
    transition_service: ClassVar[Callable[..., Any] | None] = None
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    resource: ClassVar[type[Resource] | None] = None
    lane_actions = ("list", "retrieve", "transitions")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A viewset of a declared record type takes its serializer (unless it has its own), its one
        FilterSet (filters, search, ordering) and its lifecycle from the declaration."""
        super().__init_subclass__(**kwargs)
        resource = cls.resource
        queryset = cls.__dict__.get("queryset")
        if resource is None and queryset is not None and is_declared(queryset.model):
            resource = resource_for(queryset.model)
        if resource is None:
            return
        cls.resource = resource
        if cls.__dict__.get("serializer_class") is None and getattr(cls, "serializer_class", None) is None:
            cls.serializer_class = serializer_for(resource)
        if "filterset_class" not in cls.__dict__:
            cls.filterset_class = filterset_for(resource)
        if issubclass(cls.filterset_class, RecordFilterSet):  # search and ordering are in it
            cls.filter_backends = [GivenFiltersBackend]
        if resource.workflow is not None and "workflow" not in cls.__dict__:
            cls.workflow = resource.workflow
            cls.workflow_field = resource.status or "status"

    @property
    def model(self):
        return self.queryset.model

    def get_queryset(self):
        return permissions.restrict(super().get_queryset(), self.request.user, permissions.VIEW)

    def filter_queryset(self, queryset):
        if self.detail and not self.request.query_params:  # one record by id: no filter or order applies
            return queryset
        return super().filter_queryset(queryset)

    def _require(self, action_name: str, obj=None) -> None:
        user = self.request.user
        allowed = (
            permissions.can(user, action_name, obj)
            if obj is not None
            else permissions.has_permission(user, action_name, self.model)
        )
        if not allowed:
            raise PermissionDenied(
                _("You may not %(action)s this %(record)s.")
                % {"action": action_name, "record": self.model._meta.verbose_name}
            )

    @staticmethod
    def split_m2m(model, validated: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        names = {f.name for f in model._meta.many_to_many}
        data = {k: v for k, v in validated.items() if k not in names}
        m2m = {k: v for k, v in validated.items() if k in names}
        return data, m2m

    def create(self, request: Request, *args, **kwargs) -> Response:
        self._require(permissions.ADD)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, m2m = self.split_m2m(self.model, serializer.validated_data)
        with transaction.atomic():
            if self.create_service is not None:
                instance = type(self).create_service(actor=request.user, data=data, m2m=m2m)
            else:
                instance = core_services.record_create(
                    model=self.model, data=data, actor=request.user, m2m=m2m
                )
        return Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args, **kwargs) -> Response:
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        self._require(permissions.CHANGE, instance)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data, m2m = self.split_m2m(self.model, serializer.validated_data)
        with transaction.atomic():
            if self.update_service is not None:
                instance = type(self).update_service(
                    actor=request.user, instance=instance, data=data, m2m=m2m
                )
            else:
                instance = core_services.record_update(
                    instance=instance, data=data, actor=request.user, m2m=m2m
                )
        return Response(self.get_serializer(instance).data)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        instance = self.get_object()
        self._require(permissions.DELETE, instance)
        if self.delete_service is not None:
            type(self).delete_service(actor=request.user, instance=instance)
        else:
            core_services.record_delete(instance=instance, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def available_transitions(self, instance) -> list[dict[str, str]]:
        if self.workflow is None:
            return []
        state = getattr(instance, self.workflow_field)
        return [
            {"name": t.name, "label": str(t.label), "target": t.target}
            for t in self.workflow.available(instance, state)
            if permissions.can(self.request.user, t.action, instance)
        ]

    @extend_schema(
        methods=["GET"],
        responses=TransitionSerializer(many=True),
        description="Transitions this user may apply to the record now.",
    )
    @extend_schema(
        methods=["POST"],
        request=TransitionInputSerializer,
        responses={
            200: OpenApiResponse(description="The record after the transition."),
            400: OpenApiResponse(description="Unknown transition or missing data."),
            409: inline_serializer(
                "TransitionConflict", {"code": serializers.CharField(), "detail": serializers.CharField()}
            ),
        },
        description="Apply a lifecycle transition.",
    )
    @action(detail=True, methods=["get", "post"], url_path="transitions")
    def transitions(self, request: Request, pk=None) -> Response:
        if self.workflow is None:
            raise ApplicationError(_("This record has no lifecycle."), code="no_lifecycle")
        instance = self.get_object()
        if request.method == "GET":
            return Response(self.available_transitions(instance))
        payload = TransitionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        name = payload.validated_data["transition"]
        if name not in {t.name for t in self.workflow.transitions}:
            raise ApplicationError(
                _("Unknown transition %(name)s; known: %(known)s.")
                % {"name": name, "known": ", ".join(t.name for t in self.workflow.transitions)},
                code="unknown_transition",
            )
        self._require(self.workflow.get(name).action, instance)
        extra = {k: v for k, v in request.data.items() if k not in ("transition", "note")}
        instance = type(self).transition_service(
            actor=request.user,
            instance=instance,
            transition=name,
            note=payload.validated_data["note"],
            data=extra,
        )
        return Response(self.get_serializer(instance).data)
