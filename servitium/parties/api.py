"""REST resources: organizations, locations, people, teams, users (declared in resources.py)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet
from servitium.core.filters import filterset_for

from . import services
from .models import Location, Organization, Person, Team, User
from .resources import PersonResource, UserResource


class OrganizationViewSet(RecordViewSet):
    queryset = Organization.objects.all()


class LocationViewSet(RecordViewSet):
    queryset = Location.objects.all()


class PersonSerializer(RecordSerializer):
    organization_display = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        resource = PersonResource


class PersonViewSet(RecordViewSet):
    queryset = Person.objects.select_related("organization")
    serializer_class = PersonSerializer


class TeamViewSet(RecordViewSet):
    queryset = Team.objects.prefetch_related("members")
    create_service = staticmethod(services.team_create)
    update_service = staticmethod(services.team_update)


class UserSerializer(RecordSerializer):
    """A login: `password` is accepted (and stored hashed by the services) but never returned; `roles`
    is a list of role names (GET /api/v1/roles/)."""

    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})
    roles = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        resource = UserResource


class _AccountOrdering(django_filters.OrderingFilter):
    """The declared orderings, and `created`: an account's creation is the date it joined, so
    `?ordering=created` sorts users as it sorts every other record type."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.param_map["created"] = "date_joined"

    def build_choices(self, fields, labels):
        created = _("created")
        return [
            *super().build_choices(fields, labels),
            ("created", created),
            ("-created", self.descending_fmt % created),
        ]


class PreferencesSerializer(serializers.Serializer):
    """What every user may change about their own login."""

    language = serializers.CharField(required=False, allow_blank=True, max_length=16)
    time_zone = serializers.CharField(required=False, allow_blank=True, max_length=64)


class UserFilterSet(filterset_for(UserResource)):
    ordering = _AccountOrdering(
        fields=[(n, n) for n in (*UserResource.orderings, "id")],
        label=_("Order by"),
        help_text=_("Field names, comma-separated; a leading minus sorts descending."),
    )


class UserViewSet(RecordViewSet):
    """Logins. Administrators create them with roles and an organization; DELETE deactivates."""

    queryset = User.objects.select_related("organization")
    serializer_class = UserSerializer
    filterset_class = UserFilterSet
    create_service = staticmethod(services.user_create)
    update_service = staticmethod(services.user_update)
    delete_service = staticmethod(services.user_delete)

    @extend_schema(methods=["GET"], responses=UserSerializer)
    @extend_schema(methods=["PATCH"], request=PreferencesSerializer, responses=UserSerializer)
    @action(detail=False, methods=["get", "patch"], permission_classes=[])
    def me(self, request):
        """The signed-in user, whatever their roles. PATCH changes their own language and time zone (and
        nothing else: other fields are refused by name)."""
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        user = request.user
        if request.method == "PATCH":
            incoming = PreferencesSerializer(data=request.data, partial=True)
            incoming.is_valid(raise_exception=True)
            unknown = sorted(set(request.data) - set(PreferencesSerializer().fields))
            data = {**{name: request.data[name] for name in unknown}, **incoming.validated_data}
            user = services.own_preferences_update(user=user, data=data)
        return Response(self.get_serializer(user).data)


class RoleSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField()


def role_list() -> list[dict[str, str]]:
    return [
        {"name": r.name, "label": str(r.label), "description": str(r.description)}
        for r in sorted(permissions.ROLES.values(), key=lambda r: r.name)
    ]
