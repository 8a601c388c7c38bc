"""REST resources: `incidents` and `service-requests` (one model), the priority matrix."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from servitium.core.api.base import RecordSerializer, RecordViewSet

from . import services
from .clocks import clock_state
from .lifecycle import INCIDENT_WORKFLOW
from .models import Incident, PriorityRule

CLOCK_SCHEMA = inline_serializer(
    "SlaClockState",
    {
        "metric": serializers.CharField(),
        "target_s": serializers.IntegerField(),
        "due_at": serializers.DateTimeField(allow_null=True),
        "elapsed_business_s": serializers.IntegerField(),
        "paused": serializers.BooleanField(),
        "met": serializers.BooleanField(allow_null=True),
    },
    many=True,
)


class IncidentSerializer(RecordSerializer):
    url = serializers.SerializerMethodField()
    sla_clocks = serializers.SerializerMethodField()
    customer = RecordSerializer.serializer_related_field(
        queryset=Incident._meta.get_field("customer").related_model.objects.all(), required=False
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "url",
            "reference",
            "kind",
            "title",
            "description",
            "service",
            "customer",
            "caller",
            "channel",
            "category",
            "impact",
            "urgency",
            "priority",
            "status",
            "assignment_group",
            "assignee",
            "is_security",
            "resolution_code",
            "resolution_notes",
            "closure_code",
            "escalation_level",
            "responded_at",
            "resolved_at",
            "closed_at",
            "reopen_count",
            "sla_clocks",
            "created",
            "updated",
        ]
        read_only_fields = [
            "reference",
            "kind",
            "priority",
            "status",
            "escalation_level",
            "responded_at",
            "resolved_at",
            "closed_at",
            "reopen_count",
        ]

    def get_url(self, obj: Incident) -> str:
        from django.urls import reverse

        name = "api:incident-detail" if obj.kind == Incident.Kind.INCIDENT else "api:service-request-detail"
        path = reverse(name, args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(CLOCK_SCHEMA)
    def get_sla_clocks(self, obj: Incident) -> list[dict]:
        return [clock_state(c) for c in obj.sla_clocks.all()]

    def validate(self, attrs):
        from servitium.core import permissions

        request = self.context.get("request")
        if (
            self.instance is None
            and not attrs.get("customer")
            and not permissions.is_customer_user(request.user)
        ):
            raise serializers.ValidationError({"customer": ["Name the customer organization."]})
        return attrs


class IncidentViewSet(RecordViewSet):
    """Incidents; transitions: assign, start_work, await_*, resume, resolve, close, reopen."""

    kind = Incident.Kind.INCIDENT
    queryset = Incident.objects.select_related("customer", "service").prefetch_related("sla_clocks__calendar")
    serializer_class = IncidentSerializer
    filterset_fields = [
        "status",
        "priority",
        "customer",
        "service",
        "assignment_group",
        "assignee",
        "caller",
        "channel",
        "category",
        "is_security",
        "reference",
    ]
    search_fields = ["reference", "title", "description"]
    ordering_fields = ["created", "updated", "priority", "status", "reference"]
    update_service = staticmethod(services.incident_update)
    workflow = INCIDENT_WORKFLOW
    transition_service = staticmethod(services.incident_transition)

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.kind)

    @classmethod
    def create_service(cls, *, actor, data, m2m=None):
        return services.incident_create(actor=actor, data={**data, "kind": cls.kind}, m2m=m2m)


class ServiceRequestViewSet(IncidentViewSet):
    """Service requests: the same record and lifecycle as incidents, kept apart."""

    kind = Incident.Kind.REQUEST


class PriorityRuleSerializer(RecordSerializer):
    class Meta:
        model = PriorityRule
        fields = ["id", "url", "impact", "urgency", "priority", "created", "updated"]

    def build_url_field(self, field_name, model_class):
        return serializers.HyperlinkedIdentityField, {"view_name": "api:priority-rule-detail"}


class PriorityRuleViewSet(RecordViewSet):
    """The impact x urgency -> priority matrix (cells not set use the default table)."""

    queryset = PriorityRule.objects.all()
    serializer_class = PriorityRuleSerializer
    filterset_fields = ["impact", "urgency", "priority"]
    pagination_class = None


def register(router) -> None:
    router.register("incidents", IncidentViewSet, basename="incident")
    router.register("service-requests", ServiceRequestViewSet, basename="service-request")
    router.register("priority-matrix", PriorityRuleViewSet, basename="priority-rule")
