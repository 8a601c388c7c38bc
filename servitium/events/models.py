"""Records of event management (ISO/IEC 20000-9 S10 "monitor and report"; 20000-1:2018 8.6.1, 8.7.1): what
monitoring tools report (`Event`, one per alert fingerprint and source, counting its occurrences) and how
such reports become incidents (`EventRule`: where to find the CI and the service in an alert's labels, what
a severity means for impact and urgency, how long related alerts join one incident, when an alert flaps,
what a resolved alert does).

Who may see and write them is declared in resources.py; every write goes through services.py.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel

DEFAULT_CI_LABELS = ["instance", "host", "hostname", "node", "ci"]
DEFAULT_SERVICE_LABELS = ["service", "job"]
# severity -> impact and urgency of the incident it opens; null: record the event, open nothing
DEFAULT_SEVERITIES = {
    "critical": {"impact": 1, "urgency": 1},
    "error": {"impact": 2, "urgency": 1},
    "warning": {"impact": 2, "urgency": 2},
    "info": None,
}


def _strings(value, name: str, errors: dict) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= 100 for v in value):
        errors[name] = [_("Give a list of label names.")]


def severity_errors(value) -> list[str]:
    if not isinstance(value, dict) or not value:
        return [_('Give an object of severity -> {"impact": 1-3, "urgency": 1-3} or null.')]
    problems = []
    for key, levels in value.items():
        if levels is None:
            continue
        ok = isinstance(levels, dict) and set(levels) == {"impact", "urgency"}
        ok = ok and all(isinstance(levels[k], int) and 1 <= levels[k] <= 3 for k in levels)
        if not ok or len(str(key)) > 20:
            problems.append(_("Severity %(name)s needs impact and urgency from 1 to 3.") % {"name": key})
    return problems


class OnResolved(models.TextChoices):
    RESOLVE = "resolve", _("resolve the incident")
    NOTE = "note", _("only note it on the incident")


class EventRule(BaseModel):
    """How the events of one source (or of every source: empty) become incidents. The rule with the
    lowest order that matches the source applies."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    source = models.CharField(
        _("source"),
        max_length=60,
        blank=True,
        help_text=_("The source these settings apply to (e.g. alertmanager); empty: every source."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    ci_labels = models.JSONField(
        _("labels naming the CI"),
        default=list,
        blank=True,
        help_text=_("Label names tried in turn; a value is matched to a CI's name (a port is dropped)."),
    )
    service_labels = models.JSONField(
        _("labels naming the service"),
        default=list,
        blank=True,
        help_text=_("Label names tried in turn; a value is matched to a catalogue service's name."),
    )
    severities = models.JSONField(
        _("severity mapping"),
        default=dict,
        help_text=_(
            'Severity -> {"impact": 1-3, "urgency": 1-3}; null records the event without an incident.'
        ),
    )
    default_severity = models.CharField(_("default severity"), max_length=20, default="warning")
    correlation_minutes = models.PositiveIntegerField(
        _("correlation window (minutes)"),
        default=30,
        help_text=_("Alerts on the same CI or service, or on CIs related in the CMDB, join one incident."),
    )
    flap_changes = models.PositiveSmallIntegerField(
        _("flapping after state changes"),
        default=4,
        help_text=_("An alert changing state more often than this within the flapping window is flapping."),
    )
    flap_minutes = models.PositiveIntegerField(_("flapping window (minutes)"), default=30)
    on_resolved = models.CharField(
        _("when the alert is resolved"), max_length=8, choices=OnResolved.choices, default=OnResolved.RESOLVE
    )
    suppress_in_changes = models.BooleanField(
        _("suppress during approved changes"),
        default=True,
        help_text=_("Alerts on CIs or services in an approved change's window open no incident."),
    )
    customer = models.ForeignKey(
        "parties.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("customer"),
        help_text=_(
            "Whom the incidents are for when the service names no customer (else: the internal one)."
        ),
    )
    assignment_group = models.ForeignKey(
        "parties.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assignment group"),
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("event rule")
        verbose_name_plural = _("event rules")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict = {}
        _strings(self.ci_labels, "ci_labels", errors)
        _strings(self.service_labels, "service_labels", errors)
        if problems := severity_errors(self.severities):
            errors["severities"] = problems
        if errors:
            raise ValidationError(errors)


class Event(BaseModel):
    """One alert of one monitoring source, identified by its fingerprint: it fires (again), resolves, and
    what was done with it each time is kept on it."""

    class Status(models.TextChoices):
        FIRING = "firing", _("firing")
        RESOLVED = "resolved", _("resolved")

    class Action(models.TextChoices):
        OPENED = "opened", _("opened an incident")
        ADDED = "added", _("added to an incident")
        SUPPRESSED = "suppressed", _("suppressed")
        RESOLVED = "resolved", _("resolved the incident")
        NOTED = "noted", _("noted")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=60)
    fingerprint = models.CharField(_("fingerprint"), max_length=128)
    name = models.CharField(_("alert"), max_length=200, blank=True)
    labels = models.JSONField(_("labels"), default=dict, blank=True)
    annotations = models.JSONField(_("annotations"), default=dict, blank=True)
    severity = models.CharField(_("severity"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.FIRING)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    generator_url = models.URLField(_("generator URL"), max_length=1000, blank=True)
    occurrences = models.PositiveIntegerField(_("occurrences"), default=1)
    last_seen = models.DateTimeField(_("last seen"))
    state_changes = models.PositiveSmallIntegerField(_("state changes in the flapping window"), default=0)
    flap_window_start = models.DateTimeField(null=True, blank=True, editable=False)
    flapping = models.BooleanField(_("flapping"), default=False)
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("incident"),
        db_index=False,  # events_incident_idx
    )
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("configuration item"),
        db_index=False,  # events_ci_idx
    )
    service = models.ForeignKey(
        "catalog.Service",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("service"),
        db_index=False,  # events_service_idx
    )
    rule = models.ForeignKey(
        EventRule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("rule"),
    )
    action = models.CharField(_("what was done"), max_length=12, choices=Action.choices, blank=True)
    reason = models.CharField(_("why"), max_length=300, blank=True)
    change = models.ForeignKey(
        "changes.Change",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suppressed_events",
        verbose_name=_("suppressing change"),
    )
    history = models.JSONField(_("history"), default=list, blank=True, editable=False)
    # when a repeat last wrote a note on the incident: a repeating alert notes at most one in a while
    noted_at = models.DateTimeField(null=True, blank=True, editable=False)

    reference_prefix = "EVT"

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.UniqueConstraint(fields=["source", "fingerprint"], name="event_source_fingerprint"),
        ]
        indexes = [
            # correlation reads recent events of one CI or one service (window + index, never a scan)
            models.Index(fields=["ci", "last_seen"], name="events_ci_idx"),
            models.Index(fields=["service", "last_seen"], name="events_service_idx"),
            models.Index(fields=["incident", "status"], name="events_incident_idx"),
            models.Index(fields=["-last_seen", "-id"], name="events_newest_idx"),
            models.Index(fields=["status", "severity", "-last_seen"], name="events_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}" if self.name else self.reference
