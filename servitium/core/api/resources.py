"""API resources of core: change log, comments, attachments, calendars, API tokens."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.http import FileResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from servitium.core import permissions, services
from servitium.core.models import ApiToken, Attachment, ChangeRecord, Comment, ServiceHoursCalendar

from ..filters import CheckedFilterSet, record_id
from .base import RecordViewSet
from .lean import LeanOutputMixin
from .parsers import FormParser, JSONParser, MultiPartParser


class ChangeRecordSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    actor_id = serializers.IntegerField(read_only=True)
    sealed = serializers.BooleanField(read_only=True)

    class Meta:
        model = ChangeRecord
        fields = [
            "id",
            "timestamp",
            "actor",
            "actor_id",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "message",
            "context",
            "request_id",
            "sealed",
            "seq",
            "chain_hash",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_actor(self, obj: ChangeRecord) -> str:
        return obj.actor_name


class ChangeRecordFilter(CheckedFilterSet):
    actor = django_filters.CharFilter(method="filter_actor", help_text="User id or username")
    since = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="lt")
    sealed = django_filters.BooleanFilter(field_name="seq", lookup_expr="isnull", exclude=True)

    class Meta:
        model = ChangeRecord
        fields = ["object_type", "object_id", "action", "context", "request_id"]

    def filter_actor(self, queryset, name, value):
        if value.strip().isdigit():
            number = record_id(value)
            return queryset.filter(actor_id=number) if number else queryset.none()
        return queryset.filter(actor_name=value)


class ChangeRecordViewSet(LeanOutputMixin, viewsets.ReadOnlyModelViewSet):
    """The change log (read-only): every create, update, delete and transition, with its seal."""

    queryset = ChangeRecord.objects.all()
    serializer_class = ChangeRecordSerializer
    filterset_class = ChangeRecordFilter
    ordering_fields = ["id", "timestamp"]
    ordering = ["-id"]
    search_fields = ["object_repr", "message"]

    def get_queryset(self):
        return permissions.restrict(super().get_queryset(), self.request.user, permissions.VIEW)


class TargetMixin(serializers.Serializer):
    object_type = serializers.CharField(help_text="`app_label.model`, e.g. `catalog.service`")
    object_id = serializers.IntegerField(min_value=1)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["object_type"] = f"{instance.target_type.app_label}.{instance.target_type.model}"
        return data


class CommentSerializer(TargetMixin, serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True, default=None)

    class Meta:
        model = Comment
        fields = [
            "id",
            "url",
            "object_type",
            "object_id",
            "body",
            "visibility",
            "author",
            "created",
            "updated",
        ]
        extra_kwargs = {"url": {"view_name": "api:comment-detail"}}


class TargetFilter(CheckedFilterSet):
    object_type = django_filters.CharFilter(method="filter_object_type", help_text="`app_label.model`")

    def filter_object_type(self, queryset, name, value):
        try:
            app_label, model = value.split(".")
        except ValueError:
            return queryset.none()
        return queryset.filter(target_type__app_label=app_label, target_type__model=model)


class CommentFilter(TargetFilter):
    class Meta:
        model = Comment
        fields = ["object_id", "visibility", "author"]


class CommentViewSet(
    LeanOutputMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Work notes (internal) and replies (public) on any record. Customers see and write public ones only."""

    lane_actions = ("list", "retrieve", "create")

    queryset = Comment.objects.select_related("author", "target_type")
    serializer_class = CommentSerializer
    filterset_class = CommentFilter
    ordering_fields = ["created", "id"]
    ordering = ["created", "id"]
    search_fields = ["body"]

    def get_queryset(self):
        return permissions.restrict(super().get_queryset(), self.request.user, permissions.VIEW)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_create(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(comment).data, status=status.HTTP_201_CREATED)


class AttachmentSerializer(TargetMixin, serializers.ModelSerializer):
    file = serializers.FileField(write_only=True)
    download_url = serializers.SerializerMethodField()
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True, default=None)

    class Meta:
        model = Attachment
        fields = [
            "id",
            "url",
            "object_type",
            "object_id",
            "file",
            "name",
            "size",
            "content_type",
            "sha256",
            "download_url",
            "uploaded_by",
            "created",
        ]
        read_only_fields = ["name", "size", "content_type", "sha256"]
        extra_kwargs = {"url": {"view_name": "api:attachment-detail"}}

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, obj: Attachment) -> str:
        request = self.context.get("request")
        path = f"/api/v1/attachments/{obj.pk}/download/"
        return request.build_absolute_uri(path) if request else path


class AttachmentFilter(TargetFilter):
    class Meta:
        model = Attachment
        fields = ["object_id", "sha256"]


