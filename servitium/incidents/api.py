"""REST resources: `incidents` and `service-requests` (one model), the priority matrix."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api import lane
from servitium.core.api.base import RecordSerializer, RecordViewSet
from servitium.core.api.fast import FastInput
from servitium.core.api.fields import BoundedPrimaryKeyRelatedField, query_date
from servitium.core.api.lean import json_instant, record_link, representation_of
from servitium.core.api.pagination import LargeTablePagination
from servitium.parties.models import Person, Team

from . import fulfilment, major, selectors, services
from .clocks import clock_state, clock_states_by_ticket, with_calendar_version
from .mailgate import triage
from .models import (
    HeldMail,
    Incident,
    MajorIncidentDefinition,
    MajorIncidentUpdate,
    PostIncidentReview,
    PriorityRule,
    RequestItem,
    SlaClock,
)
from .resources import IncidentResource, PriorityRuleResource

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

    class Meta:
        resource = IncidentResource

    # What the computed fields are made of, for validators decided before rendering (core/api/lean.py):
    # the URL from the record's kind and id; the clocks as they read now (a running one's business time
    # grows), which is the small part of the ticket worth computing for it.
    lean_state = {"url": None, "sla_clocks": True}

    def get_url(self, obj: Incident) -> str:
        return _incident_url(obj, self.context.get("request"))

    @extend_schema_field(CLOCK_SCHEMA)
    def get_sla_clocks(self, obj: Incident) -> list[dict]:
        return _clocks(obj)


def _clocks(obj: Incident) -> list[dict]:
    # A page of tickets read by the API carries its clocks' states, all read at one instant; a ticket
    # just raised carries its new clocks.
    states = obj.__dict__.get("page_clock_states")
    if states is not None:
        return states
    known = getattr(obj, "started_clocks", None)
    now = timezone.now()
    return [clock_state(c, now) for c in (known if known is not None else obj.sla_clocks.all())]


class IncidentEscalationSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["functional", "hierarchical"])
    assignment_group = BoundedPrimaryKeyRelatedField(queryset=Team.objects.all(), required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class DeclareMajorSerializer(serializers.Serializer):
    major_manager = BoundedPrimaryKeyRelatedField(queryset=Person.objects.all())
    note = serializers.CharField(required=False, allow_blank=True)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    note = serializers.CharField(required=False, allow_blank=True)


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField(allow_blank=True)
    by = serializers.CharField(allow_blank=True)


class SlaComplianceSerializer(serializers.Serializer):
    service = serializers.IntegerField(allow_null=True)
    service_name = serializers.CharField(allow_null=True)
    priority = serializers.IntegerField()
    metric = serializers.CharField()
    clocks = serializers.IntegerField()
    met = serializers.IntegerField()
    compliance = serializers.FloatField(allow_null=True)
    mean_business_s = serializers.IntegerField()
    worst_business_s = serializers.IntegerField()


class SecurityAnalysisSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_type = serializers.ListField(child=serializers.DictField())
    by_risk = serializers.ListField(child=serializers.DictField())
    by_impact = serializers.ListField(child=serializers.DictField())


class IncidentViewSet(RecordViewSet):
    """Incidents; transitions: assign, start_work, await_*, resume, resolve, close, reopen."""

    kind = Incident.Kind.INCIDENT
    pagination_class = LargeTablePagination
    # A page is one query for the tickets and one for their clocks with their calendars' versions
    # (ordered by ticket and measure: the clocks' default order would join the tickets again to sort them).
    queryset = Incident.objects.prefetch_related(
        Prefetch(
            "sla_clocks",
            queryset=with_calendar_version(SlaClock.objects.order_by("incident_id", "metric", "id")),
        )
    )
    serializer_class = IncidentSerializer
    update_service = staticmethod(services.incident_update)
    transition_service = staticmethod(services.incident_transition)

    def get_queryset(self):
        queryset = super().get_queryset().filter(kind=self.kind)
        if self.action in ("list", "retrieve"):  # the clocks come as rows (prepare_records)
            queryset = queryset.prefetch_related(None)
        return queryset

    def prepare_records(self, objects: list[Incident]) -> None:
        """A page's clocks in one query, turned into their states at one instant straight from the rows:
        building 100 clock instances through the prefetch cost a quarter of a page's time."""
        by_ticket = clock_states_by_ticket([obj.pk for obj in objects], timezone.now())
        for obj in objects:
            states = obj.page_clock_states = by_ticket[obj.pk]
            for state in states:  # written as the JSON renderer would write it, without its fallback
                state["due_at"] = json_instant(state["due_at"])

    @classmethod
    def create_service(cls, *, actor, data, m2m=None):
        return services.incident_create(actor=actor, data=data, m2m=m2m, derived={"kind": cls.kind})

    # The lean input (see core/api/fast.py): the busiest resource of the system is created without
    # building serializer fields per request; tests hold it equal to IncidentSerializer.
    def create(self, request: Request, *args, **kwargs) -> Response:
        self._require(permissions.ADD)
        instance = raise_ticket(type(self), request.user, request.data)
        return Response(self.get_serializer(instance).data, status=201)

    def _act(self, request, permission=permissions.CHANGE):
        instance = self.get_object()
        if permission:
            self._require(permission, instance)
        return instance

    @extend_schema(request=IncidentEscalationSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk=None) -> Response:
        """Functional (`kind=functional`, `assignment_group`) or hierarchical (`kind=hierarchical`)."""
        instance = self._act(request)
        payload = IncidentEscalationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        incident = major.escalate(
            actor=request.user,
            incident=instance,
            kind=payload.validated_data["kind"],
            team=payload.validated_data.get("assignment_group"),
            note=payload.validated_data.get("note", ""),
        )
        return Response(self.get_serializer(self._fresh(incident)).data)

    @extend_schema(request=DeclareMajorSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="declare-major")
    def declare_major(self, request: Request, pk=None) -> Response:
        """Declare a major incident with its named manager; top management is told at once."""
        instance = self._act(request)
        payload = DeclareMajorSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        incident = major.major_declare(
            actor=request.user,
            incident=instance,
            manager=payload.validated_data["major_manager"],
            note=payload.validated_data.get("note", ""),
        )
        return Response(self.get_serializer(self._fresh(incident)).data)

    @extend_schema(request=DecisionSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def approval(self, request: Request, pk=None) -> Response:
        """Approve or reject a request waiting for approval (`decision`: approve | reject)."""
        instance = self._act(request, permission=None)
        payload = DecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        incident = fulfilment.request_decide(
            actor=request.user,
            incident=instance,
            decision=payload.validated_data["decision"],
            note=payload.validated_data.get("note", ""),
        )
        return Response(self.get_serializer(self._fresh(incident)).data)

    @extend_schema(responses=SecurityAnalysisSerializer)
    @action(detail=False, methods=["get"], url_path="security-analysis")
    def security_analysis(self, request: Request) -> Response:
        """Security incidents by type, by risk and by impact, with volume and mean resolution time
        (`?since=YYYY-MM-DD&until=YYYY-MM-DD`)."""
        since, until = _period(request)
        return Response(selectors.security_analysis(self.get_queryset(), since, until))

    @extend_schema(responses=SlaComplianceSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="sla-compliance")
    def sla_compliance(self, request: Request) -> Response:
        """SLA compliance per service, priority and measure for clocks stopped in a period
        (`?month=YYYY-MM`, or `?since=YYYY-MM-DD&until=YYYY-MM-DD`, until exclusive)."""
        since, until = _month_or_period(request)
        return Response(selectors.sla_compliance(self.get_queryset(), since, until))

    @extend_schema(responses=TimelineEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk=None) -> Response:
        """Everything that happened to the ticket, newest first: changes, replies and notes (customers see
        replies only), mail, major-incident updates, imported history."""
        return Response(
            TimelineEntrySerializer(selectors.timeline(self.get_object(), request.user), many=True).data
        )

    def _fresh(self, incident):
        return self.get_queryset().get(pk=incident.pk)


def _period(request):
    return query_date(request, "since"), query_date(request, "until")


def _incident_url(obj: Incident, request) -> str:
    name = "api:incident-detail" if obj.kind == Incident.Kind.INCIDENT else "api:service-request-detail"
    return record_link(request, name, obj.pk)


INCIDENT_INPUT = FastInput(IncidentResource)


def _month_or_period(request):
    import datetime as dt

    month = request.query_params.get("month")
    if month:
        try:
            first = dt.date.fromisoformat(f"{month}-01")
        except ValueError:
            raise serializers.ValidationError({"month": ["Use a month as YYYY-MM."]}) from None
        return first, (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    since, until = _period(request)
    if since is None or until is None or until <= since:
        raise serializers.ValidationError(
            {"month": ["Give month=YYYY-MM, or since and until (until after since)."]}
        )
    return since, until


class ServiceRequestViewSet(IncidentViewSet):
    """Service requests: the same record and lifecycle as incidents, kept apart."""

    kind = Incident.Kind.REQUEST


def raise_ticket(viewset: type[IncidentViewSet], user, payload) -> Incident:
    """Validate a create payload and record the ticket: the create of the incident and service request
    APIs, shared by their views and the fast lane (the caller has checked the permission to add)."""
    data, errors = INCIDENT_INPUT.parse(payload, user)
    if errors:
        raise serializers.ValidationError(errors)
    return viewset.create_service(actor=user, data=data)  # one transaction inside


def _lane_create(viewset: type[IncidentViewSet]):
    def create(request) -> tuple[int, dict] | None:
        if not permissions.has_permission(request.user, permissions.ADD, Incident):
            return None  # the full stack answers with the refusal
        instance = raise_ticket(viewset, request.user, request.data)  # stored, or raised with nothing stored
        request.lane_committed = True
        return 201, representation_of(IncidentSerializer).render_one(instance, {"request": request})

    return create


lane.route("api:incident-list", "POST", allow="GET, POST, HEAD, OPTIONS")(_lane_create(IncidentViewSet))
lane.route("api:service-request-list", "POST", allow="GET, POST, HEAD, OPTIONS")(
    _lane_create(ServiceRequestViewSet)
)


class PriorityRuleSerializer(RecordSerializer):
    class Meta:
        resource = PriorityRuleResource

    def build_url_field(self, field_name, model_class):
        return serializers.HyperlinkedIdentityField, {"view_name": "api:priority-rule-detail"}


class PriorityRuleViewSet(RecordViewSet):
    """The impact x urgency -> priority matrix (cells not set use the default table)."""

    queryset = PriorityRule.objects.all()
    serializer_class = PriorityRuleSerializer
    pagination_class = None


def register(router) -> None:
    router.register("incidents", IncidentViewSet, basename="incident")
    router.register("service-requests", ServiceRequestViewSet, basename="service-request")
    router.register("priority-matrix", PriorityRuleViewSet, basename="priority-rule")
    register_more(router)


class RequestItemViewSet(RecordViewSet):
    """Requestable catalogue items with fulfilment instructions, optional approval and own targets."""

    queryset = RequestItem.objects.select_related("service")


class MajorIncidentDefinitionViewSet(RecordViewSet):
    """What counts as a major incident, as agreed with each customer."""

    queryset = MajorIncidentDefinition.objects.select_related("customer", "service")


class MajorIncidentUpdateViewSet(RecordViewSet):
    """The communications log of major incidents; posting an update sends it to its audience."""

    queryset = MajorIncidentUpdate.objects.select_related("incident")
    http_method_names = ["get", "post", "head", "options"]

    @classmethod
    def create_service(cls, *, actor, data, m2m=None):
        return major.update_add(actor=actor, **data)


class PostIncidentReviewViewSet(RecordViewSet):
    """Reviews of major incidents (one each; needed before the incident can be closed)."""

    queryset = PostIncidentReview.objects.select_related("incident")

    @classmethod
    def create_service(cls, *, actor, data, m2m=None):
        return major.review_record(actor=actor, data=data)


class HeldMailViewSet(RecordViewSet):
    """Mail from unknown senders waiting for triage. Set `organization`, then the `accept` transition opens a
    ticket (the sender becomes a person of it); `reject` with a `note` says why not."""

    queryset = HeldMail.objects.select_related("organization", "person", "incident").defer("raw")
    transition_service = staticmethod(triage.held_mail_transition)


def register_more(router) -> None:
    router.register("held-mail", HeldMailViewSet, basename="heldmail")
    router.register("request-items", RequestItemViewSet, basename="requestitem")
    router.register(
        "major-incident-definitions", MajorIncidentDefinitionViewSet, basename="majorincidentdefinition"
    )
    router.register("major-incident-updates", MajorIncidentUpdateViewSet, basename="majorincidentupdate")
    router.register("post-incident-reviews", PostIncidentReviewViewSet, basename="postincidentreview")
