"""REST resources of problem management: `problems`, `known-errors` (with `search/`)."""

from __future__ import annotations

import datetime as dt

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from servitium.core import permissions
from servitium.core.api.base import RecordSerializer, RecordViewSet
from servitium.core.api.fields import id_field, query_date, query_int
from servitium.incidents.models import Incident

from . import search as fulltext
from . import selectors, services
from .models import KnownError, Problem
from .resources import ProblemResource


class ProblemSerializer(RecordSerializer):
    incidents = RecordSerializer.serializer_related_field(
        many=True,
        required=False,
        queryset=Incident.objects.all(),
        help_text="Ids of the incidents the problem accounts for (given when it is raised; afterwards "
        "link-incidents/ and unlink-incidents/ change them).",
    )
    known_errors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        resource = ProblemResource


class ProblemEscalationSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text="Why it needs management's attention."
    )


class IncidentIdsSerializer(serializers.Serializer):
    incidents = serializers.ListField(child=id_field(), allow_empty=False)


class FromIncidentsSerializer(IncidentIdsSerializer):
    title = serializers.CharField(required=False, max_length=250)
    description = serializers.CharField(required=False, allow_blank=True)


class RecurrenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    created = serializers.DateTimeField()


EFFECTIVENESS_SCHEMA = inline_serializer(
    "ProblemEffectiveness",
    {
        "since": serializers.DateField(allow_null=True),
        "until": serializers.DateField(allow_null=True),
        "window_days": serializers.IntegerField(),
        "resolved": serializers.IntegerField(),
        "recurred": serializers.IntegerField(),
        "without_recurrence": serializers.IntegerField(),
        "effectiveness": serializers.FloatField(allow_null=True),
        "still_in_window": serializers.IntegerField(),
        "recurring_problems": inline_serializer(
            "RecurringProblem",
            {
                "id": serializers.IntegerField(),
                "reference": serializers.CharField(),
                "title": serializers.CharField(),
            },
            many=True,
        ),
    },
)


