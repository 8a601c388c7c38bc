"""Service level management (20000-1:2011 6.1 / 2018 8.3.3): agreements, their targets, reviews, performance.

One model serves customer SLAs and internal agreements (with internal groups, or customers acting as
suppliers): the standard asks the same contents of both.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel
from servitium.core.vocabulary import HIGHER_IS_BETTER, Metric, Priority, format_target

EXCEPTION_KINDS = {
    "planned_maintenance": _("planned maintenance"),
    "force_majeure": _("force majeure"),
    "customer_caused": _("caused by the customer"),
    "third_party": _("third party outside the provider's control"),
    "other": _("other"),
}


class ServiceLevelAgreement(BaseModel):
    """An agreement on a service with one customer or internal group: targets, hours, workload, exceptions."""

    class Kind(models.TextChoices):
        SLA = "sla", _("service level agreement")
        INTERNAL = "internal", _("internal agreement")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        AGREED = "agreed", _("agreed")
        EXPIRED = "expired", _("expired")
        TERMINATED = "terminated", _("terminated")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SLA, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        "parties.Organization",
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("customer"),
    )
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, related_name="agreements")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    scope = models.TextField(_("scope and description"), blank=True)
    calendar = models.ForeignKey(
        "core.ServiceHoursCalendar",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("service hours"),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    customer_signatory = models.ForeignKey(
        "parties.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="signed_agreements"
    )
    service_level_manager = models.ForeignKey(
        "parties.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="managed_agreements"
    )
    review_interval_days = models.PositiveIntegerField(
        _("review interval (days)"), default=90, validators=[MinValueValidator(7)]
    )
    next_review_due = models.DateField(_("next review due"), null=True, blank=True, db_index=True)
    workload = models.JSONField(
        _("workload characteristics"),
        default=dict,
        blank=True,
        help_text=_(
            '{"expected_volumes": [{"measure": "incidents per month", "value": 40}], '
            '"peak_periods": ["month end"], "notes": "..."}'
        ),
    )
    pause_statuses = models.JSONField(
        _("statuses that pause the resolution clock"),
        default=list,
        blank=True,
        help_text=_('e.g. ["pending_customer", "pending_supplier"]; empty = the clock never pauses'),
    )
    exceptions = models.JSONField(
        _("exceptions"),
        default=list,
        blank=True,
        help_text=_(
            '[{"kind": "planned_maintenance", "description": "Sundays 02:00-04:00, announced 5 days ahead"}]'
        ),
    )

    reference_prefix = "SLA"

    class Meta:
        ordering = ["customer__name", "service__name", "-id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        indexes = [models.Index(fields=["customer", "service", "status"], name="sla_customer_service_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "customer", "service"],
                condition=models.Q(status="agreed"),
                name="sla_one_agreed_per_customer_service",
                violation_error_message=_("This customer already has an agreed agreement for this service."),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="sla_valid_until_after_from",
                violation_error_message=_("The agreement cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        from servitium.parties.models import Organization

        if self.customer_id:
            allowed = (
                {Organization.Kind.CUSTOMER}
                if self.kind == self.Kind.SLA
                else {Organization.Kind.INTERNAL, Organization.Kind.CUSTOMER}
            )
            if self.customer.kind not in allowed:
                errors["customer"] = [
                    _(
                        "An SLA is agreed with a customer organization; internal agreements with internal "
                        "groups "
                        "or customers acting as suppliers. %(name)s is a %(kind)s."
                    )
                    % {"name": self.customer.name, "kind": self.customer.get_kind_display()}
                ]
        errors.update(validate_workload(self.workload))
        pausable = {"pending_customer", "pending_supplier", "pending_change"}
        if not isinstance(self.pause_statuses, list) or not set(self.pause_statuses) <= pausable:
            errors["pause_statuses"] = [
                _("Pause statuses are a list drawn from: %(s)s.") % {"s": ", ".join(sorted(pausable))}
            ]
        errors.update(validate_exceptions(self.exceptions))
        if errors:
            raise ValidationError(errors)

    def missing_for_agreement(self) -> list[str]:
        """What the agreement still lacks before it can be agreed (in words for the service manager)."""
        missing = []
        if not self.targets.exists():
            missing.append(str(_("at least one service target")))
        if not (self.workload or {}).get("expected_volumes") and not (self.workload or {}).get(
            "peak_periods"
        ):
            missing.append(str(_("workload characteristics (expected volumes or peak periods)")))
        if not self.exceptions:
            missing.append(str(_("at least one exception (e.g. planned maintenance, force majeure)")))
        if self.calendar_id is None:
            missing.append(str(_("the service-hours calendar the targets run on")))
        if self.valid_from is None:
            missing.append(str(_("a start date (valid from)")))
        return missing

    @property
    def review_overdue(self) -> bool:
        return bool(
            self.status == self.Status.AGREED
            and self.next_review_due
            and self.next_review_due < timezone.localdate()
        )


def validate_workload(value) -> dict[str, list]:
    if value in (None, {}):
        return {}
    if not isinstance(value, dict):
        return {"workload": [_("Workload must be an object with expected_volumes, peak_periods and notes.")]}
    unknown = set(value) - {"expected_volumes", "peak_periods", "notes"}
    problems = []
    if unknown:
        problems.append(_("Unknown workload keys: %(keys)s.") % {"keys": ", ".join(sorted(unknown))})
    for item in value.get("expected_volumes", []) or []:
        if not isinstance(item, dict) or not str(item.get("measure", "")).strip():
            problems.append(
                _('Each expected volume needs a measure, e.g. {"measure": "calls per day", "value": 50}.')
            )
            continue
        try:
            if Decimal(str(item.get("value"))) < 0:
                raise ValueError
        except (ArithmeticError, ValueError):
            problems.append(
                _("Expected volume %(m)s needs a non-negative number as value.") % {"m": item.get("measure")}
            )
    peaks = value.get("peak_periods", []) or []
    if not isinstance(peaks, list) or not all(isinstance(p, str) and p.strip() for p in peaks):
        problems.append(_("Peak periods must be a list of descriptions."))
    return {"workload": problems} if problems else {}


def validate_exceptions(value) -> dict[str, list]:
    if value in (None, []):
        return {}
    if not isinstance(value, list):
        return {"exceptions": [_('Exceptions must be a list of {"kind", "description"} entries.')]}
    problems = []
    for item in value:
        if not isinstance(item, dict) or item.get("kind") not in EXCEPTION_KINDS:
            problems.append(
                _("Each exception needs a kind, one of: %(kinds)s.") % {"kinds": ", ".join(EXCEPTION_KINDS)}
            )
        elif not str(item.get("description", "")).strip():
            problems.append(_("Exception of kind %(k)s needs a description.") % {"k": item["kind"]})
    return {"exceptions": problems} if problems else {}


class ServiceTarget(BaseModel):
    """One measurable commitment of an agreement: e.g. resolution of priority 1 within 4 business hours."""

    agreement = models.ForeignKey(ServiceLevelAgreement, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(_("measure"), max_length=32, choices=Metric.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, null=True, blank=True
    )
    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("Required for custom measures.")
    )
    target_value = models.DecimalField(
        _("target"),
        max_digits=14,
        decimal_places=3,
        help_text=_("Seconds for times, percent for availability."),
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("For custom measures."))
    higher_is_better = models.BooleanField(_("higher is better"), default=False)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["agreement", "metric", "priority", "name"]
        verbose_name = _("service target")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "metric", "priority", "name"],
                name="target_unique_per_agreement",
                violation_error_message=_(
                    "This agreement already has a target for this measure and priority."
                ),
            )
        ]

    def __str__(self) -> str:
        label = self.name or self.get_metric_display()
        prio = f" P{self.priority}" if self.priority else ""
        return f"{label}{prio}: {self.display_value}"

    @property
    def display_value(self) -> str:
        return format_target(self.metric, self.target_value, self.unit)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.metric == Metric.CUSTOM and not self.name.strip():
            errors["name"] = [_("A custom measure needs a name.")]
        if self.target_value is not None:
            if self.target_value < 0:
                errors["target_value"] = [_("A target cannot be negative.")]
            if self.metric == Metric.AVAILABILITY and not Decimal("0") < self.target_value <= Decimal("100"):
                errors["target_value"] = [_("Availability is a percentage above 0 and at most 100.")]
            if self.metric in (Metric.RESPONSE_TIME, Metric.RESOLUTION_TIME) and self.target_value < 1:
                errors["target_value"] = [_("Times are given in seconds (at least 1).")]
        if self.metric in (Metric.RESPONSE_TIME, Metric.RESOLUTION_TIME):
            self.higher_is_better = False
        elif self.metric in HIGHER_IS_BETTER:
            self.higher_is_better = True
        if errors:
            raise ValidationError(errors)

    @property
    def measure_key(self) -> str:
        return f"custom:{self.name}" if self.metric == Metric.CUSTOM else self.metric

    def is_met(self, measured: Decimal | float | None) -> bool | None:
        if measured is None:
            return None
        measured = Decimal(str(measured))
        return measured >= self.target_value if self.higher_is_better else measured <= self.target_value


class TargetPerformance(BaseModel):
    """What was achieved against one target in one period (written by the performance job)."""

    target = models.ForeignKey(ServiceTarget, on_delete=models.CASCADE, related_name="performance")
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"))
    measured_value = models.DecimalField(
        _("measured"), max_digits=16, decimal_places=3, null=True, blank=True
    )
    samples = models.PositiveIntegerField(_("samples"), default=0)
    met = models.BooleanField(_("met"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-period_start", "target"]
        verbose_name = _("target performance")
        verbose_name_plural = _("target performance")
        constraints = [
            models.UniqueConstraint(
                fields=["target", "period_start", "period_end"], name="performance_unique_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.period_start:%Y-%m-%d}..{self.period_end:%Y-%m-%d}"


class ServiceReview(BaseModel):
    """A service review meeting with the customer: who attended, the performance discussed, actions agreed."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    agreement = models.ForeignKey(ServiceLevelAgreement, on_delete=models.PROTECT, related_name="reviews")
    scheduled_for = models.DateField(_("scheduled for"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    attendees = models.ManyToManyField("parties.Person", blank=True, related_name="service_reviews")
    performance_discussed = models.TextField(_("performance discussed"), blank=True)
    actions = models.JSONField(
        _("actions"),
        default=list,
        blank=True,
        help_text=_('[{"description": "...", "owner": "...", "due": "2026-12-01", "done": false}]'),
    )

    reference_prefix = "SRV"

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        verbose_name = _("service review")

    def __str__(self) -> str:
        return f"{self.reference} {self.agreement.customer} – {self.agreement.service} ({self.scheduled_for})"

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
