"""REST resources: organizations, locations, people, teams, users."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet

from . import services
from .models import Location, Organization, Person, Team, User


class OrganizationSerializer(RecordSerializer):
    class Meta:
        model = Organization
        fields = [
            "id",
            "url",
            "name",
            "kind",
            "description",
            "website",
            "email",
            "phone",
            "active",
            "created",
            "updated",
        ]


class OrganizationViewSet(RecordViewSet):
    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    filterset_fields = ["kind", "active", "name"]
    search_fields = ["name", "description"]
    ordering_fields = ["name", "kind", "created", "updated"]


class LocationSerializer(RecordSerializer):
    class Meta:
        model = Location
        fields = [
            "id",
            "url",
            "organization",
            "name",
            "address",
            "country",
            "time_zone",
            "created",
            "updated",
        ]


class LocationViewSet(RecordViewSet):
    queryset = Location.objects.all()
    serializer_class = LocationSerializer
    filterset_fields = ["organization", "country"]
    search_fields = ["name", "address"]
    ordering_fields = ["name", "created"]


class PersonSerializer(RecordSerializer):
    organization_display = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "url",
            "name",
            "email",
            "phone",
            "job_title",
            "organization",
            "organization_display",
            "user",
            "active",
            "created",
            "updated",
        ]


class PersonViewSet(RecordViewSet):
    queryset = Person.objects.select_related("organization")
    serializer_class = PersonSerializer
    filterset_fields = ["organization", "active", "email", "user"]
    search_fields = ["name", "email", "job_title"]
    ordering_fields = ["name", "created", "updated"]


class TeamSerializer(RecordSerializer):
    class Meta:
        model = Team
        fields = [
            "id",
            "url",
            "name",
            "description",
            "organization",
            "members",
            "lead",
            "email",
            "created",
            "updated",
        ]


class TeamViewSet(RecordViewSet):
    queryset = Team.objects.prefetch_related("members")
    serializer_class = TeamSerializer
    filterset_fields = ["organization", "lead", "members"]
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created"]
    create_service = staticmethod(services.team_create)
    update_service = staticmethod(services.team_update)


class UserSerializer(RecordSerializer):
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})
    roles = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = User
        fields = [
            "id",
            "url",
            "username",
            "password",
            "email",
            "first_name",
            "last_name",
            "organization",
            "roles",
            "time_zone",
            "is_active",
            "last_login",
            "date_joined",
        ]
        read_only_fields = ["last_login", "date_joined"]


class UserViewSet(RecordViewSet):
    """Logins. Administrators create them with roles and an organization; DELETE deactivates."""

    queryset = User.objects.select_related("organization")
    serializer_class = UserSerializer
    filterset_fields = ["organization", "is_active", "username"]
    search_fields = ["username", "email", "first_name", "last_name"]
    ordering_fields = ["username", "date_joined"]
    create_service = staticmethod(services.user_create)
    update_service = staticmethod(services.user_update)
    delete_service = staticmethod(services.user_delete)

    @extend_schema(responses=UserSerializer)
    @action(detail=False, methods=["get"], permission_classes=[])
    def me(self, request):
        """The signed-in user, whatever their roles."""
        if not request.user.is_authenticated:
            from rest_framework.exceptions import NotAuthenticated

            raise NotAuthenticated()
        return Response(self.get_serializer(request.user).data)


class RoleSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField()


def role_list() -> list[dict[str, str]]:
    return [
        {"name": r.name, "label": str(r.label), "description": str(r.description)}
        for r in sorted(permissions.ROLES.values(), key=lambda r: r.name)
    ]