class AttachmentViewSet(
    LeanOutputMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Files on records. Downloads are permission-checked like the record they belong to."""

    queryset = Attachment.objects.select_related("uploaded_by", "target_type")
    serializer_class = AttachmentSerializer
    filterset_class = AttachmentFilter
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    ordering_fields = ["created", "name", "size"]
    ordering = ["-created"]
    search_fields = ["name"]

    def get_queryset(self):
        return permissions.restrict(super().get_queryset(), self.request.user, permissions.VIEW)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        attachment = services.attachment_create(
            actor=request.user,
            object_type=data["object_type"],
            object_id=data["object_id"],
            upload=data["file"],
        )
        return Response(self.get_serializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        attachment = self.get_object()
        response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
        response["Content-Type"] = attachment.content_type
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


MAX_SPAN = dt.timedelta(days=3653)  # ten years: business time is asked for deadlines and reports


def _instant(request, name: str, missing: str | None = None) -> dt.datetime:
    """`?name=` as an aware instant in UTC, or a 400 naming the parameter."""
    try:
        value = parse_datetime(request.query_params.get(name, "") or "")
    except ValueError:  # well formed, but no such date (2026-02-30)
        value = None
    if value is None or value.tzinfo is None:
        raise serializers.ValidationError({name: [missing or _("Give an ISO 8601 instant with offset.")]})
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise serializers.ValidationError(
            {name: [_("Give an instant from year 1 to 9999 in UTC.")]}
        ) from None


class BusinessTimeSerializer(serializers.Serializer):
    due = serializers.DateTimeField(required=False, help_text="With `seconds`: when they have elapsed.")
    business_seconds = serializers.FloatField(required=False, help_text="With `end`: the time between.")


class CalendarViewSet(RecordViewSet):
    """Service-hours calendars: weekly hours in a time zone, holidays and exceptions."""

    queryset = ServiceHoursCalendar.objects.all()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "start", OpenApiTypes.DATETIME, required=True, description="An instant with offset."
            ),
            OpenApiParameter(
                "seconds", OpenApiTypes.NUMBER, description="Business seconds to add to `start`."
            ),
            OpenApiParameter(
                "end", OpenApiTypes.DATETIME, description="Without `seconds`: the other instant."
            ),
        ],
        responses={200: BusinessTimeSerializer},
        description="Business time on this calendar: `?start=...&seconds=N` gives the due instant; "
        "`?start=...&end=...` the business seconds between (at most ten years at a time).",
    )
    @action(detail=True, methods=["get"])
    def compute(self, request, pk=None):
        from servitium.core import businesstime

        calendar = self.get_object()
        start = _instant(request, "start")
        spec = calendar.spec()
        try:
            if "seconds" in request.query_params:
                try:
                    seconds = float(request.query_params["seconds"])
                except ValueError:
                    seconds = -1.0
                if not 0 <= seconds <= MAX_SPAN.total_seconds():  # also refuses nan and inf
                    message = _("Give a number of seconds from 0 to %(max)d.") % {
                        "max": MAX_SPAN.total_seconds()
                    }
                    raise serializers.ValidationError({"seconds": [message]})
                return Response({"due": businesstime.add_business_seconds(spec, start, seconds).isoformat()})
            end = _instant(request, "end", _("Give `seconds` or an `end` instant with offset."))
            if end - start > MAX_SPAN:
                raise serializers.ValidationError({"end": [_("At most ten years after the start.")]})
            return Response({"business_seconds": businesstime.business_seconds_between(spec, start, end)})
        except OverflowError:  # the answer would lie beyond year 9999
            raise serializers.ValidationError({"start": [_("The answer lies beyond year 9999.")]}) from None
        except businesstime.CalendarHasNoHours:
            raise serializers.ValidationError({"start": [_("This calendar has no opening hours.")]}) from None


class TokenSerializer(serializers.ModelSerializer):
    key = serializers.SerializerMethodField(help_text="Shown once, in the answer to the creation only.")
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "key", "created", "expires", "revoked", "last_used", "is_active"]
        read_only_fields = ["prefix", "created", "revoked", "last_used"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_key(self, obj) -> str | None:
        return getattr(obj, "plain_key", None)


class TokenViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your own API tokens: create (the key is shown once), list, revoke (DELETE)."""

    serializer_class = TokenSerializer
    queryset = ApiToken.objects.none()
    pagination_class = None

    def get_queryset(self):
        return ApiToken.objects.filter(user_id=self.request.user.pk).order_by("-created")

    def perform_create(self, serializer):
        token, key = services.api_token_create(
            user=self.request.user,
            actor=self.request.user,
            name=serializer.validated_data.get("name", ""),
            expires=serializer.validated_data.get("expires"),
        )
        token.plain_key = key
        serializer.instance = token

    def perform_destroy(self, instance):
        services.api_token_revoke(token=instance, actor=self.request.user)
