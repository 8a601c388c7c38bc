"""REST resources of internal audit: `audit-programmes`, `programme-items` (`frequency/`), `audits`
(transitions start, report, close, cancel; `report/`), `checklist-items` (verdicts) and
`internal-audit-findings` (cmdb already has `audit-findings`)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core.api.base import RecordSerializer, RecordViewSet

from . import selectors, services
from .models import Audit, AuditProgramme, ChecklistItem, Finding, ProgrammeItem
from .resources import AuditProgrammeResource


class ProgrammeSerializer(RecordSerializer):
    items = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="Ids of its items.")

    class Meta:
        resource = AuditProgrammeResource


class FrequencySerializer(serializers.Serializer):
    suggested_frequency_months = serializers.IntegerField(
        help_text="Months between audits suggested by the risk, open nonconformities and the last result."
    )
    last_audited = serializers.DateField(
        allow_null=True, help_text="When the area's last audit was reported."
    )
    last_audit = serializers.CharField(allow_null=True, help_text="Its reference.")


class ProgrammeViewSet(RecordViewSet):
    """Audit programmes, one per year."""

    queryset = AuditProgramme.objects.prefetch_related("items")
    serializer_class = ProgrammeSerializer


class ProgrammeItemViewSet(RecordViewSet):
    """The process areas of a programme, with the suggested audit frequency."""

    queryset = ProgrammeItem.objects.all()
    create_service = staticmethod(services.programme_item_create)
    update_service = staticmethod(services.programme_item_update)

    @extend_schema(responses=FrequencySerializer)
    @action(detail=True, methods=["get"])
    def frequency(self, request: Request, pk=None) -> Response:
        """How often the area should be audited: by its risk (high 6, medium 12, low 24 months), halved
        while nonconformities under its clauses are open, halved again after a major finding last time."""
        item = self.get_object()
        last = selectors.last_audit(item)
        return Response(
            FrequencySerializer(
                {
                    "suggested_frequency_months": selectors.suggested_frequency(item),
                    "last_audited": last.reported_on if last else None,
                    "last_audit": last.reference if last else None,
                }
            ).data
        )


REPORT_SCHEMA = inline_serializer(
    "AuditReport",
    {
        "reference": serializers.CharField(),
        "items": serializers.IntegerField(),
        "findings_by_grade": serializers.DictField(child=serializers.IntegerField()),
        "verdicts": serializers.DictField(child=serializers.IntegerField()),
        "live_statuses": serializers.DictField(child=serializers.IntegerField()),
    },
)


class AuditViewSet(RecordViewSet):
    """Audits; transitions start (checks the team again, draws up the checklist), report (summary), close
    (once its nonconformities are closed), cancel. An auditor may not audit their own work: refused with 400
    naming the person and the process."""

    queryset = Audit.objects.select_related("lead_auditor").prefetch_related("auditors", "auditees")
    create_service = staticmethod(services.audit_create)
    update_service = staticmethod(services.audit_update)
    delete_service = staticmethod(services.audit_delete)
    transition_service = staticmethod(services.audit_transition)

    @extend_schema(responses=REPORT_SCHEMA)
    @action(detail=True, methods=["get"])
    def report(self, request: Request, pk=None) -> Response:
        """The report's figures: checklist size, findings by grade, verdicts, live statuses."""
        audit = self.get_object()
        figures = selectors.report(audit)
        return Response(
            {
                "reference": audit.reference,
                "items": figures["items"],
                "findings_by_grade": {
                    value: sum(1 for f in figures["findings"] if f.grade == value)
                    for value in Finding.Grade.values
                },
                "verdicts": {
                    value: sum(1 for c in figures["checklist"] if c.verdict == value)
                    for value in ChecklistItem.Verdict.values
                },
                "live_statuses": dict(figures["live"]),
            }
        )


class ChecklistItemViewSet(RecordViewSet):
    """Checklist items (drawn up when the audit starts); auditors write the verdict and notes."""

    queryset = ChecklistItem.objects.select_related("requirement")
    update_service = staticmethod(services.checklist_item_update)


class FindingViewSet(RecordViewSet):
    """Findings; a nonconformity opens an improvement nonconformity, an opportunity an improvement
    opportunity."""

    queryset = Finding.objects.select_related("audit")
    create_service = staticmethod(services.finding_create)
    delete_service = staticmethod(services.finding_delete)


def register(router) -> None:
    """Add this app's resources to the API router."""
    router.register("audit-programmes", ProgrammeViewSet, basename="auditprogramme")
    router.register("programme-items", ProgrammeItemViewSet, basename="programmeitem")
    router.register("audits", AuditViewSet, basename="audit")
    router.register("checklist-items", ChecklistItemViewSet, basename="checklistitem")
    router.register("internal-audit-findings", FindingViewSet, basename="finding")
