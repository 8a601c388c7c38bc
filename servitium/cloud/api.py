"""REST resources of the cloud service lifecycle: `subscriptions` (transitions start_onboarding, go_live,
terminate, complete_termination, cancel; `cost-profile/`, `usage/`), `subscription-quotas`,
`onboarding-templates`, `onboarding-template-tasks`, `onboarding-tasks` (`complete/`), `resource-requests`
(transitions approve, reject, fulfil) and `usage-records` (`bulk/` and `csv/` take many rows, all or none)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet, serializer_for

from . import selectors, services
from .models import (
    OnboardingTask,
    OnboardingTemplate,
    OnboardingTemplateTask,
    ResourceRequest,
    Subscription,
    SubscriptionQuota,
    UsageRecord,
)
from .resources import (
    OnboardingTaskResource,
    SubscriptionQuotaResource,
    SubscriptionResource,
    UsageRecordResource,
)


def _cost(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True, help_text=help_text)


class SubscriptionSerializer(RecordSerializer):
    monthly_cost = _cost("What the subscription costs per month: allocated times price over its quotas.")

    class Meta:
        resource = SubscriptionResource


class SubscriptionQuotaSerializer(RecordSerializer):
    monthly_cost = _cost("Allocated times the price per unit and month.")

    class Meta:
        resource = SubscriptionQuotaResource


QUOTA_ROW = inline_serializer(
    "SubscriptionCostLine",
    {
        "resource": serializers.CharField(),
        "unit": serializers.CharField(),
        "limit": serializers.DecimalField(max_digits=19, decimal_places=4),
        "allocated": serializers.DecimalField(max_digits=19, decimal_places=4),
        "unit_price": serializers.DecimalField(max_digits=16, decimal_places=2),
        "monthly_cost": serializers.DecimalField(max_digits=16, decimal_places=2),
    },
)
FULFILLED_ROW = inline_serializer(
    "SubscriptionCostChange",
    {
        "request": serializers.IntegerField(),
        "reference": serializers.CharField(),
        "resource": serializers.CharField(),
        "allocated_quantity": serializers.DecimalField(max_digits=19, decimal_places=4),
        "total_cost": serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True),
        "fulfilled_at": serializers.DateTimeField(allow_null=True),
    },
)
COST_PROFILE = inline_serializer(
    "SubscriptionCostProfile",
    {
        "subscription": serializers.IntegerField(),
        "monthly_cost": serializers.DecimalField(max_digits=16, decimal_places=2),
        "lines": QUOTA_ROW.__class__(many=True),
        "fulfilled": FULFILLED_ROW.__class__(many=True),
    },
)
USAGE_ROW = inline_serializer(
    "SubscriptionUsageAgainstQuota",
    {
        "usage_record": serializers.IntegerField(),
        "resource": serializers.CharField(),
        "period_start": serializers.DateField(),
        "period_end": serializers.DateField(),
        "quantity": serializers.DecimalField(max_digits=19, decimal_places=4),
        "quota": serializers.DecimalField(max_digits=19, decimal_places=4, allow_null=True),
        "percent": serializers.FloatField(allow_null=True, help_text="Use as a share of the quota."),
        "over_quota": serializers.BooleanField(),
    },
)


class SubscriptionViewSet(RecordViewSet):
    """Customers' subscriptions to catalogue offerings. Transitions: start_onboarding (lays out the
    checklist), go_live (checklist done and accepted), terminate (`effective_end`), complete_termination
    (`end`, default today), cancel. `cost-profile/` and `usage/` read what it costs and uses."""

    queryset = Subscription.objects.select_related(
        "customer", "offering", "agreement", "accepted_by"
    ).prefetch_related("options", "quotas")
    serializer_class = SubscriptionSerializer
    create_service = staticmethod(services.subscription_create)
    update_service = staticmethod(services.subscription_update)
    transition_service = staticmethod(services.subscription_transition)

    @extend_schema(request=None, responses=COST_PROFILE)
    @action(detail=True, methods=["get"], url_path="cost-profile", filter_backends=[], pagination_class=None)
    def cost_profile(self, request: Request, pk=None) -> Response:
        """What the subscription costs per month, per resource, and what each fulfilled request changed."""
        subscription = self.get_object()
        found = selectors.cost_profile(subscription, request.user)
        return Response(
            {
                "subscription": subscription.pk,
                "monthly_cost": str(found["total"]),
                "lines": [
                    {
                        "resource": q.resource,
                        "unit": q.unit,
                        "limit": str(q.limit),
                        "allocated": str(q.allocated),
                        "unit_price": str(q.unit_price),
                        "monthly_cost": str(q.monthly_cost),
                    }
                    for q in found["quotas"]
                ],
                "fulfilled": [
                    {
                        "request": r.pk,
                        "reference": r.reference,
                        "resource": r.resource,
                        "allocated_quantity": str(r.allocated_quantity),
                        "total_cost": None if r.total_cost is None else str(r.total_cost),
                        "fulfilled_at": r.fulfilled_at,
                    }
                    for r in found["fulfilled"]
                ],
            }
        )

    @extend_schema(request=None, responses=USAGE_ROW.__class__(many=True))
    @action(detail=True, methods=["get"], url_path="usage", filter_backends=[], pagination_class=None)
    def usage(self, request: Request, pk=None) -> Response:
        """Each usage record beside its quota, newest period first (up to 200)."""
        subscription = self.get_object()
        rows = selectors.usage_against_quota(subscription, request.user)
        return Response(
            [
                {
                    "usage_record": row.record.pk,
                    "resource": row.record.resource,
                    "period_start": row.record.period_start,
                    "period_end": row.record.period_end,
                    "quantity": str(row.record.quantity),
                    "quota": None if row.limit is None else str(row.limit),
                    "percent": row.percent,
                    "over_quota": row.over,
                }
                for row in rows
            ]
        )


class SubscriptionQuotaViewSet(RecordViewSet):
    """How much of each resource a subscription may use, what is allocated, and its price."""

    queryset = SubscriptionQuota.objects.select_related("subscription")
    serializer_class = SubscriptionQuotaSerializer
    create_service = staticmethod(services.quota_create)
    update_service = staticmethod(services.quota_update)


class OnboardingTemplateViewSet(RecordViewSet):
    """The onboarding checklist of each offering."""

    queryset = OnboardingTemplate.objects.select_related("offering")


class OnboardingTemplateTaskViewSet(RecordViewSet):
    """The steps of onboarding templates."""

    queryset = OnboardingTemplateTask.objects.select_related("template", "owner_team", "owner")


class TaskCompleteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class OnboardingTaskViewSet(RecordViewSet):
    """The onboarding checklist of each subscription. `complete/` marks a task done: customer users do
    their own customer-side tasks, including the acceptance (which comes last)."""

    queryset = OnboardingTask.objects.select_related("subscription", "owner", "team", "done_by")
    create_service = staticmethod(services.task_create)
    update_service = staticmethod(services.task_update)

    @extend_schema(request=TaskCompleteSerializer, responses=serializer_for(OnboardingTaskResource))
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def complete(self, request: Request, pk=None) -> Response:
        task = self.get_object()
        self._require(permissions.CHANGE, task)
        payload = TaskCompleteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.task_complete(actor=request.user, instance=task, note=payload.validated_data["note"])
        return Response(self.get_serializer(self.get_queryset().get(pk=task.pk)).data)


class ResourceRequestViewSet(RecordViewSet):
    """Requests for more or fewer resources under a subscription: approved at once within the quota,
    held for a cloud manager beyond it. Transitions: approve, reject (`reason`), fulfil (`quantity`,
    `unit_cost`, `allocation_note`)."""

    queryset = ResourceRequest.objects.select_related(
        "subscription", "requested_by", "decided_by", "fulfilled_by"
    )
    create_service = staticmethod(services.request_create)
    update_service = staticmethod(services.request_update)
    transition_service = staticmethod(services.request_transition)


class UsageBatchSerializer(serializers.Serializer):
    rows = serializers.ListField(
        child=serializers.JSONField(),
        help_text=(
            "Up to 5000 rows of {subscription (id or reference), resource, period_start, period_end, "
            "quantity, source, note}. A 400 names the first bad row (from 0); nothing is stored unless "
            "every row is good."
        ),
    )


class UsageCsvSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV with the header subscription,resource,period_start,period_end,quantity[,source,note]."
    )


USAGE_RESULT = inline_serializer(
    "UsageIntakeResult",
    {"stored": serializers.IntegerField(), "ids": serializers.ListField(child=serializers.IntegerField())},
)


class UsageRecordViewSet(RecordViewSet):
    """Usage of the subscriptions' resources per period. `bulk/` (JSON rows) and `csv/` (a file) take many
    at once: all or none, the 400 naming the bad row."""

    queryset = UsageRecord.objects.select_related("subscription")
    create_service = staticmethod(services.usage_create)
    update_service = staticmethod(services.usage_update)
    resource = UsageRecordResource

    def _stored(self, stored) -> Response:
        return Response(
            {"stored": len(stored), "ids": [u.pk for u in stored]}, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=UsageBatchSerializer, responses={201: USAGE_RESULT})
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def bulk(self, request: Request) -> Response:
        self._require(permissions.ADD)
        payload = UsageBatchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        stored = services.usage_record(
            actor=request.user,
            rows=payload.validated_data["rows"],
            subscriptions=services.usage_subscriptions(request.user),
            source="API",
        )
        return self._stored(stored)

    @extend_schema(request={"multipart/form-data": UsageCsvSerializer}, responses={201: USAGE_RESULT})
    @action(
        detail=False,
        methods=["post"],
        url_path="csv",
        parser_classes=[MultiPartParser],
        filter_backends=[],
        pagination_class=None,
    )
    def csv_upload(self, request: Request) -> Response:
        self._require(permissions.ADD)
        payload = UsageCsvSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        stored = services.usage_from_csv(
            actor=request.user, content=upload.read(), name=(upload.name or "")[:60]
        )
        return self._stored(stored)


def register(router) -> None:
    """Add this app's resources to the API router."""
    router.register("subscriptions", SubscriptionViewSet, basename="subscription")
    router.register("subscription-quotas", SubscriptionQuotaViewSet, basename="subscriptionquota")
    router.register("onboarding-templates", OnboardingTemplateViewSet, basename="onboardingtemplate")
    router.register(
        "onboarding-template-tasks", OnboardingTemplateTaskViewSet, basename="onboardingtemplatetask"
    )
    router.register("onboarding-tasks", OnboardingTaskViewSet, basename="onboardingtask")
    router.register("resource-requests", ResourceRequestViewSet, basename="resourcerequest")
    router.register("usage-records", UsageRecordViewSet, basename="usagerecord")
