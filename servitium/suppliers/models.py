"""Supplier management (20000-1:2011 7.2 and 4.2 / 2018 8.3.4 and 8.2.3): suppliers, contracts with every
content item the standard lists, supplier targets and performance, contract reviews, disputes, and the
processes other parties operate."""

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


class Supplier(BaseModel):
    """A supplier organization's supplier-management data: its manager, lead supplier, criticality."""

    class Criticality(models.TextChoices):
        LOW = "low", _("low")
        MEDIUM = "medium", _("medium")
        HIGH = "high", _("high")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        INACTIVE = "inactive", _("inactive")

    organization = models.OneToOneField(
        "parties.Organization",
        on_delete=models.PROTECT,
        related_name="supplier",
        verbose_name=_("organization"),
    )
    manager = models.ForeignKey(
        "parties.Person",
        on_delete=models.PROTECT,
        related_name="managed_suppliers",
        verbose_name=_("supplier manager"),
    )
    lead_supplier = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subcontractors",
        verbose_name=_("lead supplier"),
        help_text=_("Set when this supplier works as a sub-contractor of another supplier."),
    )
    category = models.CharField(_("category"), max_length=100, blank=True)
    criticality = models.CharField(
        _("criticality"), max_length=8, choices=Criticality.choices, default=Criticality.MEDIUM
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    notes = models.TextField(_("notes"), blank=True)
    selection_criteria = models.TextField(
        _("selection criteria"),
        blank=True,
        help_text=_("What a supplier of this kind must show to be chosen: certifications, capacity, price."),
    )
    evaluation = models.TextField(
        _("evaluation"), blank=True, help_text=_("How this supplier measured up against the criteria.")
    )
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)

    class Meta:
        ordering = ["organization__name"]
        verbose_name = _("supplier")

    def __str__(self) -> str:
        return self.organization.name

    def clean(self) -> None:
        from servitium.parties.models import Organization

        if self.organization_id and self.organization.kind != Organization.Kind.SUPPLIER:
            raise ValidationError(
                {
                    "organization": _("%(name)s is not a supplier organization.")
                    % {"name": self.organization.name}
                }
            )
        if self.manager_id and self.manager.organization.kind not in ("provider", "internal"):
            raise ValidationError({"manager": _("The supplier manager is one of the provider's own people.")})
        if self.lead_supplier_id:
            seen, current = {self.pk}, self.lead_supplier
            while current is not None:
                if current.pk in seen:
                    raise ValidationError({"lead_supplier": _("Lead suppliers cannot form a loop.")})
                seen.add(current.pk)
                current = current.lead_supplier


# The contract contents 2011 7.2 asks for, in our words: field name -> label.
CONTENT_ITEMS: dict[str, str] = {
    "scope": _("scope of the services, components, processes or products supplied"),
    "dependencies": _("dependencies between services, processes and the parties involved"),
    "requirements": _("requirements the supplier must meet, including applicable law"),
    "interfaces": _("interfaces between service management processes of the provider and the supplier"),
    "sms_integration": _("how the supplier's activities fit into the service management system"),
    "workload": _("workload characteristics"),
    "exceptions": _("contract exceptions and how they are handled"),
    "responsibilities": _("authorities and responsibilities of the provider and the supplier"),
    "reporting": _("reporting and communication the supplier provides"),
    "charging_basis": _("basis for charging"),
    "termination_and_transfer": _(
        "activities and responsibilities at expected or early termination and transfer"
    ),
}


