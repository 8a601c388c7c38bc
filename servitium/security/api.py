"""REST resources of information security: `security-settings`, `security-controls` (with `import-csv/` and
`import-oscal/`), `security-risk-assessments`, `security-incident-links`, `security-impact-assessments`,
`access-grants`, and the read-only `security-summary/`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet

from . import selectors, services
from .models import (
    AccessGrant,
    SecurityControl,
    SecurityImpactAssessment,
    SecurityIncidentLink,
    SecurityRiskAssessment,
    SecuritySettings,
)
from .resources import AccessGrantResource, SecurityControlResource


class SecurityControlSerializer(RecordSerializer):
    review_overdue = serializers.BooleanField(
        read_only=True, help_text="Applies and was never reviewed, or its next review has passed."
    )

    class Meta:
        resource = SecurityControlResource


class AccessGrantSerializer(RecordSerializer):
    review_overdue = serializers.BooleanField(
        read_only=True, help_text="In force and its next review has passed."
    )

    class Meta:
        resource = AccessGrantResource


class SecuritySettingsViewSet(RecordViewSet):
    queryset = SecuritySettings.objects.select_related("policy")


class CsvImportSerializer(serializers.Serializer):
    csv = serializers.CharField(
        max_length=2_000_000,
        trim_whitespace=False,
        help_text="CSV text with a header row: " + ", ".join(services.CSV_COLUMNS) + ".",
    )


class ControlOscalImportSerializer(serializers.Serializer):
    catalog = serializers.JSONField(help_text="An OSCAL catalog document (the object holding `catalog`).")


IMPORTED = inline_serializer(
    "SecurityControlImport", {"created": serializers.IntegerField(), "updated": serializers.IntegerField()}
)


class SecurityControlViewSet(RecordViewSet):
    """The provider's register of controls. `import-csv/` and `import-oscal/` create or update controls by
    identifier; a file with any error is refused whole (400 naming the row and the column)."""

    queryset = SecurityControl.objects.select_related("owner").prefetch_related("services", "cis", "risks")
    serializer_class = SecurityControlSerializer

    def _require_import(self) -> None:
        user = self.request.user
        if not (
            permissions.has_permission(user, permissions.ADD, SecurityControl)
            and permissions.has_permission(user, permissions.CHANGE, SecurityControl)
        ):
            raise PermissionDenied("Only the security roles import controls.")

    @extend_schema(request=CsvImportSerializer, responses=IMPORTED)
    @action(detail=False, methods=["post"], url_path="import-csv")
    def import_csv(self, request: Request) -> Response:
        self._require_import()
        given = CsvImportSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return Response(services.controls_import_csv(actor=request.user, text=given.validated_data["csv"]))

    @extend_schema(request=ControlOscalImportSerializer, responses=IMPORTED)
    @action(detail=False, methods=["post"], url_path="import-oscal")
    def import_oscal(self, request: Request) -> Response:
        self._require_import()
        given = ControlOscalImportSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        document = given.validated_data["catalog"]
        if isinstance(document, dict) and "catalog" not in document:
            document = {"catalog": document}
        return Response(services.controls_import_oscal(actor=request.user, document=document))


class SecurityRiskAssessmentViewSet(RecordViewSet):
    queryset = SecurityRiskAssessment.objects.select_related("assessor").prefetch_related(
        "services", "risks", "controls"
    )


class SecurityIncidentLinkViewSet(RecordViewSet):
    queryset = SecurityIncidentLink.objects.select_related("incident", "reviewed_by").prefetch_related(
        "controls", "risks"
    )


class SecurityImpactAssessmentViewSet(RecordViewSet):
    queryset = SecurityImpactAssessment.objects.select_related("change", "assessor").prefetch_related(
        "controls"
    )


class AccessGrantViewSet(RecordViewSet):
    queryset = AccessGrant.objects.select_related("organization", "person", "granted_by").prefetch_related(
        "services", "cis"
    )
    serializer_class = AccessGrantSerializer


SUMMARY = inline_serializer(
    "SecuritySummary",
    {
        "controls": serializers.IntegerField(),
        "applicable": serializers.IntegerField(),
        "implemented": serializers.IntegerField(),
        "partial": serializers.IntegerField(),
        "not_implemented": serializers.IntegerField(),
        "overdue_controls": serializers.IntegerField(),
        "grants": serializers.IntegerField(),
        "overdue_grants": serializers.IntegerField(),
        "incidents": serializers.IntegerField(),
        "incidents_linked": serializers.IntegerField(),
        "incidents_reviewed": serializers.IntegerField(),
        "latest_assessment": serializers.IntegerField(allow_null=True),
        "assessment_overdue": serializers.BooleanField(),
        "policy": serializers.IntegerField(allow_null=True),
        "policy_in_force": serializers.BooleanField(),
        "policy_approved_by_top_management": serializers.BooleanField(),
        "policy_communicated": serializers.BooleanField(),
        "policy_problems": serializers.ListField(child=serializers.CharField()),
    },
)


class SecuritySummaryViewSet(viewsets.ViewSet):
    """Information security at a glance: the register's implementation, overdue reviews, access grants,
    security incidents with their links, the latest risk assessment and the policy's standing."""

    @extend_schema(responses=SUMMARY)
    def list(self, request: Request) -> Response:
        if not permissions.has_permission(request.user, permissions.VIEW, SecurityControl):
            raise PermissionDenied("Information security records are for the security roles and auditors.")
        found = selectors.figures(request.user)
        policy = found.pop("policy")
        latest = found.pop("latest_assessment")
        return Response(
            {
                **found,
                "latest_assessment": latest.pk if latest else None,
                "policy": policy.document.pk if policy.document else None,
                "policy_in_force": policy.in_force,
                "policy_approved_by_top_management": policy.approved_by_top_management,
                "policy_communicated": policy.communicated,
                "policy_problems": [str(p) for p in policy.problems],
            }
        )


def register(router) -> None:
    """Add this app's resources to the API router."""
    router.register("security-settings", SecuritySettingsViewSet, basename="securitysettings")
    router.register("security-controls", SecurityControlViewSet, basename="securitycontrol")
    router.register(
        "security-risk-assessments", SecurityRiskAssessmentViewSet, basename="securityriskassessment"
    )
    router.register("security-incident-links", SecurityIncidentLinkViewSet, basename="securityincidentlink")
    router.register(
        "security-impact-assessments", SecurityImpactAssessmentViewSet, basename="securityimpactassessment"
    )
    router.register("access-grants", AccessGrantViewSet, basename="accessgrant")
    router.register("security-summary", SecuritySummaryViewSet, basename="security-summary")
