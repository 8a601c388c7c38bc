"""UI: the agent queue and the ticket pages."""

from django.db.models import Q

from servitium.core import permissions
from servitium.core import views as generic
from servitium.parties.models import Person

from . import services
from .clocks import clock_state
from .lifecycle import INCIDENT_WORKFLOW
from .models import Incident

FIELDS = [
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
]


class IncidentList(generic.RecordListView):
    """The queue: everything, my work, my teams' work, or breaching soon (by SLA due time)."""

    model = Incident
    columns = ["reference", "title", "priority", "status", "customer", "assignee", "created"]
    filter_fields = ["status", "priority", "kind", "assignment_group"]
    search_fields = ["reference", "title"]
    default_sort = "-created"
    template_name = "incidents/incident_list.html"

    def base_queryset(self):
        queryset = Incident.objects.select_related("customer", "assignee")
        view = self.request.GET.get("view", "")
        person = Person.objects.filter(user=self.request.user).first()
        if view == "mine":
            queryset = queryset.filter(assignee=person) if person else queryset.none()
        elif view == "team":
            queryset = queryset.filter(assignment_group__members=person) if person else queryset.none()
        elif view == "breaching":
            queryset = (
                queryset.filter(
                    Q(
                        sla_clocks__stopped_at__isnull=True,
                        sla_clocks__paused=False,
                        sla_clocks__due_at__isnull=False,
                    )
                )
                .order_by("sla_clocks__due_at")
                .distinct()
            )
        if view in ("mine", "team"):
            queryset = queryset.exclude(status__in=[Incident.Status.RESOLVED, Incident.Status.CLOSED])
        return queryset

    def get(self, request):
        return super().get(request)


class IncidentDetail(generic.RecordDetailView):
    model = Incident
    fields = FIELDS
    workflow = INCIDENT_WORKFLOW
    transition_service = staticmethod(services.incident_transition)
    template_name = "incidents/incident_detail.html"

    def context(self, obj):
        context = super().context(obj)
        context["clocks"] = [
            {**clock_state(c), "label": c.get_metric_display()}
            for c in permissions.restrict(obj.sla_clocks.select_related("calendar"), self.request.user)
        ]
        return context


class IncidentForm(generic.RecordFormView):
    model = Incident
    form_fields = [
        "title",
        "description",
        "service",
        "customer",
        "caller",
        "channel",
        "category",
        "impact",
        "urgency",
        "assignment_group",
        "assignee",
        "is_security",
        "resolution_code",
        "resolution_notes",
    ]
    create_service = staticmethod(services.incident_create)
    update_service = staticmethod(services.incident_update)

    def make_form(self, instance=None, data=None):
        form = super().make_form(instance, data)
        if permissions.is_customer_user(self.request.user):
            for name in (
                "customer",
                "caller",
                "assignment_group",
                "assignee",
                "resolution_code",
                "resolution_notes",
                "is_security",
            ):
                form.fields.pop(name, None)
        if "title" in form.fields:
            form.fields["title"].widget.attrs["autofocus"] = True
        return form
