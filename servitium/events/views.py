"""UI of event management under /events/: the events (list with filters by status, severity, source,
service; a page per event with its history) and the rules. Columns, filters and forms come from
resources.py."""

from __future__ import annotations

from servitium.core import history
from servitium.core import views as generic

from . import services
from .models import Event, EventRule


class EventList(generic.RecordListView):
    model = Event

    def base_queryset(self):
        return Event.objects.select_related("ci", "service", "incident")

    def base_context(self):
        # Events come from monitoring tools through the API, never from a form.
        return {**super().base_context(), "can_add": False}


class EventDetail(generic.RecordDetailView):
    model = Event
    template_name = "events/event_detail.html"

    def base_queryset(self):
        return Event.objects.select_related("ci", "service", "incident", "rule", "change")

    def context(self, obj):
        done = history.labelled(reversed(obj.history or []), Event, ("status", "action"))
        return {**super().context(obj), "can_change": False, "event_history": done}


class RuleList(generic.RecordListView):
    model = EventRule


class RuleDetail(generic.RecordDetailView):
    model = EventRule


class RuleForm(generic.RecordFormView):
    model = EventRule
    create_service = staticmethod(services.rule_create)
    update_service = staticmethod(services.rule_update)
