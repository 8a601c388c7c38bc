"""REST resources of the conformity engine: `frameworks`, `requirements` (read-only catalogue),
`attestations`, `assessments` (run on POST, never changed; `diff/`, `gap-analysis/`, `rollups/`),
`results` (read-only) and `implementation-plan` (`nonconformities` belong to the improvement app)."""

from __future__ import annotations

from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet
from servitium.core.filters import record_id
from servitium.core.models import Attachment
from servitium.core.nul import NUL, nul_message

from . import coverage, evidence, oscal, selectors, services
from .models import (
    Assessment,
    Attestation,
    Exclusion,
    Framework,
    PlanItem,
    Requirement,
    Result,
)
from .resources import (
    AssessmentResource,
    AttestationResource,
    ExclusionResource,
    FrameworkResource,
    PlanItemResource,
    RequirementResource,
    ResultResource,
)


class CatalogueMixin:
    """The catalogue is reference data: a user the declaration lets read none of it (customer users) gets
    403, not an empty list."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not permissions.has_permission(request.user, permissions.VIEW, self.queryset.model):
            raise PermissionDenied(_("The requirement catalogues are open to provider users only."))


# --- catalogue --------------------------------------------------------------------------------------------


class FrameworkSerializer(RecordSerializer):
    requirement_count = serializers.SerializerMethodField()

    class Meta:
        resource = FrameworkResource

    @extend_schema_field(OpenApiTypes.INT)
    def get_requirement_count(self, obj: Framework) -> int:
        counted = getattr(obj, "requirement_count", None)  # annotated by the viewset's queryset
        return obj.requirements.count() if counted is None else counted


class OscalImportSerializer(serializers.Serializer):
    slug = serializers.RegexField(
        r"^[a-z0-9][a-z0-9:.\-]*$", max_length=64, help_text="Slug of the new framework"
    )
    catalog = serializers.JSONField(help_text='An OSCAL catalog document ({"catalog": {...}})')


class FrameworkViewSet(CatalogueMixin, RecordViewSet):
    """The requirement catalogues (ISO/IEC 20000-1:2011 and :2018, 20000-9 scenarios, 20000-5 plan).
    `oscal/`: a framework as an OSCAL catalog; `import-oscal/`: add a framework from an OSCAL catalog."""

    queryset = Framework.objects.annotate(requirement_count=Count("requirements"))
    serializer_class = FrameworkSerializer
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request: Request, *args, **kwargs) -> Response:
        raise MethodNotAllowed(
            "POST", detail=_("Frameworks come from the catalogue files or an OSCAL import.")
        )

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def oscal(self, request: Request, pk=None) -> Response:
        """This framework as an OSCAL catalog (JSON)."""
        return Response(oscal.catalog(self.get_object()))

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def coverage(self, request: Request, pk=None) -> Response:
        """Per leaf obligation: a check, a record rule, an attestation only or nothing covers it; and the
        requirements whose obligations are all covered by checks or record rules."""
        return Response(coverage.coverage(self.get_object().slug))

    @extend_schema(request=OscalImportSerializer, responses={201: FrameworkSerializer})
    @action(detail=False, methods=["post"], url_path="import-oscal")
    def import_oscal(self, request: Request) -> Response:
        """Add (or replace an imported) framework from an OSCAL catalog."""
        self._require(permissions.ADD)
        payload = OscalImportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        framework = oscal.import_catalog(
            payload.validated_data["catalog"], slug=payload.validated_data["slug"], actor=request.user
        )
        return Response(self.get_serializer(framework).data, status=201)


class IdentifierListField(serializers.ListField):
    """Related requirements by identifier (prefetched, no query per row)."""

    child = serializers.CharField()

    def to_representation(self, data):
        return [r.identifier for r in data.all()]


class RequirementSerializer(RecordSerializer):
    framework = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="identifier", read_only=True)
    maps_to = IdentifierListField(read_only=True)
    applicable_clauses = IdentifierListField(read_only=True)

    class Meta:
        resource = RequirementResource


_IDENTS = Requirement.objects.only("id", "identifier")


class RequirementViewSet(CatalogueMixin, RecordViewSet):
    """Requirements of every framework: clauses, obligations, scenarios (with `applicable_clauses`) and
    activities (with `phases`, `responsibility`). Filter `?framework=<slug>`."""

    queryset = Requirement.objects.select_related("framework", "parent").prefetch_related(
        Prefetch("maps_to", queryset=_IDENTS), Prefetch("applicable_clauses", queryset=_IDENTS)
    )
    serializer_class = RequirementSerializer
    http_method_names = ["get", "head", "options"]


# --- attestations -----------------------------------------------------------------------------------------


class AttachmentSummary(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    sha256 = serializers.CharField()
    download_url = serializers.CharField()


def _attachments_by_attestation(ids: list[int]) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {pk: [] for pk in ids}
    # The type is matched in the same query (no content-type lookup whose cost depends on a cache).
    meta = Attestation._meta
    attached = Attachment.objects.filter(
        target_type__app_label=meta.app_label, target_type__model=meta.model_name, object_id__in=ids
    )
    for a in attached.order_by("id"):
        found[a.object_id].append(
            {
                "id": a.pk,
                "name": a.name,
                "sha256": a.sha256,
                "download_url": f"/api/v1/attachments/{a.pk}/download/",
            }
        )
    return found


class AttestationListSerializer(serializers.ListSerializer):
    """Reads the evidence files of a whole page in one query."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        self.child.context["attachments"] = _attachments_by_attestation([i.pk for i in items])
        return super().to_representation(items)


