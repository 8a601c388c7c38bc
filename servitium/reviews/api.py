"""REST resources of management review (rules in resources.py): reviews with their transitions and pack
(JSON, PDF), and review actions."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import renderers, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from servitium.core.api.base import RecordSerializer, RecordViewSet

from . import pack as review_pack
from . import services
from .models import ManagementReview, ReviewAction
from .resources import ManagementReviewResource, ReviewActionResource


class ManagementReviewSerializer(RecordSerializer):
    missing_topics = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Topics the pack had nothing behind when it was last prepared or frozen.",
    )
    actions = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="Ids of its actions.")

    class Meta:
        resource = ManagementReviewResource


class ReviewActionSerializer(RecordSerializer):
    overdue = serializers.BooleanField(read_only=True, help_text="Open and past its due date.")

    class Meta:
        resource = ReviewActionResource


class PackTopicSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    covered = serializers.BooleanField(help_text="Some input with figures speaks to this topic.")
    state = serializers.ChoiceField(
        choices=["figures", "empty", "none"],
        help_text="figures: an input has figures for the period; empty: inputs are registered but had "
        "nothing in the period; none: nothing in the system collects this topic.",
    )
    inputs = serializers.ListField(child=serializers.CharField(), help_text="Keys of those inputs.")


class PackInputSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    topics = serializers.ListField(child=serializers.CharField())
    has_content = serializers.BooleanField()
    error = serializers.CharField(allow_blank=True)
    figures = serializers.JSONField(allow_null=True, help_text="The input's live figures for the period.")


class FrozenPackSerializer(serializers.Serializer):
    sha256 = serializers.CharField()
    attachment = serializers.IntegerField(allow_null=True)
    download_url = serializers.CharField(allow_null=True)


class PackSerializer(serializers.Serializer):
    review = serializers.IntegerField()
    reference = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    generated_at = serializers.DateTimeField()
    complete = serializers.BooleanField(help_text="Every topic has an input with figures behind it.")
    missing_topics = serializers.ListField(child=serializers.CharField())
    topics = PackTopicSerializer(many=True)
    inputs = PackInputSerializer(many=True)
    frozen = FrozenPackSerializer(allow_null=True, help_text="The PDF stored when the review was held.")


class PdfRenderer(renderers.BaseRenderer):
    """Lets `?format=pdf` choose the PDF (the view answers with the document itself)."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


def pdf_response(review: ManagementReview, user) -> HttpResponse:
    response = HttpResponse(review_pack.pdf_of(review, user), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{review.reference}-review-pack.pdf"'
    return response


PDF_RESPONSE = {(200, "application/pdf"): OpenApiTypes.BINARY}


class ManagementReviewViewSet(RecordViewSet):
    """Management reviews (2011 4.5.4.3 / 2018 9.3). `POST transitions/` with `prepare_pack`, `hold`
    (optional `held_on`; freezes the pack as PDF), `approve_minutes` (the chair only), `close`, `cancel`."""

    queryset = ManagementReview.objects.select_related("chair").prefetch_related("attendees", "actions")
    serializer_class = ManagementReviewSerializer
    create_service = staticmethod(services.review_create)
    update_service = staticmethod(services.review_update)
    transition_service = staticmethod(services.review_transition)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format", str, enum=["json", "pdf"], description="`pdf`: the pack as a PDF document."
            )
        ],
        responses={(200, "application/json"): PackSerializer, **PDF_RESPONSE},
        description="The review pack from live data of the review's period: every topic the standard asks "
        "for, whether an input stands behind it, and each input's figures. A held review also names its "
        "frozen PDF. With `?format=pdf` (or as `…/pack.pdf`), the PDF (for a held review: the frozen one).",
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PdfRenderer])
    def pack(self, request, pk=None, format=None):  # noqa: A002 -- the router's `pack.pdf` suffix
        review = self.get_object()
        if request.accepted_renderer.format == "pdf":
            return pdf_response(review, request.user)
        body = review_pack.pack_for(review, request.user).as_json()
        stored = review_pack.frozen_attachment(review, request.user)
        frozen = None
        if review.pack_sha256:
            frozen = {
                "sha256": review.pack_sha256,
                "attachment": stored.pk if stored else None,
                "download_url": request.build_absolute_uri(f"/api/v1/attachments/{stored.pk}/download/")
                if stored
                else None,
            }
        return Response({"review": review.pk, "reference": review.reference, **body, "frozen": frozen})


class ReviewActionViewSet(RecordViewSet):
    """Actions from management reviews; owner and due date are required. `POST transitions/` with
    `complete` or `cancel` (and a `completion_note`), or `reopen`."""

    queryset = ReviewAction.objects.select_related("owner", "review")
    serializer_class = ReviewActionSerializer
    create_service = staticmethod(services.action_create)
    update_service = staticmethod(services.action_update)
    transition_service = staticmethod(services.action_transition)


def register(router) -> None:
    """Add this app's resources to the API router."""
    router.register("management-reviews", ManagementReviewViewSet, basename="managementreview")
    router.register("review-actions", ReviewActionViewSet, basename="reviewaction")