class ProblemViewSet(RecordViewSet):
    """Problems; transitions: investigate, record_root_cause (root_cause), record_known_error, resolve
    (resolution), close, cancel, reopen."""

    queryset = Problem.objects.select_related("service").prefetch_related("incidents", "known_errors")
    serializer_class = ProblemSerializer
    create_service = staticmethod(services.problem_create)
    update_service = staticmethod(services.problem_update)
    transition_service = staticmethod(services.problem_transition)

    def _fresh(self, problem: Problem) -> Problem:
        return self.get_queryset().get(pk=problem.pk)

    def _incident_ids(self, request: Request, serializer_class=IncidentIdsSerializer) -> dict:
        payload = serializer_class(data=request.data)
        payload.is_valid(raise_exception=True)
        return payload.validated_data

    @extend_schema(request=FromIncidentsSerializer, responses={201: ProblemSerializer})
    @action(detail=False, methods=["post"], url_path="from-incidents")
    def from_incidents(self, request: Request) -> Response:
        """Raise a problem from incidents: title, service, category, CI, impact and urgency come from them."""
        self._require(permissions.ADD)
        data = self._incident_ids(request, FromIncidentsSerializer)
        incidents = data.pop("incidents")
        problem = services.problem_from_incidents(actor=request.user, incidents=incidents, data=data)
        return Response(self.get_serializer(self._fresh(problem)).data, status=201)

    @extend_schema(request=IncidentIdsSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"], url_path="link-incidents")
    def link_incidents(self, request: Request, pk=None) -> Response:
        """Add incidents to the problem."""
        problem = self.get_object()
        self._require(permissions.CHANGE, problem)
        ids = self._incident_ids(request)["incidents"]
        problem = services.problem_link_incidents(actor=request.user, problem=problem, incidents=ids)
        return Response(self.get_serializer(self._fresh(problem)).data)

    @extend_schema(request=ProblemEscalationSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk=None) -> Response:
        """Escalate the problem to management: level 1 its group's lead, level 2 and above top management
        too (told by mail); 409 when the problem is no longer open."""
        problem = self.get_object()
        self._require(permissions.CHANGE, problem)
        payload = ProblemEscalationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        problem = services.problem_escalate(
            actor=request.user, instance=problem, note=payload.validated_data.get("note", "")
        )
        return Response(self.get_serializer(self._fresh(problem)).data)

    @extend_schema(request=IncidentIdsSerializer, responses=ProblemSerializer)
    @action(detail=True, methods=["post"], url_path="unlink-incidents")
    def unlink_incidents(self, request: Request, pk=None) -> Response:
        """Remove incidents from the problem."""
        problem = self.get_object()
        self._require(permissions.CHANGE, problem)
        ids = self._incident_ids(request)["incidents"]
        problem = services.problem_unlink_incidents(actor=request.user, problem=problem, incidents=ids)
        return Response(self.get_serializer(self._fresh(problem)).data)

    @extend_schema(
        parameters=[OpenApiParameter("days", int, description="Only within this many days of resolution.")],
        responses=RecurrenceSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def recurrence(self, request: Request, pk=None) -> Response:
        """Incidents like the problem's (same service and category, or same CI) since its resolution."""
        problem = self.get_object()
        days = query_int(request, "days", 0, 0, 3650) or None
        incidents = permissions.restrict(selectors.recurrence(problem, days=days), request.user)
        rows = incidents.order_by("created", "id").values("id", "reference", "title", "created")[:1000]
        return Response(RecurrenceSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("since", dt.date, description="Problems resolved on or after this day."),
            OpenApiParameter("until", dt.date, description="Problems resolved on or before this day."),
            OpenApiParameter("days", int, description="Recurrence window after resolution (default 30)."),
        ],
        responses=EFFECTIVENESS_SCHEMA,
    )
    @action(detail=False, methods=["get"])
    def effectiveness(self, request: Request) -> Response:
        """Of the problems resolved in the period, how many saw their incidents recur within the window."""
        since, until = query_date(request, "since"), query_date(request, "until")
        days = query_int(request, "days", selectors.DEFAULT_WINDOW_DAYS, 1, 3650)
        figures = selectors.effectiveness(since, until, days=days, problems=self.get_queryset())
        return Response(figures)


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(fulltext.KINDS))
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    snippet = serializers.CharField()
    workaround = serializers.CharField(required=False, help_text="Known errors: the workaround.")
    resolution = serializers.CharField(required=False, help_text="Incidents: the resolution notes.")
    score = serializers.FloatField()


class KnownErrorViewSet(RecordViewSet):
    """Known errors with their workarounds; transitions: retire, reactivate. `search/` looks through known
    errors and resolved incidents at once."""

    queryset = KnownError.objects.select_related("problem", "service")
    create_service = staticmethod(services.known_error_create)
    update_service = staticmethod(services.known_error_update)
    transition_service = staticmethod(services.known_error_transition)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description="What to look for, as typed."),
            OpenApiParameter("limit", int, description="At most this many hits (default 10, at most 50)."),
        ],
        responses=SearchHitSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="search", filter_backends=[], pagination_class=None)
    def fulltext_search(self, request: Request) -> Response:
        """Active known errors and resolved incidents matching the words of `q`, best first. Each hit carries
        the known error's `workaround` or the incident's `resolution`."""
        query = request.query_params.get("q", "")
        if not query.strip():
            raise serializers.ValidationError({"q": ["Say what to look for."]})
        limit = query_int(request, "limit", 10, 1, fulltext.MAX_LIMIT)
        hits = fulltext.suggest(query, request.user, limit=limit)
        return Response([hit.as_dict() for hit in hits])


def register(router) -> None:
    router.register("problems", ProblemViewSet, basename="problem")
    router.register("known-errors", KnownErrorViewSet, basename="knownerror")
