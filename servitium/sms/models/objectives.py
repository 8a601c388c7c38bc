"""Service management objectives (2018 6.2) measured on live indicators, and their monthly measurements."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servitium.core import indicators
from servitium.core.models import BaseModel


class Tracking(models.TextChoices):
    """How an objective stands against its target, from its latest measurement."""

    ON_TRACK = "on_track", _("on track")
    AT_RISK = "at_risk", _("at risk")
    OFF_TRACK = "off_track", _("off track")
    NO_DATA = "no_data", _("no data yet")


def judge(value: Decimal | None, target: Decimal, comparator: str, tolerance: Decimal) -> str:
    """On track when the target is met, at risk when it is missed by at most the tolerance, else off
    track; no data without a value."""
    if value is None:
        return Tracking.NO_DATA
    shortfall = target - value if comparator == Objective.Comparator.AT_LEAST else value - target
    if shortfall <= 0:
        return Tracking.ON_TRACK
    return Tracking.AT_RISK if shortfall <= tolerance else Tracking.OFF_TRACK


class Objective(BaseModel):
    """A measurable objective: an indicator, a target it must reach (at least / at most), an owner and a
    due date, and the plan to reach it (what, resources, who, by when, how results are judged)."""

    class Comparator(models.TextChoices):
        AT_LEAST = ">=", _("at least")
        AT_MOST = "<=", _("at most")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        ACHIEVED = "achieved", _("achieved")
        WITHDRAWN = "withdrawn", _("withdrawn")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    policy_basis = models.CharField(
        _("policy commitment it serves"), max_length=300, blank=True, help_text=_("consistency with policy")
    )
    indicator = models.CharField(_("measured by"), max_length=40, choices=indicators.choices)
    comparator = models.CharField(_("target is"), max_length=2, choices=Comparator.choices)
    target_value = models.DecimalField(_("target"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    tolerance = models.DecimalField(
        _("at risk within"),
        max_digits=14,
        decimal_places=3,
        default=Decimal(0),
        help_text=_("How far from the target still counts as 'at risk' rather than 'off track'."),
    )
    owner = models.ForeignKey(
        "parties.Person", on_delete=models.PROTECT, related_name="sms_objectives", verbose_name=_("owner")
    )
    due_date = models.DateField(_("due date"))
    services = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="sms_objectives", verbose_name=_("services")
    )
    requirements = models.ManyToManyField(
        "sms.PartyRequirement",
        blank=True,
        related_name="objectives",
        verbose_name=_("requirements it reflects"),
    )
    actions = models.TextField(_("what will be done"), blank=True)
    resources = models.TextField(_("resources needed"), blank=True)
    evaluation = models.TextField(_("how results are judged"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    tracking = models.CharField(
        _("progress"), max_length=10, choices=Tracking.choices, default=Tracking.NO_DATA, db_index=True
    )
    latest_value = models.DecimalField(
        _("latest value"), max_digits=16, decimal_places=3, null=True, blank=True
    )
    action_reference = models.CharField(
        _("improvement action"),
        max_length=40,
        blank=True,
        help_text=_("The improvement record that deals with this objective being off track."),
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)

    reference_prefix = "OBJ"

    class Meta:
        ordering = ["reference"]
        verbose_name = _("objective")
        indexes = [models.Index(fields=["status", "tracking"], name="objective_tracking_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def target_display(self) -> str:
        return f"{self.get_comparator_display()} {self.target_value.normalize():f} {self.unit}".strip()

    def indicator_label(self) -> str:
        found = indicators.get(self.indicator)
        return str(found.label) if found else self.indicator

    @property
    def off_track_without_action(self) -> bool:
        return self.tracking == Tracking.OFF_TRACK and not self.action_reference.strip()

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.ACTIVE and self.due_date < timezone.localdate()

    def clean(self) -> None:
        errors = {}
        if self.indicator and indicators.get(self.indicator) is None:
            known = ", ".join(i.key for i in indicators.indicators())
            errors["indicator"] = [_("Unknown indicator. Known: %(known)s.") % {"known": known}]
        elif self.indicator and not self.unit:
            self.unit = indicators.get(self.indicator).unit
        if self.tolerance is not None and self.tolerance < 0:
            errors["tolerance"] = [_("The tolerance cannot be negative.")]
        if errors:
            raise ValidationError(errors)

    def judge(self, value: Decimal | None) -> str:
        return judge(value, self.target_value, self.comparator, self.tolerance)


class ObjectiveMeasurement(BaseModel):
    """The value of an objective's indicator for one month, and how the objective stood then."""

    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("objective")
    )
    period_start = models.DateField(_("month"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=3, null=True, blank=True)
    target_value = models.DecimalField(_("target then"), max_digits=14, decimal_places=3)
    tracking = models.CharField(_("progress"), max_length=10, choices=Tracking.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["objective", "-period_start"]
        verbose_name = _("objective measurement")
        constraints = [
            models.UniqueConstraint(fields=["objective", "period_start"], name="objmeasure_unique_month")
        ]

    def __str__(self) -> str:
        return f"{self.objective.reference} {self.period_start:%Y-%m}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end <= self.period_start:
            raise ValidationError({"period_end": _("The period must end after it starts.")})