class AttestationSerializer(RecordSerializer):
    requirement_display = serializers.CharField(source="requirement.__str__", read_only=True)
    requirement_summary = serializers.CharField(
        source="requirement.summary", read_only=True, help_text="what the requirement asks, to attest to"
    )
    valid = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        resource = AttestationResource
        list_serializer_class = AttestationListSerializer

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_valid(self, obj: Attestation) -> bool:
        return obj.is_valid_on(timezone.localdate())

    @extend_schema_field(AttachmentSummary(many=True))
    def get_attachments(self, obj: Attestation) -> list[dict]:
        """Evidence files: add them with POST /api/v1/attachments/ (object_type conformity.attestation)."""
        known = self.context.get("attachments")
        if known is None or obj.pk not in known:
            known = _attachments_by_attestation([obj.pk])
        return known[obj.pk]


class AttestationViewSet(RecordViewSet):
    """Signed statements for requirements no query can prove; expired ones count as not met."""

    queryset = Attestation.objects.select_related("requirement")
    serializer_class = AttestationSerializer


# --- exclusions -------------------------------------------------------------------------------------------


class ExclusionSerializer(RecordSerializer):
    requirement_display = serializers.CharField(source="requirement.__str__", read_only=True)
    approved = serializers.BooleanField(read_only=True, help_text="approver and date given: it counts")

    class Meta:
        resource = ExclusionResource


class ExclusionViewSet(RecordViewSet):
    """Requirements declared not applicable, with a justification; an approved one makes the requirement
    and everything under it read "not applicable"."""

    queryset = Exclusion.objects.select_related("requirement")
    serializer_class = ExclusionSerializer


# --- assessments and results ------------------------------------------------------------------------------


class AssessmentSerializer(RecordSerializer):
    framework = serializers.SlugRelatedField(
        slug_field="slug", queryset=Framework.objects.all(), required=False, allow_null=True
    )

    class Meta:
        resource = AssessmentResource


def _framework_param(request: Request) -> Framework:
    """The framework named by the `framework` query parameter (its slug); 400 naming it otherwise."""
    slug = request.query_params.get("framework", "")
    if NUL in slug:
        raise serializers.ValidationError({"framework": [nul_message("framework")]})
    framework = Framework.objects.filter(slug=slug).first()
    if framework is None:
        raise serializers.ValidationError({"framework": [_("Give the slug of a framework.")]})
    return framework


class AssessmentViewSet(RecordViewSet):
    """Assessment runs. `POST` (optionally with `framework`) runs every check now; a run is never changed
    or deleted."""

    queryset = Assessment.objects.select_related("framework")
    serializer_class = AssessmentSerializer
    http_method_names = ["get", "post", "head", "options"]

    @staticmethod
    def create_service(*, actor, data, m2m=None):
        return services.assessment_run(actor=actor, framework=data.get("framework"))

    @extend_schema(
        parameters=[OpenApiParameter("against", int, description="id of the run to compare with")],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=True, methods=["get"])
    def diff(self, request: Request, pk=None) -> Response:
        """Requirements whose status differs from the run given by `?against=<id>`."""
        assessment = self.get_object()
        against = record_id(request.query_params.get("against", ""))
        if against is None:
            raise serializers.ValidationError({"against": [_("Give the id of another assessment.")]})
        other = get_object_or_404(self.get_queryset(), pk=against)
        return Response(
            {
                "assessment": assessment.reference,
                "against": other.reference,
                "changes": selectors.diff(assessment, other),
            }
        )

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"], url_path="gap-analysis")
    def gap_analysis(self, request: Request, pk=None) -> Response:
        """Gap analysis along the items of ISO/IEC 20000-5, 5.8."""
        return Response(selectors.gap_analysis(self.get_object()))

    @extend_schema(
        parameters=[OpenApiParameter("framework", str, description="framework slug", required=True)],
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], url_path="evidence-pack")
    def evidence_pack(self, request: Request, pk=None) -> HttpResponse:
        """The evidence pack of one framework from this run (ZIP; verify with its verify.py)."""
        assessment = self.get_object()
        framework = _framework_param(request)
        data = evidence.build_pack(assessment=assessment, framework=framework)
        response = HttpResponse(data, content_type="application/zip")
        name = f"evidence-{framework.slug.replace(':', '-')}-{assessment.reference}.zip"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    @extend_schema(
        parameters=[OpenApiParameter("framework", str, description="framework slug", required=True)],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=True, methods=["get"], url_path="oscal")
    def oscal_results(self, request: Request, pk=None) -> Response:
        """This run's results for one framework as OSCAL assessment-results (a finding per requirement)."""
        assessment = self.get_object()
        framework = _framework_param(request)
        return Response(oscal.assessment_results(assessment, framework))

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def rollups(self, request: Request, pk=None) -> Response:
        """Status by edition, by process, by clause (per edition), by 20000-9 scenario, by 20000-5 phase."""
        assessment = self.get_object()
        editions = selectors.by_edition(assessment)
        return Response(
            {
                "by_edition": editions,
                "by_process": selectors.by_process(assessment),
                "by_clause": {
                    e["framework"]: selectors.by_clause(assessment, e["framework"])
                    for e in editions
                    if e["framework"].startswith("iso20000-1")
                },
                "by_scenario": selectors.by_scenario(assessment),
                "by_phase": selectors.by_phase(assessment),
            }
        )


