"""REST resources of event management: `events` (read; `POST` takes one event or a list in the generic
format; `alertmanager/` takes Prometheus Alertmanager's webhook as Alertmanager sends it) and
`event-rules` (the settings: labels naming CIs and services, severities, windows, flapping, resolution).
Monitoring tools authenticate with an API token (`Authorization: Bearer <key>` or `Token <key>`) of a user
holding the events-agent role."""

from __future__ import annotations

import io
import json

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.json import strict_constant

from servitium.core import permissions
from servitium.core.api.base import RecordViewSet
from servitium.core.api.parsers import JSONParser, check_value

from . import payloads, services
from .models import Event, EventRule

_STRINGS = serializers.DictField(child=serializers.CharField(), required=False)

EVENT_INPUT = inline_serializer(
    "EventInput",
    {
        "source": serializers.CharField(required=False, max_length=60, help_text="Default: api."),
        "fingerprint": serializers.CharField(
            required=False, max_length=128, help_text="The alert's identity; default: a hash of its labels."
        ),
        "status": serializers.ChoiceField(choices=payloads.STATUSES, required=False),
        "severity": serializers.CharField(
            required=False, max_length=20, help_text="Default: label severity."
        ),
        "labels": serializers.DictField(child=serializers.CharField()),
        "annotations": _STRINGS,
        "startsAt": serializers.DateTimeField(required=False),
        "endsAt": serializers.DateTimeField(required=False),
        "generatorURL": serializers.URLField(required=False),
    },
)
ALERTMANAGER_ALERT = inline_serializer(
    "AlertmanagerAlert",
    {
        "status": serializers.ChoiceField(choices=payloads.STATUSES),
        "labels": serializers.DictField(child=serializers.CharField()),
        "annotations": _STRINGS,
        "startsAt": serializers.DateTimeField(),
        "endsAt": serializers.DateTimeField(required=False),
        "generatorURL": serializers.CharField(required=False, allow_blank=True),
        "fingerprint": serializers.CharField(required=False),
    },
)
ALERTMANAGER_WEBHOOK = inline_serializer(
    "AlertmanagerWebhook",
    {
        "version": serializers.CharField(required=False),
        "groupKey": serializers.CharField(required=False),
        "truncatedAlerts": serializers.IntegerField(required=False),
        "status": serializers.ChoiceField(choices=payloads.STATUSES, required=False),
        "receiver": serializers.CharField(required=False),
        "groupLabels": _STRINGS,
        "commonLabels": _STRINGS,
        "commonAnnotations": _STRINGS,
        "externalURL": serializers.CharField(required=False),
        "alerts": ALERTMANAGER_ALERT.__class__(many=True),
    },
)
INTAKE_RESULT = inline_serializer(
    "EventIntakeResult",
    {
        "received": serializers.IntegerField(),
        "events": inline_serializer(
            "EventIntakeOutcome",
            {
                "id": serializers.IntegerField(),
                "reference": serializers.CharField(),
                "fingerprint": serializers.CharField(),
                "status": serializers.CharField(),
                "occurrences": serializers.IntegerField(),
                "action": serializers.CharField(),
                "reason": serializers.CharField(),
                "incident": serializers.CharField(allow_null=True, help_text="The incident's reference."),
            },
            many=True,
        ),
    },
)


class EventsParser(JSONParser):
    """The API's JSON rules, except that a list of events may be the whole body."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        try:
            text = raw.decode((parser_context or {}).get("encoding", "utf-8"))
            data = json.loads(text, parse_constant=strict_constant)
        except (ValueError, RecursionError):
            data = None  # the API's parser names the problem
        if isinstance(data, list):
            check_value(data)
            return data
        return super().parse(io.BytesIO(raw), media_type, parser_context)


def _outcome(events: list[Event]) -> dict:
    return {
        "received": len(events),
        "events": [
            {
                "id": e.pk,
                "reference": e.reference,
                "fingerprint": e.fingerprint,
                "status": e.status,
                "occurrences": e.occurrences,
                "action": e.action,
                "reason": e.reason,
                "incident": e.incident.reference if e.incident_id else None,
            }
            for e in events
        ],
    }


class EventViewSet(RecordViewSet):
    """Alerts from monitoring tools, one per fingerprint and source, with what each did: opened an incident,
    added to one, suppressed (flapping, a change's window), resolved one, or noted. `POST` one event or a
    list of them (all or none); `alertmanager/` is Alertmanager's webhook receiver."""

    queryset = Event.objects.select_related("ci", "service", "incident", "rule", "change")
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [EventsParser]

    def _intake(self, request: Request, alerts: list[payloads.Alert]) -> Response:
        events = services.intake(actor=request.user, alerts=alerts)
        return Response(_outcome(events), status=status.HTTP_201_CREATED)

    @extend_schema(request=EVENT_INPUT, responses={201: INTAKE_RESULT})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Record one event, or a list of them (send a JSON array)."""
        self._require(permissions.ADD)
        return self._intake(request, payloads.from_events(request.data))

    @extend_schema(
        request=ALERTMANAGER_WEBHOOK,
        responses={201: INTAKE_RESULT},
        parameters=[
            OpenApiParameter("source", str, description="The source to record (default: alertmanager).")
        ],
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def alertmanager(self, request: Request) -> Response:
        """Prometheus Alertmanager's webhook receiver (payload version 4, as Alertmanager sends it)."""
        self._require(permissions.ADD)
        source = request.query_params.get("source", "alertmanager")[:60] or "alertmanager"
        return self._intake(request, payloads.from_alertmanager(request.data, source))


class EventRuleViewSet(RecordViewSet):
    """How events become incidents, per source (empty: every source; the lowest order that matches)."""

    queryset = EventRule.objects.select_related("customer", "assignment_group")
    create_service = staticmethod(services.rule_create)
    update_service = staticmethod(services.rule_update)
    delete_service = staticmethod(services.rule_delete)


def register(router) -> None:
    """Add this app's resources to the API router."""
    router.register("events", EventViewSet, basename="event")
    router.register("event-rules", EventRuleViewSet, basename="eventrule")
