"""Records of capacity and demand management (2011 6.5; 2018 8.4.2, 8.4.3; guidance of TR 20000-17): the
capacity plan of each service with its lines for the four kinds of resource (human, technical, information,
financial), the capacity metrics with their thresholds and measurements, and the demand of each customer.

Who may see and write them is declared in resources.py; every write goes through services.py.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servitium.changes.revisions import RevisedUnderChange
from servitium.core.models import BaseModel

MAX_FIGURE = Decimal("1e12")


class ResourceType(models.TextChoices):
    """The four kinds of resource TR 20000-17 asks a capacity plan to cover (2018 8.4.3)."""

    HUMAN = "human", _("human")
    TECHNICAL = "technical", _("technical")
    INFORMATION = "information", _("information")
    FINANCIAL = "financial", _("financial")


def _figure(name: str, **extra) -> models.DecimalField:
    return models.DecimalField(name, max_digits=18, decimal_places=4, **extra)


class CapacityPlan(RevisedUnderChange, BaseModel):
    """The capacity plan of a service for a period: the demand now and expected, and per resource what
    there is and what will be needed. Approved by someone other than its author; reviewed at an interval."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, related_name="capacity_plans", verbose_name=_("service")
    )
    title = models.CharField(_("title"), max_length=250)
    owner = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="capacity_plans",
        verbose_name=_("plan owner"),
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    review_interval_days = models.PositiveSmallIntegerField(
        _("review interval (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text=_("How often the plan is looked at again."),
    )
    next_review = models.DateField(_("next review"), null=True, blank=True, db_index=True)
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    current_demand = models.TextField(
        _("current demand"), blank=True, help_text=_("Who uses the service now, how much and when.")
    )
    forecast_demand = models.TextField(
        _("forecast demand"), blank=True, help_text=_("What demand is expected over the period, and why.")
    )
    demand_unit = models.CharField(
        _("demand unit"), max_length=40, blank=True, help_text=_("E.g. users, requests per day, VMs.")
    )
    current_demand_figure = _figure(_("current demand (figure)"), null=True, blank=True)
    forecast_demand_figure = _figure(_("forecast demand (figure)"), null=True, blank=True)
    requirements_impact = models.TextField(
        _("effect of service requirements"),
        blank=True,
        help_text=_("How the agreed availability, continuity and service levels affect the capacity needed."),
    )
    upgrades = models.TextField(
        _("timescales, thresholds and costs"),
        blank=True,
        help_text=_("When capacity changes are due, which thresholds trigger them and what they cost."),
    )
    external_changes = models.TextField(
        _("legal, contractual and organizational changes"),
        blank=True,
        help_text=_("Changes outside the service that could change the capacity needed."),
    )
    new_technology = models.TextField(
        _("new technology"), blank=True, help_text=_("New technologies or techniques that could help.")
    )
    predictive_analysis = models.TextField(
        _("predictive analysis"),
        blank=True,
        help_text=_("How demand and use are forecast (e.g. the linear trend of the capacity metrics)."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("author"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    reference_prefix = "CAP"

    class Meta:
        ordering = ["service", "-period_start"]
        verbose_name = _("capacity plan")
        indexes = [models.Index(fields=["service", "-period_start"], name="capplan_service_period_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")), name="capplan_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        errors = {}
        if self.period_start and self.period_end and self.period_end <= self.period_start:
            errors["period_end"] = [_("The period must end after it starts.")]
        if self.owner_id and self.owner.organization.kind != "provider":
            errors["owner"] = [_("The plan owner must be one of the provider's people.")]
        for name in ("current_demand_figure", "forecast_demand_figure"):
            value = getattr(self, name)
            if value is not None and not (0 <= value < MAX_FIGURE):
                errors[name] = [_("Give a figure of zero or more.")]
        if errors:
            raise ValidationError(errors)


class CapacityPlanLine(BaseModel):
    """One resource in a capacity plan: what it is, how much there is now, how much will be needed, and
    what is done about the gap (when, at what cost). A financial line may point to the service's budget
    of the year (kept in competence's resource budgets)."""

    plan = models.ForeignKey(
        CapacityPlan, on_delete=models.CASCADE, related_name="lines", verbose_name=_("capacity plan")
    )
    resource_type = models.CharField(_("resource type"), max_length=12, choices=ResourceType.choices)
    item = models.CharField(_("what"), max_length=200, help_text=_("E.g. on-call engineers, vCPU, budget."))
    current_capacity = _figure(_("current capacity"), validators=[MinValueValidator(0)])
    forecast_need = _figure(_("forecast need"), validators=[MinValueValidator(0)])
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    action = models.TextField(_("action"), blank=True, help_text=_("What closes the gap."))
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    cost = models.DecimalField(
        _("cost"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    budget = models.ForeignKey(
        "competence.ResourceBudget",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="capacity_lines",
        verbose_name=_("budget"),
        help_text=_("For a financial line: the service's budget of the year."),
    )

    class Meta:
        ordering = ["plan", "resource_type", "id"]
        verbose_name = _("capacity plan line")
        indexes = [models.Index(fields=["plan", "resource_type", "id"], name="capline_plan_type_idx")]

    def __str__(self) -> str:
        return f"{self.get_resource_type_display()}: {self.item}"

    @property
    def gap(self) -> Decimal | None:
        """What will be missing (positive) or spare (negative) by the end of the period."""
        if self.current_capacity is None or self.forecast_need is None:
            return None
        return self.forecast_need - self.current_capacity

    def clean(self) -> None:
        errors = {}
        if self.budget_id:
            if self.resource_type != ResourceType.FINANCIAL:
                errors["budget"] = [_("Only a financial line points to a budget.")]
            elif self.plan_id and self.budget.service_id != self.plan.service_id:
                errors["budget"] = [_("The budget belongs to another service than the plan.")]
        for name in ("current_capacity", "forecast_need"):
            value = getattr(self, name)
            if value is not None and value >= MAX_FIGURE:
                errors[name] = [_("The figure is too large.")]
        if errors:
            raise ValidationError(errors)


class CapacityMetric(BaseModel):
    """Something measured about a service's or a CI's capacity (CPU use, free storage, licences used),
    with its warning and critical thresholds and which way is worse. The state and the latest value are
    worked out from the measurements."""

    class Direction(models.TextChoices):
        HIGHER_IS_WORSE = "higher_is_worse", _("higher is worse")
        LOWER_IS_WORSE = "lower_is_worse", _("lower is worse")

    class State(models.TextChoices):
        UNKNOWN = "unknown", _("not measured")
        OK = "ok", _("within thresholds")
        WARNING = "warning", _("warning")
        CRITICAL = "critical", _("critical")

    service = models.ForeignKey(
        "catalog.Service",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="capacity_metrics",
        verbose_name=_("service"),
    )
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="capacity_metrics",
        verbose_name=_("configuration item"),
    )
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    direction = models.CharField(
        _("direction"), max_length=16, choices=Direction.choices, default=Direction.HIGHER_IS_WORSE
    )
    warning_threshold = _figure(_("warning threshold"))
    critical_threshold = _figure(_("critical threshold"))
    forecast_window = models.PositiveSmallIntegerField(
        _("forecast window"),
        default=60,
        validators=[MinValueValidator(2), MaxValueValidator(1000)],
        help_text=_("How many of the latest measurements the trend is fitted to."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.UNKNOWN, editable=False, db_index=True
    )
    last_value = _figure(_("latest value"), null=True, blank=True, editable=False)
    last_measured_at = models.DateTimeField(_("latest measurement"), null=True, blank=True, editable=False)
    forecast_breach_at = models.DateTimeField(
        _("forecast to reach the critical threshold"),
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text=_("Where the trend of the latest measurements reaches the critical threshold."),
    )
    breach_incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("incident of the current breach"),
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("capacity metric")
        constraints = [
            models.CheckConstraint(
                condition=Q(service__isnull=False) | Q(ci__isnull=False), name="capmetric_service_or_ci"
            ),
        ]

    def __str__(self) -> str:
        target = self.service or self.ci
        return f"{self.name} ({target})" if target else self.name

    def clean(self) -> None:
        errors = {}
        if not self.service_id and not self.ci_id:
            errors["service"] = [_("Name the service or the configuration item measured.")]
        warn, crit = self.warning_threshold, self.critical_threshold
        if warn is not None and crit is not None:
            if self.direction == self.Direction.HIGHER_IS_WORSE and warn >= crit:
                errors["critical_threshold"] = [
                    _("When higher is worse, the critical threshold must be above the warning one.")
                ]
            elif self.direction == self.Direction.LOWER_IS_WORSE and warn <= crit:
                errors["critical_threshold"] = [
                    _("When lower is worse, the critical threshold must be below the warning one.")
                ]
        for name in ("warning_threshold", "critical_threshold"):
            value = getattr(self, name)
            if value is not None and abs(value) >= MAX_FIGURE:
                errors[name] = [_("The figure is too large.")]
        if errors:
            raise ValidationError(errors)

    def state_of(self, value) -> str:
        """The state a value puts the metric in."""
        worse = (
            (lambda v, t: v >= t)
            if self.direction == self.Direction.HIGHER_IS_WORSE
            else (lambda v, t: v <= t)
        )
        if worse(value, self.critical_threshold):
            return self.State.CRITICAL
        if worse(value, self.warning_threshold):
            return self.State.WARNING
        return self.State.OK


class Measurement(BaseModel):
    """One reading of a capacity metric."""

    metric = models.ForeignKey(
        CapacityMetric, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("metric")
    )
    measured_at = models.DateTimeField(_("measured at"))
    value = _figure(_("value"))

    class Meta:
        ordering = ["-measured_at", "-id"]
        verbose_name = _("measurement")
        indexes = [models.Index(fields=["metric", "-measured_at"], name="measurement_metric_time_idx")]
        constraints = [
            models.UniqueConstraint(fields=["metric", "measured_at"], name="measurement_one_per_instant")
        ]

    def __str__(self) -> str:
        return f"{self.metric.name if self.metric_id else ''} {self.measured_at:%Y-%m-%d %H:%M}: {self.value}"

    def clean(self) -> None:
        if self.value is not None and abs(self.value) >= MAX_FIGURE:
            raise ValidationError({"value": [_("The figure is too large.")]})


class Demand(BaseModel):
    """The demand of one customer for one service over a period: what was measured and what is forecast.
    Recorded by hand, or counted from the customer's service requests."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("recorded")
        REQUESTS = "requests", _("counted from service requests")

    customer = models.ForeignKey(
        "parties.Organization", on_delete=models.PROTECT, related_name="demand", verbose_name=_("customer")
    )
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, related_name="demand", verbose_name=_("service")
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    measure = models.CharField(
        _("measure"), max_length=80, help_text=_("What is counted: users, requests, VMs, TB stored...")
    )
    measured = _figure(_("measured demand"), null=True, blank=True, validators=[MinValueValidator(0)])
    forecast = _figure(
        _("forecast demand"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("What is expected for the next period of the same length."),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL, editable=False
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-period_start", "customer", "service", "measure"]
        verbose_name = _("demand record")
        indexes = [
            models.Index(fields=["-period_start", "customer", "service", "measure"], name="demand_period_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "service", "period_start", "measure"], name="demand_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")), name="demand_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.service} · {self.measure} ({self.period_start})"

    def clean(self) -> None:
        errors = {}
        if self.period_start and self.period_end and self.period_end <= self.period_start:
            errors["period_end"] = [_("The period must end after it starts.")]
        if self.customer_id and self.customer.kind not in ("customer", "internal"):
            errors["customer"] = [_("Demand is recorded for customers or internal groups.")]
        for name in ("measured", "forecast"):
            value = getattr(self, name)
            if value is not None and value >= MAX_FIGURE:
                errors[name] = [_("The figure is too large.")]
        if errors:
            raise ValidationError(errors)
