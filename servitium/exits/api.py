"""REST resources of exit and transfer: `exit-plans` (transitions agree, start_handover, complete_handover,
complete_disposal, close, cancel), `exit-items` (`complete/`), `data-exports` (create queues a build;
`download/`, `verify/`, `acknowledge/`; transition hand_over), `handover-records` and `disposal-records`
(refused with 409 before the plan allows disposal)."""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import renderers, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core.api.base import RecordSerializer, RecordViewSet, serializer_for
from servitium.core.errors import ConflictError

from . import selectors, services
from .lifecycle import ACKNOWLEDGE
from .models import DataExport, DisposalRecord, ExitItem, ExitPlan, HandoverRecord
from .resources import DataExportResource, ExitItemResource


class ExitNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ExitPlanViewSet(RecordViewSet):
    """Exit plans: how a customer's service ends (termination) or moves (to another provider, back
    in-house). Transitions: agree (`agreed_by`: one of the customer's people; `agreed_on`), start_handover,
    complete_handover, complete_disposal, close, cancel."""

    queryset = ExitPlan.objects.select_related(
        "customer", "owner", "customer_contact", "agreed_by"
    ).prefetch_related("agreements", "services", "subscriptions")
    create_service = staticmethod(services.plan_create)
    update_service = staticmethod(services.plan_update)
    transition_service = staticmethod(services.plan_transition)
    delete_service = staticmethod(services.plan_delete)


class ExitItemViewSet(RecordViewSet):
    """The inventory of exit plans. `complete/` marks an item done (disposal items are done by a disposal
    record)."""

    queryset = ExitItem.objects.select_related("plan", "ci", "document", "agreement", "done_by")
    create_service = staticmethod(services.item_create)
    update_service = staticmethod(services.item_update)
    delete_service = staticmethod(services.item_delete)

    @extend_schema(request=ExitNoteSerializer, responses=serializer_for(ExitItemResource))
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk=None) -> Response:
        """Mark the item done (now, by the caller)."""
        item = self.get_object()
        self._require("change", item)
        payload = ExitNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        item = services.item_complete(actor=request.user, instance=item, note=payload.validated_data["note"])
        return Response(self.get_serializer(item).data)


class DataExportSerializer(RecordSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        resource = DataExportResource

    @extend_schema_field(OpenApiTypes.URI)
    def get_download(self, obj: DataExport) -> str | None:
        if not obj.file:
            return None
        request = self.context.get("request")
        path = f"/api/v1/data-exports/{obj.pk}/download/"
        return request.build_absolute_uri(path) if request is not None else path


class ZipRenderer(renderers.BaseRenderer):
    media_type = "application/zip"
    format = "zip"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


VERIFICATION = inline_serializer(
    "ExportVerification",
    {
        "ok": serializers.BooleanField(),
        "problems": serializers.ListField(child=serializers.CharField()),
        "files": serializers.IntegerField(),
        "records": serializers.IntegerField(),
        "bytes": serializers.IntegerField(),
    },
)


class DataExportViewSet(RecordViewSet):
    """Exports of all of a customer's records (a ZIP with a manifest). Creating one queues its build;
    `download/` streams the ZIP, `verify/` checks it against its manifest, `acknowledge/` records the
    customer's receipt (the customer's own users, or staff on its behalf). Transition: hand_over."""

    queryset = DataExport.objects.select_related("customer", "plan", "requested_by", "acknowledged_by")
    serializer_class = DataExportSerializer
    create_service = staticmethod(services.export_request)
    delete_service = staticmethod(services.export_delete)
    transition_service = staticmethod(services.export_transition)

    def _built(self, export: DataExport) -> None:
        if not export.file:
            raise ConflictError(
                _("%(ref)s is %(status)s: there is no file yet.")
                % {"ref": export.reference, "status": export.get_status_display()},
                code="not_built",
            )

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], renderer_classes=[ZipRenderer])
    def download(self, request: Request, pk=None) -> FileResponse:
        """The export's ZIP file, streamed (its SHA-256 in `sha256`)."""
        export = self.get_object()
        self._built(export)
        return FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=f"{export.reference}.zip",
            content_type="application/zip",
        )

    @extend_schema(responses=VERIFICATION)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def verify(self, request: Request, pk=None) -> Response:
        """Check every file of the stored ZIP against its manifest."""
        export = self.get_object()
        self._built(export)
        found = selectors.export_verify(export)
        return Response(
            {
                "ok": found.ok,
                "problems": found.problems,
                "files": found.files,
                "records": found.records,
                "bytes": found.bytes,
            }
        )

    @extend_schema(request=ExitNoteSerializer, responses=DataExportSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk=None) -> Response:
        """Record that the customer received the export."""
        export = self.get_object()
        self._require(ACKNOWLEDGE, export)
        payload = ExitNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        export = services.export_acknowledge(
            actor=request.user, instance=export, note=payload.validated_data["note"]
        )
        return Response(self.get_serializer(export).data)


class HandoverRecordViewSet(RecordViewSet):
    """What was handed over under an exit plan, to whom, when and how; its items are then done and its
    export handed over."""

    queryset = HandoverRecord.objects.select_related("plan", "export", "recipient").prefetch_related(
        "exit_items"
    )
    create_service = staticmethod(services.handover_create)
    update_service = staticmethod(services.handover_update)
    delete_service = staticmethod(services.evidence_delete)


class DisposalRecordViewSet(RecordViewSet):
    """What of the customer's was disposed of, how and with what evidence. Refused (409) before the plan's
    `dispose_not_before`, before the customer acknowledged its export or before the handover is complete;
    (400) for an item the plan hands over rather than disposes of."""

    queryset = DisposalRecord.objects.select_related("plan", "disposed_by").prefetch_related("exit_items")
    create_service = staticmethod(services.disposal_create)
    update_service = staticmethod(services.disposal_update)
    delete_service = staticmethod(services.evidence_delete)


def register(router) -> None:
    """Add this app's resources to the API router."""
    router.register("exit-plans", ExitPlanViewSet, basename="exitplan")
    router.register("exit-items", ExitItemViewSet, basename="exititem")
    router.register("data-exports", DataExportViewSet, basename="dataexport")
    router.register("handover-records", HandoverRecordViewSet, basename="handoverrecord")
    router.register("disposal-records", DisposalRecordViewSet, basename="disposalrecord")
