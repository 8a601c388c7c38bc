"""Incident and service request management (20000-1:2011 8.1 / 2018 8.6.1, 8.6.2): tickets, the priority
matrix, and SLA clocks measured on the agreement's service-hours calendar."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from servitium.agreements.metrics import Metric, Priority
from servitium.core import permissions
from servitium.core.models import BaseModel

LEVELS = [(1, _("1 - high")), (2, _("2 - medium")), (3, _("3 - low"))]


class PriorityRule(BaseModel):
    """One cell of the impact x urgency matrix: which priority a combination gets (configurable data)."""

    impact = models.PositiveSmallIntegerField(_("impact"), choices=LEVELS)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=LEVELS)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)

    permission_area = "incidents"

    class Meta:
        ordering = ["impact", "urgency"]
        verbose_name = _("priority rule")
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="priority_rule_unique_cell")
        ]

    def __str__(self) -> str:
        return f"impact {self.impact} x urgency {self.urgency} -> P{self.priority}"


# Used when the matrix has no row for a combination (and to seed it): the usual ITIL-style table.
DEFAULT_MATRIX = {
    (1, 1): 1,
    (1, 2): 2,
    (1, 3): 3,
    (2, 1): 2,
    (2, 2): 3,
    (2, 3): 4,
    (3, 1): 3,
    (3, 2): 4,
    (3, 3): 5,
}


class Incident(BaseModel):
    """An incident or a service request: one record type, two API doors (`incidents`, `service-requests`)."""

    class Kind(models.TextChoices):
        INCIDENT = "incident", _("incident")
        REQUEST = "request", _("service request")

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ASSIGNED = "assigned", _("assigned")
        IN_PROGRESS = "in_progress", _("in progress")
        PENDING_CUSTOMER = "pending_customer", _("pending customer")
        PENDING_SUPPLIER = "pending_supplier", _("pending supplier")
        PENDING_CHANGE = "pending_change", _("pending change")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("portal")
        EMAIL = "email", _("email")
        PHONE = "phone", _("phone")
        MONITORING = "monitoring", _("monitoring")
        WALK_IN = "walk_in", _("walk-in")
        API = "api", _("API")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    kind = models.CharField(
        _("kind"), max_length=8, choices=Kind.choices, default=Kind.INCIDENT, db_index=True
    )
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    service = models.ForeignKey(
        "catalog.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    customer = models.ForeignKey("parties.Organization", on_delete=models.PROTECT, related_name="incidents")
    caller = models.ForeignKey(
        "parties.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="called_incidents"
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.PORTAL)
    category = models.CharField(_("category"), max_length=100, blank=True, db_index=True)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=LEVELS, default=3)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=LEVELS, default=3)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, editable=False, db_index=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    assignment_group = models.ForeignKey(
        "parties.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    assignee = models.ForeignKey(
        "parties.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_incidents"
    )
    is_security = models.BooleanField(_("information security incident"), default=False)
    resolution_code = models.CharField(_("resolution code"), max_length=40, blank=True)
    resolution_notes = models.TextField(_("resolution"), blank=True)
    closure_code = models.CharField(_("closure code"), max_length=40, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("hierarchical escalation"), default=0)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    permission_area = "incidents"
    tenant_path = "customer"
    customer_actions = frozenset({permissions.VIEW, permissions.ADD})
    reference_prefix = "INC"

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("incident")
        indexes = [
            models.Index(fields=["status", "priority", "-created"], name="incident_queue_idx"),
            models.Index(fields=["customer", "-created"], name="incident_customer_idx"),
            models.Index(fields=["assignment_group", "status"], name="incident_group_idx"),
            models.Index(fields=["assignee", "status"], name="incident_assignee_idx"),
            models.Index(fields=["service", "-created"], name="incident_service_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        errors = {}
        if self.customer_id and self.customer.kind not in ("customer", "internal"):
            errors["customer"] = [_("Incidents are raised for customer organizations or internal groups.")]
        if self.caller_id and self.customer_id and self.caller.organization_id != self.customer_id:
            errors["caller"] = [_("The caller belongs to another organization than the customer.")]
        if (
            self.assignee_id
            and self.assignment_group_id
            and not self.assignment_group.members.filter(pk=self.assignee_id).exists()
        ):
            errors["assignee"] = [_("The assignee is not a member of the assignment group.")]
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.RESOLVED, self.Status.CLOSED)


class SlaClock(BaseModel):
    """One target's clock on one ticket: business time elapsed on the agreement's calendar, pauses kept.

    Time is accumulated per running segment: `elapsed_before_s` holds the business seconds of finished
    segments, `segment_start` when the current one began (null while paused or stopped). Re-targeting
    (new priority or agreement) only changes `target_s` and the calendar from now on; time already
    elapsed and paused is never lost.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="sla_clocks")
    metric = models.CharField(
        _("measure"),
        max_length=32,
        choices=[
            (Metric.RESPONSE_TIME, Metric.RESPONSE_TIME.label),
            (Metric.RESOLUTION_TIME, Metric.RESOLUTION_TIME.label),
        ],
    )
    target = models.ForeignKey(
        "agreements.ServiceTarget", null=True, blank=True, on_delete=models.SET_NULL, related_name="clocks"
    )
    calendar = models.ForeignKey(
        "core.ServiceHoursCalendar", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_s = models.PositiveIntegerField(_("target (business seconds)"))
    started_at = models.DateTimeField(_("started"))
    segment_start = models.DateTimeField(null=True, blank=True)
    elapsed_before_s = models.FloatField(default=0.0)
    paused = models.BooleanField(default=False)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    warn_at = models.DateTimeField(_("warning at"), null=True, blank=True)
    warned = models.BooleanField(default=False)
    breached_notified = models.BooleanField(default=False)
    stopped_at = models.DateTimeField(null=True, blank=True)
    met = models.BooleanField(null=True, blank=True)
    version = models.PositiveIntegerField(
        default=0, help_text=_("Bumped on every recomputation; stale scheduled checks see it.")
    )

    permission_area = "incidents"
    tenant_path = "incident__customer"
    customer_actions = frozenset({permissions.VIEW})

    class Meta:
        ordering = ["incident", "metric"]
        verbose_name = _("SLA clock")
        constraints = [models.UniqueConstraint(fields=["incident", "metric"], name="clock_unique_metric")]
        indexes = [models.Index(fields=["metric", "met", "stopped_at"], name="clock_results_idx")]

    def __str__(self) -> str:
        return f"{self.incident.reference} {self.metric}"
