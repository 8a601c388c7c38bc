"""REST resources of change management: `changes` (with `transitions/`, `approvals/`, `conflicts/`,
`trends/`), `change-schedule` (read), `change-policies`, `change-advisory-boards`,
`standard-change-templates`, `change-configuration-updates` and `blackout-windows`."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet
from servitium.core.api.fields import query_int

from . import selectors, services
from .models import (
    BlackoutWindow,
    Change,
    ChangeAdvisoryBoard,
    ChangeApproval,
    ChangeConfigurationUpdate,
    ChangePolicy,
    StandardChangeTemplate,
)
from .resources import ChangeConfigurationUpdateResource, ChangeResource

MAX_SCHEDULE_DAYS = 366


class ChangeSerializer(RecordSerializer):
    """A request for change with its assessment, decisions, implementation and review."""

    affected_customers = serializers.SerializerMethodField(
        help_text="Ids of the customers served by the affected CIs and services (derived)."
    )

    class Meta:
        resource = ChangeResource

    def get_affected_customers(self, obj: Change) -> list[int]:
        # Read from the prefetched CIs and services (no query per change in a list).
        ids = {o.pk for ci in obj.affected_cis.all() for o in ci.customers.all()}
        ids |= {o.pk for s in obj.affected_services.all() for o in s.customers.all()}
        return sorted(ids)


class ChangeApprovalSerializer(serializers.ModelSerializer):
    approver_name = serializers.CharField(source="approver.username", read_only=True)

    class Meta:
        model = ChangeApproval
        fields = [
            "id",
            "change",
            "approver",
            "approver_name",
            "board",
            "decision",
            "comment",
            "decided_at",
            "retrospective",
        ]
        read_only_fields = fields


class ApprovalInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ChangeApproval.Decision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    blackout_override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class ConflictSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["ci", "dependency", "blackout"])
    change = serializers.IntegerField()
    other_change = serializers.IntegerField(allow_null=True)
    blackout_window = serializers.IntegerField(allow_null=True)
    cis = serializers.ListField(child=serializers.IntegerField())
    message = serializers.CharField()


TREND_SCHEMA = inline_serializer(
    "ChangeTrendMonth",
    {
        "month": serializers.CharField(help_text="YYYY-MM"),
        "total": serializers.IntegerField(),
        "emergency": serializers.IntegerField(),
        "implemented": serializers.IntegerField(),
        "unsuccessful": serializers.IntegerField(),
        "failure_rate": serializers.FloatField(allow_null=True),
        "emergency_share": serializers.FloatField(allow_null=True),
    },
    many=True,
)


class ChangeViewSet(RecordViewSet):
    """Requests for change; transitions: submit, approve, reject, revise, implement, complete, fail and
    back_out (failure_reason), review (review_notes, objectives_met; investigation_cause and
    investigation_actions after an unsuccessful change), close, cancel."""

    queryset = Change.objects.prefetch_related(
        "affected_cis__customers", "affected_services__customers"
    ).order_by("-created", "-id")
    serializer_class = ChangeSerializer
    create_service = staticmethod(services.change_create)
    update_service = staticmethod(services.change_update)
    delete_service = staticmethod(services.change_delete)
    transition_service = staticmethod(services.change_transition)

    @extend_schema(
        methods=["GET"], responses=ChangeApprovalSerializer(many=True), description="Decisions recorded."
    )
    @extend_schema(
        methods=["POST"],
        request=ApprovalInputSerializer,
        responses={201: ChangeApprovalSerializer},
        description="Record your decision (board members or change managers, as the policy says; once each).",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def approvals(self, request: Request, pk=None) -> Response:
        change = self.get_object()
        if request.method == "GET":
            rows = change.approvals.select_related("approver").order_by("decided_at", "id")
            return Response(ChangeApprovalSerializer(rows, many=True).data)
        payload = ApprovalInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        approval = services.change_approval_record(
            actor=request.user, change=change, **payload.validated_data
        )
        return Response(ChangeApprovalSerializer(approval).data, status=201)

    @extend_schema(responses=ConflictSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def conflicts(self, request: Request, pk=None) -> Response:
        """Conflicts of this change on the schedule: same CI, one dependency chain, blackout windows."""
        change = self.get_object()
        return Response([c.as_dict() for c in selectors.conflicts_for(change)])

    @extend_schema(
        parameters=[OpenApiParameter("months", int, description="How many months back (1-60, default 12).")],
        responses=TREND_SCHEMA,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def trends(self, request: Request) -> Response:
        """Per month: changes raised, implemented, unsuccessful, failure rate and emergency share."""
        months = query_int(request, "months", 12, 1, 60)
        return Response(selectors.trends(self.get_queryset(), months=months))


def _when(request: Request, name: str, default: dt.datetime) -> dt.datetime:
    raw = request.query_params.get(name)
    if not raw:
        return default
    value = parse_datetime(raw)
    if value is None:
        day = parse_date(raw) if len(raw) == 10 else None
        if day is None:
            raise serializers.ValidationError({name: ["Use an ISO 8601 date or date-time."]})
        value = dt.datetime.combine(day, dt.time.min)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    try:
        return value.astimezone(dt.UTC)  # PostgreSQL reads offsets up to 15:59 only
    except OverflowError:
        message = "Use a date and time from year 1 to 9999 in UTC."
        raise serializers.ValidationError({name: [message]}) from None


class ScheduleChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    category = serializers.CharField()
    status = serializers.CharField()
    planned_start = serializers.DateTimeField()
    planned_end = serializers.DateTimeField()
    conflict = serializers.BooleanField()


class ScheduleBlackoutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class ChangeScheduleViewSet(viewsets.ViewSet):
    """The schedule of change (read-only): changes submitted, approved or being implemented with planned
    windows in [start, end), blackout windows, and the conflicts among them."""

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, description="ISO 8601 date or date-time (default: now)."),
            OpenApiParameter(
                "end", str, description="ISO 8601 date or date-time (default: start + 31 days)."
            ),
        ],
        responses=inline_serializer(
            "ChangeSchedule",
            {
                "start": serializers.DateTimeField(),
                "end": serializers.DateTimeField(),
                "changes": ScheduleChangeSerializer(many=True),
                "blackout_windows": ScheduleBlackoutSerializer(many=True),
                "conflicts": ConflictSerializer(many=True),
            },
        ),
    )
    def list(self, request: Request) -> Response:
        user = request.user
        if not selectors.schedule_readable(user):
            raise PermissionDenied("The schedule of change is for the provider's staff with a change role.")
        start = _when(request, "start", timezone.now())
        end = _when(request, "end", start + dt.timedelta(days=31))
        if end <= start:
            raise serializers.ValidationError({"end": ["The end must be after the start."]})
        if end - start > dt.timedelta(days=MAX_SCHEDULE_DAYS):
            raise serializers.ValidationError({"end": [f"At most {MAX_SCHEDULE_DAYS} days at once."]})
        visible = permissions.restrict(Change.objects.all(), user)
        plan = selectors.schedule(start, end, changes=visible)
        conflicting = plan.conflicting_ids
        return Response(
            {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "changes": ScheduleChangeSerializer(
                    [
                        {
                            "id": c.pk,
                            "reference": c.reference,
                            "title": c.title,
                            "category": c.category,
                            "status": c.status,
                            "planned_start": c.planned_start,
                            "planned_end": c.planned_end,
                            "conflict": c.pk in conflicting,
                        }
                        for c in plan.changes
                    ],
                    many=True,
                ).data,
                "blackout_windows": ScheduleBlackoutSerializer(plan.blackouts, many=True).data,
                "conflicts": [c.as_dict() for c in plan.conflicts],
            }
        )


class ChangePolicyViewSet(RecordViewSet):
    queryset = ChangePolicy.objects.prefetch_related("controlled_ci_types")
    create_service = staticmethod(services.policy_create)
    update_service = staticmethod(services.policy_update)


class ChangeAdvisoryBoardViewSet(RecordViewSet):
    queryset = ChangeAdvisoryBoard.objects.prefetch_related("members")


class StandardChangeTemplateViewSet(RecordViewSet):
    queryset = StandardChangeTemplate.objects.prefetch_related("allowed_ci_types")


class ChangeConfigurationUpdateSerializer(RecordSerializer):
    """A configuration update a change plans, applied when the change completes successfully."""

    new_value = serializers.JSONField(help_text="The new version, status or attribute value.")

    class Meta:
        resource = ChangeConfigurationUpdateResource


class ChangeConfigurationUpdateViewSet(RecordViewSet):
    """Configuration updates a change plans; applied to the CIs when the change completes successfully."""

    queryset = ChangeConfigurationUpdate.objects.all()
    serializer_class = ChangeConfigurationUpdateSerializer
    create_service = staticmethod(services.configuration_update_create)
    update_service = staticmethod(services.configuration_update_update)
    delete_service = staticmethod(services.configuration_update_delete)


class BlackoutWindowViewSet(RecordViewSet):
    queryset = BlackoutWindow.objects.prefetch_related("services", "customers")


def register(router) -> None:
    """Register this app's API resources."""
    router.register("changes", ChangeViewSet, basename="change")
    router.register("change-schedule", ChangeScheduleViewSet, basename="change-schedule")
    router.register("change-policies", ChangePolicyViewSet, basename="changepolicy")
    router.register("change-advisory-boards", ChangeAdvisoryBoardViewSet, basename="changeadvisoryboard")
    router.register(
        "standard-change-templates", StandardChangeTemplateViewSet, basename="standardchangetemplate"
    )
    router.register(
        "change-configuration-updates", ChangeConfigurationUpdateViewSet, basename="changeconfigurationupdate"
    )
    router.register("blackout-windows", BlackoutWindowViewSet, basename="blackoutwindow")
