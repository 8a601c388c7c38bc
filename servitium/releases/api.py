"""REST resources of release and deployment management: `release-policies`, `releases` (with transitions,
`service-desk/`, `trends/`, `early-life-incidents/`), `acceptance-criteria`, `deployments` (read-only: the
lifecycle writes them)."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet
from servitium.core.api.fields import query_int
from servitium.core.api.lean import LeanOutputMixin
from servitium.core.filters import filterset_for

from . import selectors, services
from .models import AcceptanceCriterion, Deployment, Release, ReleasePolicy
from .resources import DeploymentResource, ReleaseResource


class ReleasePolicyViewSet(RecordViewSet):
    """Release policies agreed with customers (frequency, types of release); one default has no customer."""

    queryset = ReleasePolicy.objects.select_related("customer")


class AcceptanceCriterionViewSet(RecordViewSet):
    """Acceptance criteria of releases and their results in the acceptance environment."""

    queryset = AcceptanceCriterion.objects.select_related("release")
    create_service = staticmethod(services.criterion_create)
    update_service = staticmethod(services.criterion_update)
    delete_service = staticmethod(services.criterion_delete)


class DeploymentSerializer(RecordSerializer):
    release_reference = serializers.CharField(source="release.reference", read_only=True)

    class Meta:
        resource = DeploymentResource


class DeploymentViewSet(
    LeanOutputMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Deployment records, written by the release lifecycle (deploy, complete, fail, roll_back); filters,
    search and ordering as declared (releases.resources)."""

    queryset = Deployment.objects.select_related("release")
    serializer_class = DeploymentSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filterset_for(DeploymentResource)

    def get_queryset(self):
        return permissions.restrict(super().get_queryset(), self.request.user, permissions.VIEW)


class ReleaseSerializer(RecordSerializer):
    deployments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    acceptance_criteria = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        resource = ReleaseResource


class ReleaseSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Release
        fields = ["id", "reference", "title", "release_type", "status", "planned_start", "deployed_at"]


MONTHS = OpenApiParameter("months", int, description="Months back (1-60, default 12).")
DAYS = OpenApiParameter("days", int, description="Days ahead and back (1-365, default 30).")


class ReleaseViewSet(RecordViewSet):
    """Releases; transitions: build, accept, approve, deploy (environment), complete, fail (failure_reason),
    roll_back (rollback_notes), review (review_notes), close, cancel."""

    queryset = Release.objects.select_related("policy").prefetch_related(
        "services", "changes", "problems", "known_errors", "deployments", "acceptance_criteria"
    )
    serializer_class = ReleaseSerializer
    create_service = staticmethod(services.release_create)
    update_service = staticmethod(services.release_update)
    transition_service = staticmethod(services.release_transition)

    @extend_schema(
        parameters=[DAYS],
        responses=inline_serializer(
            "ReleasesForServiceDesk",
            {
                "upcoming": ReleaseSummarySerializer(many=True),
                "failures": ReleaseSummarySerializer(many=True),
            },
        ),
    )
    @action(detail=False, methods=["get"], url_path="service-desk")
    def service_desk(self, request: Request) -> Response:
        """Releases coming soon and releases that failed recently, for the service desk."""
        days = query_int(request, "days", 30, 1, 365)
        upcoming, troubled = selectors.service_desk_view(self.get_queryset(), days=days)
        return Response(
            {
                "upcoming": ReleaseSummarySerializer(upcoming[:100], many=True).data,
                "failures": ReleaseSummarySerializer(troubled[:100], many=True).data,
            }
        )

    @extend_schema(
        parameters=[MONTHS],
        responses=inline_serializer(
            "ReleaseTrend",
            {
                "month": serializers.CharField(),
                "releases": serializers.IntegerField(),
                "failed": serializers.IntegerField(),
                "rolled_back": serializers.IntegerField(),
                "successful": serializers.IntegerField(),
                "success_rate": serializers.FloatField(allow_null=True),
            },
            many=True,
        ),
    )
    @action(detail=False, methods=["get"])
    def trends(self, request: Request) -> Response:
        """Per month: releases deployed, failed, rolled back, and the share that succeeded."""
        months = query_int(request, "months", 12, 1, 60)
        return Response(selectors.trends(self.get_queryset(), months=months))

    @extend_schema(
        responses=inline_serializer(
            "EarlyLifeIncident",
            {
                "id": serializers.IntegerField(),
                "reference": serializers.CharField(),
                "title": serializers.CharField(),
                "priority": serializers.IntegerField(),
                "created": serializers.DateTimeField(),
            },
            many=True,
        )
    )
    @action(detail=True, methods=["get"], url_path="early-life-incidents")
    def early_life_incidents(self, request: Request, pk=None) -> Response:
        """Incidents on the release's CIs in its early-life period (those this user may see)."""
        release = self.get_object()
        incidents = permissions.restrict(selectors.early_life_incidents(release), request.user)
        rows = incidents.order_by("created", "id").values("id", "reference", "title", "priority", "created")
        return Response(list(rows[:1000]))


def register(router) -> None:
    router.register("release-policies", ReleasePolicyViewSet, basename="releasepolicy")
    router.register("releases", ReleaseViewSet, basename="release")
    router.register("acceptance-criteria", AcceptanceCriterionViewSet, basename="acceptancecriterion")
    router.register("deployments", DeploymentViewSet, basename="deployment")