class SupplierContract(BaseModel):
    """A contract with a supplier, holding each content item of 2011 7.2 and its service targets."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        EXPIRED = "expired", _("expired")
        TERMINATED = "terminated", _("terminated")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="contracts")
    title = models.CharField(_("title"), max_length=200)
    services = models.ManyToManyField(
        "catalog.Service",
        blank=True,
        related_name="supplier_contracts",
        verbose_name=_("services it contributes to"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    review_interval_days = models.PositiveIntegerField(
        _("review interval (days)"), default=180, validators=[MinValueValidator(7)]
    )
    next_review_due = models.DateField(_("next review due"), null=True, blank=True, db_index=True)
    scope = models.TextField(CONTENT_ITEMS["scope"], blank=True)
    dependencies = models.TextField(CONTENT_ITEMS["dependencies"], blank=True)
    requirements = models.TextField(CONTENT_ITEMS["requirements"], blank=True)
    interfaces = models.TextField(CONTENT_ITEMS["interfaces"], blank=True)
    sms_integration = models.TextField(CONTENT_ITEMS["sms_integration"], blank=True)
    workload = models.TextField(CONTENT_ITEMS["workload"], blank=True)
    exceptions = models.TextField(CONTENT_ITEMS["exceptions"], blank=True)
    responsibilities = models.TextField(CONTENT_ITEMS["responsibilities"], blank=True)
    reporting = models.TextField(CONTENT_ITEMS["reporting"], blank=True)
    charging_basis = models.TextField(CONTENT_ITEMS["charging_basis"], blank=True)
    termination_and_transfer = models.TextField(CONTENT_ITEMS["termination_and_transfer"], blank=True)

    reference_prefix = "CTR"

    class Meta:
        ordering = ["supplier__organization__name", "reference"]
        verbose_name = _("supplier contract")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="contract_end_after_start",
                violation_error_message=_("The contract cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def missing_items(self) -> list[str]:
        """The content items of 7.2 this contract does not state yet (targets count as one item)."""
        missing = [str(label) for name, label in CONTENT_ITEMS.items() if not getattr(self, name).strip()]
        if self.pk is None or not self.targets.exists():
            missing.append(str(_("service targets")))
        return missing

    @property
    def review_overdue(self) -> bool:
        return bool(
            self.status == self.Status.ACTIVE
            and self.next_review_due
            and self.next_review_due < timezone.localdate()
        )


class SupplierTarget(BaseModel):
    """A target the supplier commits to for a service it contributes to."""

    contract = models.ForeignKey(SupplierContract, on_delete=models.CASCADE, related_name="targets")
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, related_name="supplier_targets")
    metric = models.CharField(_("measure"), max_length=32, choices=Metric.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, null=True, blank=True
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    target_value = models.DecimalField(_("target"), max_digits=14, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    higher_is_better = models.BooleanField(_("higher is better"), default=False)

    class Meta:
        ordering = ["contract", "service", "metric", "priority"]
        verbose_name = _("supplier target")

    def __str__(self) -> str:
        prio = f" P{self.priority}" if self.priority else ""
        label = self.name or self.get_metric_display()
        value = format_target(self.metric, self.target_value, self.unit)
        return f"{self.contract.supplier}: {label}{prio} {value}"

    def clean(self) -> None:
        errors = {}
        if self.metric == Metric.CUSTOM and not self.name.strip():
            errors["name"] = [_("A custom measure needs a name.")]
        if self.target_value is not None and self.target_value < 0:
            errors["target_value"] = [_("A target cannot be negative.")]
        if (
            self.metric == Metric.AVAILABILITY
            and self.target_value is not None
            and not (Decimal(0) < self.target_value <= Decimal(100))
        ):
            errors["target_value"] = [_("Availability is a percentage above 0 and at most 100.")]
        if self.metric != Metric.CUSTOM:
            self.higher_is_better = self.metric in HIGHER_IS_BETTER
        if errors:
            raise ValidationError(errors)


class SupplierPerformance(BaseModel):
    """What the supplier achieved against one target in one period (from its reports or our measurement)."""

    target = models.ForeignKey(SupplierTarget, on_delete=models.CASCADE, related_name="performance")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    measured_value = models.DecimalField(_("measured"), max_digits=16, decimal_places=3)
    met = models.BooleanField(_("met"), editable=False, default=False)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("e.g. the supplier's monthly report")
    )
    reviewed_by = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_supplier_performance",
    )

    class Meta:
        ordering = ["-period_start"]
        verbose_name = _("supplier performance")
        verbose_name_plural = _("supplier performance")
        constraints = [
            models.UniqueConstraint(
                fields=["target", "period_start", "period_end"], name="supplier_perf_unique_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.target} {self.period_start}..{self.period_end}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})
        if self.target_id and self.measured_value is not None:
            t = self.target
            self.met = (
                self.measured_value >= t.target_value
                if t.higher_is_better
                else self.measured_value <= t.target_value
            )


class ContractReview(BaseModel):
    """A planned review of a supplier contract: findings and agreed changes."""

    contract = models.ForeignKey(SupplierContract, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField(_("held on"), default=dt.date.today)
    reviewer = models.ForeignKey("parties.Person", on_delete=models.PROTECT, related_name="contract_reviews")
    findings = models.TextField(_("findings"))
    changes_agreed = models.TextField(_("changes agreed"), blank=True)
    changes_impact = models.TextField(
        _("impact of the changes"),
        blank=True,
        help_text=_(
            "What the agreed changes mean for the SMS and the services, assessed before agreeing them."
        ),
    )

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("contract review")

    def __str__(self) -> str:
        return f"{self.contract.reference} review {self.held_on}"


class Dispute(BaseModel):
    """A contractual dispute with a supplier, handled by the agreed disputes procedure."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    contract = models.ForeignKey(SupplierContract, on_delete=models.PROTECT, related_name="disputes")
    raised_on = models.DateField(_("raised on"), default=dt.date.today)
    raised_by = models.CharField(
        _("raised by"), max_length=10, choices=[("provider", _("provider")), ("supplier", _("supplier"))]
    )
    description = models.TextField(_("description"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)

    reference_prefix = "DSP"

    class Meta:
        ordering = ["-raised_on", "-id"]
        verbose_name = _("dispute")

    def __str__(self) -> str:
        return f"{self.reference} {self.contract.supplier}"


SMS_PROCESSES = [
    ("service_level", _("service level management")),
    ("service_reporting", _("service reporting")),
    ("continuity_availability", _("service continuity and availability management")),
    ("budgeting_accounting", _("budgeting and accounting")),
    ("capacity", _("capacity management")),
    ("information_security", _("information security management")),
    ("business_relationship", _("business relationship management")),
    ("supplier", _("supplier management")),
    ("incident_request", _("incident and service request management")),
    ("problem", _("problem management")),
    ("configuration", _("configuration management")),
    ("change", _("change management")),
    ("release_deployment", _("release and deployment management")),
    ("design_transition", _("design and transition of new or changed services")),
]


class GovernedProcess(BaseModel):
    """A process, or part of one, operated by another party, and how the provider governs it (2011 4.2)."""

    process = models.CharField(_("process"), max_length=32, choices=SMS_PROCESSES)
    part_operated = models.CharField(
        _("part operated"), max_length=300, help_text=_("e.g. second-line network incidents")
    )
    operated_by = models.ForeignKey(
        "parties.Organization", on_delete=models.PROTECT, related_name="operated_processes"
    )
    governance = models.TextField(_("how it is governed"), blank=True)
    accountable = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="governed_processes",
        verbose_name=_("accountable person"),
    )
    evidence = models.TextField(_("evidence of governance"), blank=True)
    performance_measures = models.TextField(
        _("how performance and compliance are determined"),
        blank=True,
        help_text=_("The measures, reports and audits that show how the part performs and complies."),
    )
    last_assessed_on = models.DateField(
        _("last assessed on"),
        null=True,
        blank=True,
        help_text=_("When its performance and compliance were last assessed."),
    )
    improvement_control = models.TextField(
        _("how improvements are planned"),
        blank=True,
        help_text=_("Who plans and ranks improvements to the part operated, and how the provider decides."),
    )

    class Meta:
        ordering = ["process", "operated_by__name"]
        verbose_name = _("process operated by another party")
        verbose_name_plural = _("processes operated by other parties")

    def __str__(self) -> str:
        return f"{self.get_process_display()} – {self.operated_by}"

    def clean(self) -> None:
        if self.operated_by_id and self.operated_by.kind == "provider":
            raise ValidationError(
                {"operated_by": _("Record processes operated by other parties, not by the provider.")}
            )
