"""Incident and service request management (20000-1:2011 8.1 / 2018 8.6.1, 8.6.2): tickets, the priority
matrix, and SLA clocks measured on the agreement's service-hours calendar."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel
from servitium.core.vocabulary import Metric, Priority

LEVELS = [(1, _("1 - high")), (2, _("2 - medium")), (3, _("3 - low"))]


class PriorityRule(BaseModel):
    """One cell of the impact x urgency matrix: which priority a combination gets (configurable data)."""

    impact = models.PositiveSmallIntegerField(_("impact"), choices=LEVELS)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=LEVELS)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)

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


class Approval(models.TextChoices):
    NOT_REQUIRED = "not_required", _("not required")
    PENDING = "pending", _("awaiting approval")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class SecurityCategory(models.TextChoices):
    MALWARE = "malware", _("malware")
    UNAUTHORISED_ACCESS = "unauthorised_access", _("unauthorised access")
    DATA_DISCLOSURE = "data_disclosure", _("data disclosure")
    DENIAL_OF_SERVICE = "denial_of_service", _("denial of service")
    PHISHING = "phishing", _("phishing / social engineering")
    LOSS_OR_THEFT = "loss_or_theft", _("loss or theft of equipment")
    POLICY_VIOLATION = "policy_violation", _("policy violation")
    VULNERABILITY = "vulnerability", _("exploited vulnerability")
    OTHER = "other", _("other")


class RequestItem(BaseModel):
    """A requestable catalogue item: what a customer may ask for, how it is fulfilled, whether someone must
    approve it first, and its own response and resolution targets (used when the SLA sets none)."""

    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, related_name="request_items")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    fulfilment_instructions = models.TextField(_("fulfilment instructions"), blank=True)
    needs_approval = models.BooleanField(_("needs approval"), default=False)
    approver = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Who approves; empty means the requesting customer's own approver (any customer user)."),
    )
    fulfilment_group = models.ForeignKey(
        "parties.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response_target_s = models.PositiveIntegerField(
        _("response target (business seconds)"), null=True, blank=True
    )
    resolution_target_s = models.PositiveIntegerField(
        _("fulfilment target (business seconds)"), null=True, blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["service__name", "name"]
        verbose_name = _("request item")
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="request_item_unique_name")]

    def __str__(self) -> str:
        return self.name


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
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.INCIDENT)
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    service = models.ForeignKey(
        "catalog.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    customer = models.ForeignKey("parties.Organization", on_delete=models.PROTECT, related_name="incidents")
    caller = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="called_incidents",
        db_index=False,  # partial index in Meta
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.PORTAL)
    category = models.CharField(_("category"), max_length=100, blank=True)  # indexed in Meta
    impact = models.PositiveSmallIntegerField(_("impact"), choices=LEVELS, default=3)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=LEVELS, default=3)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    assignment_group = models.ForeignKey(
        "parties.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
        db_index=False,  # partial index in Meta
    )
    assignee = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_incidents",
        db_index=False,  # incident_assigned_idx (assignee, status) leads with it, where set
    )
    affected_ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incidents",
        verbose_name=_("affected configuration item"),
        db_index=False,  # partial index in Meta
    )
    affected_ci_name = models.CharField(
        _("affected CI (as named)"),
        max_length=200,
        blank=True,
        help_text=_("The CI's name as reported or imported; filled from the linked CI when there is one."),
    )
    request_item = models.ForeignKey(
        "RequestItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
        db_index=False,  # partial index in Meta
    )
    approval = models.CharField(
        _("approval"), max_length=12, choices=Approval.choices, default=Approval.NOT_REQUIRED
    )
    approved_by = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # partial index in Meta
    )
    is_security = models.BooleanField(_("information security incident"), default=False)
    security_category = models.CharField(
        _("security incident type"), max_length=24, choices=SecurityCategory.choices, blank=True
    )
    security_risk = models.PositiveSmallIntegerField(
        _("information security risk"),
        choices=LEVELS,
        null=True,
        blank=True,
        help_text=_("Risk to confidentiality, integrity or availability; a high risk raises the priority."),
    )
    is_major = models.BooleanField(_("major incident"), default=False)  # partial index in Meta
    major_manager = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_major_incidents",
        verbose_name=_("major-incident manager"),
        db_index=False,  # partial index in Meta
    )
    major_declared_at = models.DateTimeField(_("declared major at"), null=True, blank=True)
    source = models.CharField(
        _("imported from"), max_length=32, blank=True, help_text=_("Import mapping the record came from.")
    )
    external_id = models.CharField(
        _("reference in the source"),
        max_length=64,
        blank=True,
        help_text=_("The ticket's number in the tool it was imported from."),
    )
    resolution_code = models.CharField(_("resolution code"), max_length=40, blank=True)
    resolution_notes = models.TextField(_("resolution"), blank=True)
    closure_code = models.CharField(_("closure code"), max_length=40, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("hierarchical escalation"), default=0)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # Kept from an imported history (the other tool's reassignments); live tickets leave it at 0.
    reassignment_count = models.PositiveIntegerField(_("times reassigned"), default=0)

    reference_prefix = "INC"

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("incident")
        # Every list filters on kind (incidents and service requests are two API doors), so the list
        # indexes lead with it: the page and its count can then be answered from the index.
        indexes = [
            # A queue by status, newest first (the default order): the page is read off the index.
            models.Index(fields=["kind", "status", "-created", "-id"], name="incident_status_newest_idx"),
            models.Index(fields=["kind", "customer", "-created"], name="incident_customer_idx"),
            models.Index(
                fields=["kind", "assignment_group", "status", "-created"], name="incident_group_idx"
            ),
            models.Index(
                fields=["assignee", "status"],
                condition=models.Q(assignee__isnull=False),
                name="incident_assigned_idx",
            ),
            models.Index(fields=["kind", "service", "status", "-created"], name="incident_service_idx"),
            models.Index(fields=["kind", "priority", "-created"], name="incident_priority_idx"),
            models.Index(fields=["kind", "-created", "-id"], name="incident_newest_idx"),
            models.Index(fields=["category"], name="incident_category_idx"),
            # Links most new tickets leave empty are indexed only where set: every index costs each
            # insert, and a lookup of one linked record (`= id`) implies the link is set.
            *[
                models.Index(
                    fields=[name],
                    condition=models.Q(**{f"{name}__isnull": False}),
                    name=f"incident_{short}_idx",
                )
                for name, short in (
                    ("caller", "caller"),
                    ("assignment_group", "team"),
                    ("affected_ci", "ci"),
                    ("request_item", "item"),
                    ("approved_by", "approver"),
                    ("major_manager", "majormgr"),
                )
            ],
            models.Index(fields=["is_major"], condition=models.Q(is_major=True), name="incident_major_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="incident_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    # The kinds of organization a ticket is raised for: never a supplier, nor the provider itself. The
    # model refuses others and the new-ticket form offers only these (one rule, stated here).
    RAISED_FOR = ("customer", "internal")

    def clean(self) -> None:
        errors = {}
        if self.customer_id and self.customer.kind not in self.RAISED_FOR:
            errors["customer"] = [_("Incidents are raised for customer organizations or internal groups.")]
        if self.caller_id and self.customer_id and self.caller.organization_id != self.customer_id:
            errors["caller"] = [_("The caller belongs to another organization than the customer.")]
        if (
            self.assignee_id
            and self.assignment_group_id
            and not self.assignment_group.has_member(self.assignee_id)
        ):
            errors["assignee"] = [_("The assignee is not a member of the assignment group.")]
        if self.major_manager_id and self.major_manager.organization.kind != "provider":
            errors["major_manager"] = [_("The major-incident manager must be one of the provider's people.")]
        if not self.is_security and (self.security_category or self.security_risk):
            errors["is_security"] = [_("Mark the incident as a security incident to classify its risk.")]
        if self.request_item_id and self.kind != self.Kind.REQUEST:
            errors["request_item"] = [_("Only service requests are raised from request items.")]
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None) -> None:
        # The only constraint concerns imported tickets; asking the database for every live ticket would
        # cost a query on the hot path for a condition that is false.
        if self.external_id:
            super().validate_constraints(exclude)

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

    incident = models.ForeignKey(
        Incident,
        on_delete=models.CASCADE,
        related_name="sla_clocks",
        db_index=False,  # clock_unique_metric (incident, metric) leads with it
    )
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
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warning at"), null=True, blank=True)
    warned = models.BooleanField(default=False)
    breached_notified = models.BooleanField(default=False)
    stopped_at = models.DateTimeField(null=True, blank=True)
    met = models.BooleanField(null=True, blank=True)
    version = models.PositiveIntegerField(
        default=0, help_text=_("Bumped on every recomputation; stale scheduled checks see it.")
    )

    class Meta:
        ordering = ["incident", "metric"]
        verbose_name = _("SLA clock")
        constraints = [models.UniqueConstraint(fields=["incident", "metric"], name="clock_unique_metric")]
        indexes = [
            # Period reports ask for stopped clocks only: running ones (every new ticket's) stay out.
            models.Index(
                fields=["metric", "met", "stopped_at"],
                condition=models.Q(stopped_at__isnull=False),
                name="clock_results_stopped_idx",
            ),
            models.Index(
                fields=["stopped_at"],
                condition=models.Q(stopped_at__isnull=False),
                name="clock_stopped_at_idx",
            ),
            # "breaching soon": only running clocks, by due time (a small index even with millions of tickets)
            models.Index(
                fields=["due_at", "incident"],
                condition=models.Q(stopped_at__isnull=True, paused=False),
                name="clock_running_due_idx",
            ),
            # missed targets of a period (conformity checks): a small index however many clocks were met
            models.Index(fields=["stopped_at"], condition=models.Q(met=False), name="clock_breached_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.incident.reference} {self.metric}"


class MajorIncidentDefinition(BaseModel):
    """What counts as a major incident, as agreed with one customer (for one service, or all)."""

    customer = models.ForeignKey(
        "parties.Organization", on_delete=models.CASCADE, related_name="major_incident_definitions"
    )
    service = models.ForeignKey(
        "catalog.Service", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    criteria = models.TextField(_("criteria"), help_text=_("The agreed description of a major incident."))
    priority_at_or_above = models.PositiveSmallIntegerField(
        _("priority at or above"),
        choices=Priority.choices,
        null=True,
        blank=True,
        help_text=_("Tickets of this priority or higher are proposed as major incidents."),
    )
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)

    class Meta:
        ordering = ["customer__name", "service__name"]
        verbose_name = _("major-incident definition")

    def __str__(self) -> str:
        return f"{self.customer}: {self.criteria[:60]}"


class MajorIncidentUpdate(BaseModel):
    """The communications log of a major incident: each update given to customers or top management."""

    class Audience(models.TextChoices):
        CUSTOMER = "customer", _("customer")
        TOP_MANAGEMENT = "top_management", _("top management")
        INTERNAL = "internal", _("internal")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="major_updates")
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    body = models.TextField(_("update"))
    sent_to = models.TextField(_("sent to"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["incident", "created"]
        verbose_name = _("major-incident update")

    def __str__(self) -> str:
        return f"{self.incident.reference} {self.get_audience_display()} {self.created:%Y-%m-%d %H:%M}"


class PostIncidentReview(BaseModel):
    """The review a major incident must have before it is closed."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="review")
    held_on = models.DateField(_("held on"))
    participants = models.TextField(_("participants"), blank=True)
    summary = models.TextField(_("what happened"))
    root_cause = models.TextField(_("root cause"), blank=True)
    went_well = models.TextField(_("what went well"), blank=True)
    to_improve = models.TextField(_("what to improve"))
    actions = models.TextField(_("actions"), blank=True)

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("post-incident review")

    def __str__(self) -> str:
        return f"{self.incident.reference} review {self.held_on}"

    def get_absolute_url(self) -> str:
        return self.incident.get_absolute_url()

    def clean(self) -> None:
        if self.incident_id and not self.incident.is_major:
            raise ValidationError({"incident": [_("Post-incident reviews are held for major incidents.")]})


