"""REST resources of release and deployment management: `release-policies`, `releases` (with transitions,
`service-desk/`, `trends/`, `early-life-incidents/`), `acceptance-criteria`, `deployments` (read-only: the
lifecycle writes them)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet
from servitium.core.api.fields import query_int

from . import selectors, services
from .lifecycle import RELEASE_WORKFLOW
from .models import AcceptanceCriterion, Deployment, Release, ReleasePolicy


class ReleasePolicySerializer(RecordSerializer):
    class Meta:
        model = ReleasePolicy
        fields = [
            "id",
            "url",
            "name",
            "customer",
            "frequency",
            "release_types",
            "notice_days",
            "early_life_days",
            "max_early_life_incidents",
            "acceptance_requirements",
            "agreed_on",
            "created",
            "updated",
        ]


class ReleasePolicyViewSet(RecordViewSet):
    """Release policies agreed with customers (frequency, types of release); one default has no customer."""

    queryset = ReleasePolicy.objects.select_related("customer")
    serializer_class = ReleasePolicySerializer
    filterset_fields = ["customer", "frequency"]
    search_fields = ["name"]
    ordering_fields = ["name", "created", "updated"]


class AcceptanceCriterionSerializer(RecordSerializer):
    class Meta:
        model = AcceptanceCriterion
        fields = [
            "id",
            "url",
            "release",
            "criterion",
            "result",
            "evidence",
            "tested_by",
            "tested_at",
            "created",
            "updated",
        ]


class AcceptanceCriterionViewSet(RecordViewSet):
    """Acceptance criteria of releases and their results in the acceptance environment."""

    queryset = AcceptanceCriterion.objects.select_related("release")
    serializer_class = AcceptanceCriterionSerializer
    filterset_fields = ["release", "result"]
    ordering_fields = ["created", "updated"]
    create_service = staticmethod(services.criterion_create)
    update_service = staticmethod(services.criterion_update)
    delete_service = staticmethod(services.criterion_delete)


class DeploymentSerializer(RecordSerializer):
    release_reference = serializers.CharField(source="release.reference", read_only=True)

    class Meta:
        model = Deployment
        fields = [
            "id",
            "url",
            "reference",
            "release",
            "release_reference",
            "environment",
            "started_at",
            "finished_at",
            "outcome",
            "baseline",
            "performed_by",
            "notes",
            "rollback_notes",
            "created",
            "updated",
        ]
        read_only_fields = fields


class DeploymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Deployment records, written by the release lifecycle (deploy, complete, fail, roll_back)."""

    queryset = Deployment.objects.select_related("release")
    serializer_class = DeploymentSerializer
    filterset_fields = ["release", "outcome", "environment"]
    ordering_fields = ["started_at", "created"]

    def get_queryset(self):
        return permissions.restrict(super().get_queryset(), self.request.user, permissions.VIEW)


class ReleaseSerializer(RecordSerializer):
    deployments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    acceptance_criteria = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Release
        fields = [
            "id",
            "url",
            "reference",
            "title",
            "description",
            "release_type",
            "status",
            "policy",
            "release_manager",
            "services",
            "changes",
            "problems",
            "known_errors",
            "planned_start",
            "planned_end",
            "deliverables",
            "deployment_method",
            "acceptance_environment",
            "rollback_plan",
            "acceptance_criteria",
            "deployments",
            "approved_by",
            "approved_at",
            "deployed_at",
            "failure_reason",
            "review_notes",
            "reviewed_at",
            "early_life_incidents",
            "successful",
            "created",
            "updated",
        ]
        read_only_fields = [
            "reference",
            "status",
            "approved_by",
            "approved_at",
            "deployed_at",
            "failure_reason",
            "reviewed_at",
            "early_life_incidents",
            "successful",
        ]


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
    filterset_fields = ["status", "release_type", "policy", "services", "changes", "successful"]
    search_fields = ["reference", "title", "description"]
    ordering_fields = ["planned_start", "deployed_at", "created", "updated", "reference"]
    create_service = staticmethod(services.release_create)
    update_service = staticmethod(services.release_update)
    workflow = RELEASE_WORKFLOW
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
