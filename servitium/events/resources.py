"""What the event records show, who may write which field, and how their lists filter.

Events are written only by intake (monitoring tools posting with an API token, services.py): nobody edits
one. The rules are the event managers' settings. Both are the provider's own: customers see neither (the
incidents the events feed are theirs to see, through the incidents app).
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from servitium.core.declaration import ADD, VIEW, Access, Resource

from .models import Event, EventRule

RULE_TERMS = (
    "name",
    "source",
    "order",
    "active",
    "ci_labels",
    "service_labels",
    "severities",
    "default_severity",
    "correlation_minutes",
    "flap_changes",
    "flap_minutes",
    "on_resolved",
    "suppress_in_changes",
    "customer",
    "assignment_group",
)


class EventRuleResource(Resource):
    model = EventRule
    area = "events"
    readable_by = ("incidents",)
    fields = RULE_TERMS
    staff = Access(create=RULE_TERMS, update=RULE_TERMS, required=("name",))
    filters = ("source", "active", "on_resolved")
    list_filters = ("active", "on_resolved")
    search = ("name", "source")
    orderings = ("order", "name", "source")
    ordering = ("order", "name")
    columns = ("name", "source", "order", "active", "on_resolved", "correlation_minutes")


class EventResource(Resource):
    model = Event
    area = "events"
    readable_by = ("incidents",)
    staff_actions = {VIEW, ADD}  # added by intake (services.intake); nobody edits or deletes one
    status = "status"
    fields = (
        "reference",
        "source",
        "fingerprint",
        "name",
        "severity",
        "status",
        "labels",
        "annotations",
        "starts_at",
        "ends_at",
        "generator_url",
        "occurrences",
        "last_seen",
        "flapping",
        "ci",
        "service",
        "incident",
        "rule",
        "action",
        "reason",
        "change",
    )
    filters = (
        "status",
        "severity",
        "source",
        "service",
        "ci",
        "incident",
        "action",
        "flapping",
        "fingerprint",
    )
    extra_filters = {
        "since": django_filters.IsoDateTimeFilter(
            field_name="last_seen",
            lookup_expr="gte",
            label=_("seen since"),
            help_text=_("last seen at or after"),
        ),
    }
    list_filters = ("status", "severity", "source", "service", "action")
    search = ("reference", "name", "fingerprint", "reason")
    orderings = ("last_seen", "starts_at", "severity", "status", "occurrences", "reference")
    ordering = ("-last_seen", "-id")
    columns = ("reference", "name", "severity", "status", "ci", "service", "incident", "action", "last_seen")
