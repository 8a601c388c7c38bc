"""Records of availability and continuity management (2011 6.3; 2018 8.7.1, 8.7.2).

Availability: the target lives in the service level agreement (agreements.ServiceTarget of measure
"availability", one source of truth); a service's availability requirement adds only what the SLA does not
hold (the calendar availability is measured on, the allowance for planned maintenance, the requirement in
words). Outages are recorded from major incidents, from implemented changes of the schedule of change and
by hand; availability, MTBF and MTRS are measured from them (selectors.py). An availability plan says how
the targets are met.

Continuity: requirements per service (RTO, RPO, priority), continuity plans with invocation, steps,
contacts and return to normal, approved by someone other than their author, tested at planned intervals,
and invocations. Who may see and write them is declared in resources.py; every write goes through
services.py.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servitium.changes.revisions import RevisedUnderChange
from servitium.core.models import BaseModel


class AvailabilityRequirement(BaseModel):
    """What a service needs for measuring its availability beyond the SLA's target: the calendar the
    availability is measured on (downtime outside it does not count), the monthly allowance for planned
    maintenance, and the requirement as agreed in words."""

    service = models.OneToOneField(
        "catalog.Service",
        on_delete=models.CASCADE,
        related_name="availability_requirement",
        verbose_name=_("service"),
    )
    calendar = models.ForeignKey(
        "core.ServiceHoursCalendar",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="availability_requirements",
        verbose_name=_("measured on (service hours)"),
        help_text=_("Empty: the calendar of the service's agreement, or around the clock."),
    )
    maintenance_allowance_minutes = models.PositiveIntegerField(
        _("planned maintenance allowed per month (minutes)"), default=0
    )
    requirement = models.TextField(
        _("availability requirement"),
        blank=True,
        help_text=_("What the customers need, end to end, and how it was agreed."),
    )
    access_rights = models.TextField(
        _("access rights"),
        blank=True,
        help_text=_("Who may use the service, from where, and how they are given access."),
    )
    response_times = models.TextField(
        _("response times"),
        blank=True,
        help_text=_("How quickly the service must answer its users, e.g. 95 % of sign-ins within 2 seconds."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["service__name"]
        verbose_name = _("availability requirement")

    def __str__(self) -> str:
        return str(self.service)


class Outage(BaseModel):
    """A period in which a service was not available, planned (maintenance) or not."""

    class Kind(models.TextChoices):
        UNPLANNED = "unplanned", _("unplanned")
        PLANNED = "planned", _("planned")

    class Source(models.TextChoices):
        MAJOR_INCIDENT = "major_incident", _("major incident")
        CHANGE = "change", _("change")
        MONITORING = "monitoring", _("monitoring alert")
        MANUAL = "manual", _("recorded by hand")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.CASCADE, related_name="outages", verbose_name=_("service")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True, help_text=_("Empty while it lasts."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.UNPLANNED)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    cause = models.TextField(_("cause"), blank=True)
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outages",
        verbose_name=_("major incident"),
    )
    change = models.ForeignKey(
        "changes.Change",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outages",
        verbose_name=_("change"),
    )
    event = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("monitoring alert"),
    )
    investigated = models.BooleanField(
        _("investigated"), default=False, help_text=_("The cause of this unplanned outage was investigated.")
    )

    reference_prefix = "OUT"

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("outage")
        indexes = [
            models.Index(fields=["-start", "-id"], name="outage_newest_idx"),
            models.Index(fields=["service", "start"], name="outage_service_start_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "incident"],
                condition=Q(incident__isnull=False),
                name="outage_one_per_incident",
            ),
            models.UniqueConstraint(
                fields=["service", "change"], condition=Q(change__isnull=False), name="outage_one_per_change"
            ),
            # An alert that fires again after it resolved is a new outage: one per firing.
            models.UniqueConstraint(
                fields=["service", "event", "start"],
                condition=Q(event__isnull=False),
                name="outage_one_per_alert_firing",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=models.F("start")), name="outage_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.service}"

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": [_("The end must be after the start.")]})


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")
    RETIRED = "retired", _("retired")


class AvailabilityPlan(RevisedUnderChange, BaseModel):
    """How availability requirements and targets are met, for one service or for the whole provider;
    approved, and reviewed at planned intervals."""

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    service = models.ForeignKey(
        "catalog.Service",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="availability_plans",
        verbose_name=_("service"),
        help_text=_("Empty: the plan covers every service."),
    )
    requirements_and_targets = models.TextField(_("requirements and targets"), blank=True)
    measures = models.TextField(
        _("how availability is achieved"), blank=True, help_text=_("Redundancy, monitoring, maintenance...")
    )
    risks = models.TextField(_("risks to availability"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    review_interval_days = models.PositiveIntegerField(
        _("review interval (days)"), default=365, validators=[MinValueValidator(7)]
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)

    reference_prefix = "AVP"

    class Meta:
        ordering = ["reference"]
        verbose_name = _("availability plan")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class ContinuityRequirement(BaseModel):
    """How fast and to which point a service must be recovered after a major loss, and its priority."""

    service = models.OneToOneField(
        "catalog.Service",
        on_delete=models.CASCADE,
        related_name="continuity_requirement",
        verbose_name=_("service"),
    )
    rto_minutes = models.PositiveIntegerField(
        _("recovery time objective (minutes)"), validators=[MinValueValidator(1)]
    )
    rpo_minutes = models.PositiveIntegerField(_("recovery point objective (minutes)"))
    priority = models.PositiveSmallIntegerField(
        _("recovery priority"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_("1 is recovered first."),
    )
    availability_when_invoked = models.DecimalField(
        _("availability target while the plan is invoked (%)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    requirement = models.TextField(_("requirement as agreed"), blank=True)

    class Meta:
        ordering = ["priority", "service__name"]
        verbose_name = _("continuity requirement")

    def __str__(self) -> str:
        return str(self.service)


class ContinuityPlan(RevisedUnderChange, BaseModel):
    """What is done when a major loss of service happens: when to invoke, the steps, whom to call, how
    normal working comes back. Approved by someone other than its author, tested and reviewed at planned
    intervals, and reviewed after every test, invocation and change to its services."""

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    services = models.ManyToManyField(
        "catalog.Service", related_name="continuity_plans", verbose_name=_("services covered")
    )
    invocation_criteria = models.TextField(_("when the plan is invoked"), blank=True)
    invocation_steps = models.TextField(_("invocation and recovery steps"), blank=True)
    contacts = models.TextField(_("contacts"), blank=True)
    recovery_requirements = models.TextField(_("recovery requirements"), blank=True)
    return_to_normal = models.TextField(_("return to normal working"), blank=True)
    location = models.CharField(
        _("where copies are kept"),
        max_length=300,
        blank=True,
        help_text=_("Where the plan and contact lists can be reached when the usual sites cannot."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    review_interval_days = models.PositiveIntegerField(
        _("review interval (days)"), default=365, validators=[MinValueValidator(7)]
    )
    test_interval_days = models.PositiveIntegerField(
        _("test interval (days)"), default=365, validators=[MinValueValidator(7)]
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    last_tested = models.DateField(_("last tested"), null=True, blank=True)
    review_requested = models.BooleanField(
        _("review requested"),
        default=False,
        help_text=_("Set after a test, an invocation or a change to a covered service; cleared by a review."),
    )
    review_reason = models.TextField(_("why a review is asked for"), blank=True)

    reference_prefix = "BCP"

    class Meta:
        ordering = ["reference"]
        verbose_name = _("continuity plan")
        indexes = [models.Index(fields=["status", "review_requested"], name="bcp_status_review_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def _base(self) -> dt.date | None:
        return (
            self.approved_at.date() if self.approved_at else (self.created.date() if self.created else None)
        )

    @property
    def next_review_due(self) -> dt.date | None:
        base = self.last_reviewed or self._base()
        return base + dt.timedelta(days=self.review_interval_days) if base else None

    @property
    def next_test_due(self) -> dt.date | None:
        base = self.last_tested or self._base()
        return base + dt.timedelta(days=self.test_interval_days) if base else None


class ContinuityTest(BaseModel):
    """An exercise of a continuity plan: the scenario, the result, the recovery time reached against the
    RTO, what was found and what is to be done."""

    class Result(models.TextChoices):
        PASSED = "passed", _("passed")
        PARTLY = "partly", _("partly passed")
        FAILED = "failed", _("failed")

    plan = models.ForeignKey(
        ContinuityPlan, on_delete=models.CASCADE, related_name="tests", verbose_name=_("plan")
    )
    tested_on = models.DateField(_("tested on"))
    scenario = models.TextField(_("scenario"))
    result = models.CharField(_("result"), max_length=8, choices=Result.choices)
    recovery_minutes = models.PositiveIntegerField(
        _("recovery time reached (minutes)"), null=True, blank=True
    )
    findings = models.TextField(_("findings"), blank=True)
    actions = models.JSONField(
        _("actions"),
        default=list,
        blank=True,
        help_text=_('[{"description": "...", "owner": "...", "due": "2026-12-01", "done": false}]'),
    )

    class Meta:
        ordering = ["-tested_on", "-id"]
        verbose_name = _("continuity test")
        indexes = [models.Index(fields=["plan", "-tested_on"], name="bcptest_plan_date_idx")]

    def __str__(self) -> str:
        return f"{self.plan.reference} {self.tested_on}" if self.plan_id else str(self.tested_on)

    def clean(self) -> None:
        problems = []
        if not isinstance(self.actions, list):
            problems.append(_("Actions must be a list."))
        else:
            for item in self.actions:
                if not isinstance(item, dict) or not str(item.get("description", "")).strip():
                    problems.append(_("Each action needs a description."))
                    continue
                if item.get("due"):
                    try:
                        dt.date.fromisoformat(str(item["due"]))
                    except ValueError:
                        problems.append(_("Action due dates are YYYY-MM-DD, not %(v)s.") % {"v": item["due"]})
        if problems:
            raise ValidationError({"actions": problems})


class ContinuityInvocation(BaseModel):
    """A time the continuity plan was put into effect for real."""

    plan = models.ForeignKey(
        ContinuityPlan, on_delete=models.PROTECT, related_name="invocations", verbose_name=_("plan")
    )
    started_at = models.DateTimeField(_("invoked at"))
    ended_at = models.DateTimeField(_("normal working restored at"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("continuity plan invocation")

    def __str__(self) -> str:
        return f"{self.plan.reference} {self.started_at:%Y-%m-%d}" if self.plan_id else str(self.started_at)

    def clean(self) -> None:
        if self.started_at and self.ended_at and self.ended_at <= self.started_at:
            raise ValidationError({"ended_at": [_("Normal working is restored after the invocation.")]})
