"""REST resources of documented information: `documents` (with review/, acknowledge/ and
acknowledgement-status/), `document-versions` (transitions, file/), `document-acknowledgements`,
`record-series`, `disposal-requests` (transitions)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordViewSet, serializer_for

from . import selectors, services
from .models import DisposalRequest, Document, DocumentAcknowledgement, DocumentVersion, RecordSeries
from .resources import DocumentAcknowledgementResource, DocumentResource, DocumentVersionResource


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class PersonSummary(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TeamStandingSerializer(serializers.Serializer):
    team = serializers.CharField(source="team.name")
    team_id = serializers.IntegerField(source="team.pk")
    members = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    missing = PersonSummary(many=True)


class StandingSerializer(serializers.Serializer):
    version = serializers.SerializerMethodField()
    expected = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    missing = PersonSummary(many=True)
    teams = TeamStandingSerializer(many=True)

    def get_version(self, standing) -> int | None:
        return standing.document.current_version_id


class DocumentViewSet(RecordViewSet):
    """Controlled documents. `review/` records a review without a new version; `acknowledge/` records that
    the caller has read the version in force; `acknowledgement-status/` says, per team, who has not."""

    queryset = Document.objects.select_related("owner", "current_version").prefetch_related(
        "distribution_teams", "distribution_people"
    )
    create_service = staticmethod(services.document_create)
    update_service = staticmethod(services.document_update)

    @extend_schema(request=NoteSerializer, responses=serializer_for(DocumentResource))
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk=None) -> Response:
        """Record that the document was reviewed and still fits; the next review falls one interval later."""
        document = self.get_object()
        self._require(permissions.CHANGE, document)
        payload = NoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.document_review(actor=request.user, document=document, note=payload.validated_data["note"])
        return Response(self.get_serializer(self.get_queryset().get(pk=document.pk)).data)

    @extend_schema(
        request=NoteSerializer,
        responses={201: serializer_for(DocumentAcknowledgementResource), 400: OpenApiResponse()},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk=None) -> Response:
        """Acknowledge, as oneself, the document's version in force."""
        document = self.get_object()
        if not permissions.has_permission(request.user, permissions.ADD, DocumentAcknowledgement):
            raise serializers.ValidationError({"person": ["Only people acknowledge documents."]})
        payload = NoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        acknowledgement = services.acknowledgement_create(
            actor=request.user, data={"document": document, "note": payload.validated_data["note"]}
        )
        body = serializer_for(DocumentAcknowledgementResource)(
            acknowledgement, context={"request": request}
        ).data
        return Response(body, status=201)

    @extend_schema(responses=StandingSerializer)
    @action(detail=True, methods=["get"], url_path="acknowledgement-status")
    def acknowledgement_status(self, request: Request, pk=None) -> Response:
        """Who should acknowledge the version in force, who has, and who has not, per team."""
        document = self.get_object()
        if not permissions.area_allows(request.user, "sms", permissions.VIEW):
            raise PermissionDenied(_("Only the SMS roles, top management and auditors see who has not."))
        return Response(StandingSerializer(selectors.acknowledgement_standing(document)).data)


class DocumentVersionViewSet(RecordViewSet):
    """Versions of documents; transitions: submit, return_to_draft, approve (not by the author: 400),
    make_effective (only once approved, on its effective date), withdraw. Only drafts change; `file/`
    stores the version's file (multipart `file`)."""

    queryset = DocumentVersion.objects.select_related(
        "document", "author", "created_by", "approved_by", "file"
    )
    create_service = staticmethod(services.version_create)
    update_service = staticmethod(services.version_update)
    delete_service = staticmethod(services.version_delete)
    transition_service = staticmethod(services.version_transition)

    @extend_schema(
        request={"multipart/form-data": inline_serializer("VersionFile", {"file": serializers.FileField()})},
        responses={200: serializer_for(DocumentVersionResource), 400: OpenApiResponse()},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def file(self, request: Request, pk=None) -> Response:
        """Store the draft's file (size and type limits of attachments; its SHA-256 is kept)."""
        version = self.get_object()
        self._require(permissions.CHANGE, version)
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": ["Send the file as multipart field `file`."]})
        version = services.version_attach_file(actor=request.user, version=version, upload=upload)
        return Response(self.get_serializer(self.get_queryset().get(pk=version.pk)).data)


class DocumentAcknowledgementViewSet(RecordViewSet):
    """Acknowledgements. POST with `document` (or `version`) records one's own; people read their own, the
    SMS roles everyone's."""

    queryset = DocumentAcknowledgement.objects.select_related("document", "version", "person")
    create_service = staticmethod(services.acknowledgement_create)


class RecordSeriesViewSet(RecordViewSet):
    """The records register: what is kept where, for how long, legal hold, and how it is disposed of."""

    queryset = RecordSeries.objects.select_related("owner")


class DisposalRequestViewSet(RecordViewSet):
    """Disposal of a series' records past retention; transitions: approve (by someone other than the
    requester: 400; never under legal hold: 409), reject, dispose (carries it out, logged)."""

    queryset = DisposalRequest.objects.select_related("series", "requested_by", "decided_by")
    create_service = staticmethod(services.disposal_request_create)
    update_service = staticmethod(services.disposal_request_update)
    delete_service = staticmethod(services.disposal_request_delete)
    transition_service = staticmethod(services.disposal_transition)


def register(router) -> None:
    """Add this app's resources to the API router."""
    router.register("documents", DocumentViewSet, basename="document")
    router.register("document-versions", DocumentVersionViewSet, basename="documentversion")
    router.register(
        "document-acknowledgements", DocumentAcknowledgementViewSet, basename="documentacknowledgement"
    )
    router.register("record-series", RecordSeriesViewSet, basename="recordseries")
    router.register("disposal-requests", DisposalRequestViewSet, basename="disposalrequest")
