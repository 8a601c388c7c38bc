"""REST resources of service reporting: `report-definitions` (with `generate/`), `service-reports`
(transitions `issue`, `supersede`; `html/` and `pdf/` downloads of the frozen report) and
`report-actions` (decisions and actions taken on a report; transitions start, complete, cancel, reopen)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import renderers, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet

from . import document, selectors, services
from .models import ReportAction, ReportDefinition, ServiceReport
from .resources import ReportDefinitionResource, ServiceReportResource


class CoverageSerializer(serializers.Serializer):
    covered = serializers.ListField(
        child=serializers.CharField(), help_text="Content items its sections cover."
    )
    missing = serializers.ListField(
        child=serializers.CharField(),
        help_text="Content items with no registered section in this definition.",
    )
    missing_required = serializers.ListField(
        child=serializers.CharField(), help_text="Of those, the items the standard requires of every report."
    )


class ReportDefinitionSerializer(RecordSerializer):
    coverage = serializers.SerializerMethodField()

    class Meta:
        resource = ReportDefinitionResource

    @extend_schema_field(CoverageSerializer)
    def get_coverage(self, obj: ReportDefinition) -> dict:
        return document.item_coverage(obj.sections)


class ServiceReportSerializer(RecordSerializer):
    class Meta:
        resource = ServiceReportResource


class GenerateSerializer(serializers.Serializer):
    period = serializers.CharField(
        max_length=10,
        help_text="The month (YYYY-MM) the report covers; a quarterly report covers its quarter.",
    )
    regenerate = serializers.BooleanField(
        required=False, default=False, help_text="Make a fresh copy, superseding the one already generated."
    )


class ReportDefinitionViewSet(RecordViewSet):
    """Report definitions: purpose, audience, customer (none: internal), services (none: all the
    customer receives), frequency and sections. `generate/` makes the report of a period now."""

    queryset = ReportDefinition.objects.select_related("customer", "owner").prefetch_related(
        "services", "audience_people", "audience_teams", "audience_contacts"
    )
    serializer_class = ReportDefinitionSerializer
    create_service = staticmethod(services.definition_create)
    update_service = staticmethod(services.definition_update)

    @extend_schema(request=GenerateSerializer, responses={201: ServiceReportSerializer})
    @action(detail=True, methods=["post"])
    def generate(self, request: Request, pk=None) -> Response:
        """Generate the report of one period now (the report owner's action). A period already reported
        answers the existing report unless `regenerate` is true."""
        definition = self.get_object()
        self._require(permissions.CHANGE, definition)
        if not permissions.has_permission(request.user, permissions.ADD, ServiceReport):
            raise NotFound()
        payload = GenerateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        start = services.parse_month(payload.validated_data["period"])
        report = services.report_generate(
            actor=request.user,
            definition=definition,
            period_start=start,
            regenerate=payload.validated_data["regenerate"],
        )
        body = ServiceReportSerializer(report, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


class PdfRenderer(renderers.BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


class HtmlRenderer(renderers.BaseRenderer):
    media_type = "text/html"
    format = "html"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes | str) else b""


class ServiceReportViewSet(RecordViewSet):
    """Generated service reports (read-only; made by the monthly job or a definition's `generate/`).
    Transitions: `issue` (mails it to the audience), `supersede`. `html/` and `pdf/` give the frozen
    report; `content` holds each section's figures and `content_items` which content items it covers."""

    queryset = ServiceReport.objects.select_related("definition", "customer")
    serializer_class = ServiceReportSerializer
    transition_service = staticmethod(services.report_transition)
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request: Request, *args, **kwargs) -> Response:
        raise MethodNotAllowed("POST", detail=_("Reports are generated from their definition (generate/)."))

    @extend_schema(responses={(200, "text/html"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], renderer_classes=[HtmlRenderer])
    def html(self, request: Request, pk=None) -> HttpResponse:
        """The report as a standalone HTML document, as frozen when it was generated."""
        report = self.get_object()
        return HttpResponse(document.render_page(report), content_type="text/html; charset=utf-8")

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], renderer_classes=[PdfRenderer])
    def pdf(self, request: Request, pk=None) -> HttpResponse:
        """The PDF stored when the report was generated (byte for byte, its SHA-256 in `pdf_sha256`)."""
        report = self.get_object()
        return pdf_response(report, request.user)


def pdf_response(report: ServiceReport, user) -> HttpResponse:
    stored = selectors.frozen_attachment(report, user)
    if stored is not None:
        with stored.file.open("rb") as handle:
            body = handle.read()
    else:
        body = document.render_pdf(report)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report.reference}.pdf"'
    return response


class ReportActionViewSet(RecordViewSet):
    """Decisions and actions taken on a report's findings; transitions: start, complete (outcome),
    cancel, reopen."""

    queryset = ReportAction.objects.select_related("report", "owner")
    create_service = staticmethod(services.action_create)
    update_service = staticmethod(services.action_update)
    transition_service = staticmethod(services.action_transition)


def register(router) -> None:
    """Add this app's resources to the API router."""
    router.register("report-definitions", ReportDefinitionViewSet, basename="reportdefinition")
    router.register("service-reports", ServiceReportViewSet, basename="servicereport")
    router.register("report-actions", ReportActionViewSet, basename="reportaction")