class ResultSerializer(RecordSerializer):
    # Plain strings in the schema: the enum names of `status` fields collide across apps.
    status = serializers.CharField(
        read_only=True, help_text="met, partly_met, not_met, no_evidence or not_applicable"
    )
    framework = serializers.CharField(source="requirement.framework.slug", read_only=True)
    identifier = serializers.CharField(source="requirement.identifier", read_only=True)

    class Meta:
        resource = ResultResource


class ResultViewSet(RecordViewSet):
    """One requirement's status in one assessment, with its evidence, gaps and the checks behind it."""

    queryset = Result.objects.select_related("requirement__framework")
    serializer_class = ResultSerializer
    http_method_names = ["get", "head", "options"]


# --- implementation plan ----------------------------------------------------------------------------------


class PlanItemSerializer(RecordSerializer):
    identifier = serializers.CharField(source="activity.identifier", read_only=True)
    title = serializers.CharField(source="activity.title", read_only=True)
    phases = serializers.JSONField(source="activity.phases", read_only=True)
    responsibility = serializers.CharField(source="activity.responsibility", read_only=True)
    auto_status = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    class Meta:
        resource = PlanItemResource

    def _auto(self, obj: PlanItem) -> str:
        statuses = self.context.get("plan_statuses")
        if statuses is None or obj.pk not in statuses:
            statuses = selectors.plan_statuses(
                [obj], selectors.latest_assessment(covering=selectors.ACTIVITIES)
            )
        return statuses[obj.pk]

    @extend_schema_field(OpenApiTypes.STR)
    def get_auto_status(self, obj: PlanItem) -> str:
        """What the checks bound to the activity's clauses say in the latest assessment."""
        return self._auto(obj)

    @extend_schema_field(OpenApiTypes.STR)
    def get_status(self, obj: PlanItem) -> str:
        """The status set by hand when there is one, else the automatic one."""
        return obj.manual_status or self._auto(obj)


class PlanItemViewSet(RecordViewSet):
    """The three-phase implementation plan generated from ISO/IEC 20000-5 table B.1; adjust owner, target
    date, notes or set a status by hand (with a reason). `achievement/`: progress per phase."""

    queryset = PlanItem.objects.select_related("activity")
    serializer_class = PlanItemSerializer
    http_method_names = ["get", "put", "patch", "head", "options"]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "list":
            items = list(self.filter_queryset(self.get_queryset()))
            latest = selectors.latest_assessment(covering=selectors.ACTIVITIES)
            context["plan_statuses"] = selectors.plan_statuses(items, latest)
        return context

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"])
    def achievement(self, request: Request) -> Response:
        """Per phase: activities, done, in progress, share done and the open activities."""
        items = list(self.get_queryset())
        latest = selectors.latest_assessment(covering=selectors.ACTIVITIES)
        statuses = selectors.plan_statuses(items, latest)
        return Response(
            {
                "assessment": latest.reference if latest else None,
                "phases": selectors.plan_achievement(items, statuses),
            }
        )


def register(router) -> None:
    router.register("frameworks", FrameworkViewSet, basename="framework")
    router.register("requirements", RequirementViewSet, basename="requirement")
    router.register("attestations", AttestationViewSet, basename="attestation")
    router.register("exclusions", ExclusionViewSet, basename="exclusion")
    router.register("assessments", AssessmentViewSet, basename="assessment")
    router.register("results", ResultViewSet, basename="result")
    router.register("implementation-plan", PlanItemViewSet, basename="planitem")