class IncidentEvent(BaseModel):
    """One entry of a ticket's history brought in by an import (the other tool's activity log)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="imported_events")
    occurred_at = models.DateTimeField(_("occurred at"))
    activity = models.CharField(_("activity"), max_length=100)
    group = models.CharField(_("group"), max_length=100, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    external_id = models.CharField(_("identifier in the source"), max_length=64)

    class Meta:
        ordering = ["incident", "occurred_at", "id"]
        verbose_name = _("imported event")
        constraints = [
            models.UniqueConstraint(fields=["incident", "external_id"], name="incident_event_unique")
        ]

    def __str__(self) -> str:
        return f"{self.incident.reference} {self.activity}"


class MailMessage(BaseModel):
    """Every message the mail gateway took in or sent: for threading, de-duplication, rate limits and
    as evidence of what was communicated."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("received")
        OUTBOUND = "out", _("sent")

    class Outcome(models.TextChoices):
        OPENED = "opened", _("opened a ticket")
        APPENDED = "appended", _("added to a ticket")
        AUTO_REPLY = "auto_reply", _("ignored: automatic reply")
        BOUNCE = "bounce", _("ignored: delivery report")
        LOOP = "loop", _("ignored: mail loop")
        RATE_LIMITED = "rate_limited", _("refused: too many messages from this sender")
        UNKNOWN_SENDER = "unknown_sender", _("refused: unknown sender")
        HELD = "held", _("held for triage: unknown sender")
        DUPLICATE = "duplicate", _("ignored: already received")
        SENT = "sent", _("sent")

    # Outcomes of messages that were not taken into a ticket's thread.
    IGNORED = ("auto_reply", "bounce", "loop", "rate_limited", "unknown_sender", "duplicate")

    message_id = models.CharField(_("Message-ID"), max_length=255, db_index=True)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="mail_messages"
    )
    sender = models.EmailField(_("from"), max_length=254, blank=True, db_index=True)
    recipients = models.TextField(_("to"), blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("mail message")
        indexes = [models.Index(fields=["sender", "direction", "created"], name="mail_sender_rate_idx")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.message_id}"


class HeldMail(BaseModel):
    """A message from an address nobody knows, waiting for an agent: accepted, it becomes a person of the
    organization the agent names and a ticket; rejected, it stays here as the record of what was decided.
    The whole message is kept so that accepting it brings its attachments along."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting for triage")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    message = models.OneToOneField(
        MailMessage, on_delete=models.CASCADE, related_name="held", verbose_name=_("mail")
    )
    sender = models.EmailField(_("from"), max_length=254, db_index=True)
    sender_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    text = models.TextField(_("message"), blank=True)
    raw = models.BinaryField(_("original message"), editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    organization = models.ForeignKey(
        "parties.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "customer"},
        verbose_name=_("organization"),
        help_text=_("The customer the sender belongs to; suggested from the address's domain."),
    )
    person = models.ForeignKey(
        "parties.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("ticket")
    )
    decision_note = models.TextField(_("decision note"), blank=True)

    changelog_exclude = frozenset({"raw"})

    class Meta:
        ordering = ["-created"]
        verbose_name = _("held mail")
        verbose_name_plural = _("held mail")
        indexes = [models.Index(fields=["status", "created"], name="held_mail_queue_idx")]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject or _('(no subject)')}"


class SavedFilter(BaseModel):
    """A queue filter an agent saved under a name (the list's query string), shown as a tab of the queue.
    Each person's own: nobody else sees or changes it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_queue_filters"
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filter"), max_length=1000, blank=True)

    class Meta:
        ordering = ["owner", "name"]
        verbose_name = _("saved filter")
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_filter_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('incidents:incident_list')}?{self.query}"


def import_upload_path(instance: IncidentImportRun | None, filename: str) -> str:
    # A name of our own: the uploaded name is kept in the run's `uploads`, never trusted as a path.
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class IncidentImportRun(BaseModel):
    """One import of one to five export files started in the browser and carried out by the task queue: who
    started it, with which mapping and options, how far it has come, and its report. The uploaded files live
    in the storage (shared by every node) only until the run ends; the record stays."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incident_import_runs",
        verbose_name=_("started by"),
        editable=False,
    )
    file_name = models.CharField(_("file names"), max_length=255, editable=False)
    # [{"name": the uploaded name, "stored": its name in the storage}, ...]: emptied once they are removed.
    uploads = models.JSONField(_("uploaded files"), default=list, blank=True, editable=False)
    size = models.BigIntegerField(_("size (bytes)"), default=0, editable=False)
    mapping_name = models.CharField(_("mapping"), max_length=100, editable=False)
    mapping_text = models.TextField(_("mapping text"), blank=True, editable=False)
    options = models.JSONField(_("options"), default=dict, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, editable=False
    )
    fraction = models.FloatField(_("done"), default=0.0, editable=False)
    stage = models.CharField(_("stage"), max_length=40, blank=True, editable=False)
    failure_reason = models.TextField(_("why it failed"), blank=True, editable=False)
    report_text = models.TextField(_("report"), blank=True, editable=False)
    report = models.JSONField(_("report (JSON)"), null=True, blank=True, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, editable=False)

    changelog_exclude = frozenset({"uploads", "report", "report_text", "mapping_text"})

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("incident import")
        verbose_name_plural = _("incident imports")
        indexes = [
            models.Index(fields=["started_by", "-created"], name="importrun_user_idx"),
            models.Index(fields=["status", "created"], name="importrun_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.mapping_name})"

    def get_absolute_url(self) -> str:
        return reverse("incidents:incident_import_run", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return int(round(100 * min(max(self.fraction, 0.0), 1.0)))
