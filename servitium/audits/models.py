"""Records of internal audit (2011 4.5.4.2; 2018 9.2): the year's audit programme and its items (process
area and clauses, planned month, risk), audits with scope, criteria and auditors, the checklist generated
from the requirement catalogue and the live conformity results, and graded findings that open entries of
the improvement register."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel


class AuditProgramme(BaseModel):
    """The audit programme of one year: who owns it and how audit frequency is decided."""

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    owner = models.ForeignKey(
        "parties.Person", on_delete=models.PROTECT, related_name="audit_programmes", verbose_name=_("owner")
    )
    approach = models.TextField(
        _("approach"),
        blank=True,
        help_text=_("How often each area is audited and why: its risk, earlier results, open findings."),
    )
    methods = models.TextField(_("methods"), blank=True, help_text=_("Interviews, sampling, observation..."))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("audit programme")
        verbose_name_plural = _("audit programmes")

    def __str__(self) -> str:
        return str(_("Audit programme %(year)s") % {"year": self.year})


class RiskLevel(models.TextChoices):
    HIGH = "high", _("high")
    MEDIUM = "medium", _("medium")
    LOW = "low", _("low")


class ProgrammeItem(BaseModel):
    """One process area of the programme: the clauses audited there, its risk and the month planned."""

    programme = models.ForeignKey(AuditProgramme, on_delete=models.CASCADE, related_name="items")
    area = models.CharField(_("process area"), max_length=40, help_text=_("The area's name, e.g. changes."))
    clauses = models.TextField(
        _("clauses"),
        blank=True,
        help_text=_("Requirement keys, e.g. iso20000-1:2018#8.5.1, separated by spaces."),
    )
    risk_level = models.CharField(
        _("risk"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.MEDIUM
    )
    planned_month = models.PositiveSmallIntegerField(
        _("planned month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )

    class Meta:
        ordering = ["programme_id", "planned_month", "id"]
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")
        constraints = [
            models.UniqueConstraint(fields=["programme", "area"], name="audits_item_one_per_area"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.year}: {self.area}"

    def clause_keys(self) -> list[str]:
        return split_keys(self.clauses)


def split_keys(text: str) -> list[str]:
    return [k for k in text.replace(",", " ").split() if k]


class Audit(BaseModel):
    """One internal audit: scope (process areas and clauses), criteria, dates, the audit team and auditees."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        REPORTED = "reported", _("reported")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    programme = models.ForeignKey(
        AuditProgramme, null=True, blank=True, on_delete=models.PROTECT, related_name="audits"
    )
    programme_item = models.ForeignKey(
        ProgrammeItem, null=True, blank=True, on_delete=models.PROTECT, related_name="audits"
    )
    scope_areas = models.JSONField(_("areas audited"), default=list, blank=True)
    scope_clauses = models.TextField(
        _("clauses audited"), blank=True, help_text=_("Requirement keys, e.g. iso20000-1:2018#8.5.1.")
    )
    criteria = models.TextField(_("criteria"), blank=True, help_text=_("What the audit judges against."))
    objectives = models.TextField(
        _("objectives"), blank=True, help_text=_("What this audit sets out to find out, and why now.")
    )
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    lead_auditor = models.ForeignKey(
        "parties.Person", on_delete=models.PROTECT, related_name="audits_led", verbose_name=_("lead auditor")
    )
    auditors = models.ManyToManyField(
        "parties.Person", blank=True, related_name="audits_assisted", verbose_name=_("auditors")
    )
    auditees = models.ManyToManyField(
        "parties.Person", blank=True, related_name="audits_received", verbose_name=_("auditees")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    summary = models.TextField(_("summary"), blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    reported_on = models.DateField(_("reported on"), null=True, blank=True)

    reference_prefix = "AUD"
    DONE = (Status.REPORTED, Status.CLOSED)

    class Meta:
        ordering = ["-planned_start", "-id"]
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        indexes = [models.Index(fields=["status", "planned_start"], name="audits_audit_status_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        super().clean()
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            raise ValidationError({"planned_end": _("The audit ends on or after its start.")})
        if not isinstance(self.scope_areas, list) or not all(isinstance(a, str) for a in self.scope_areas):
            raise ValidationError({"scope_areas": _("A list of process area names.")})

    def clause_keys(self) -> list[str]:
        return split_keys(self.scope_clauses)


class ChecklistItem(BaseModel):
    """One obligation (a leaf requirement of a clause in scope) to check, with its live conformity status
    when the checklist was drawn up, and the auditor's verdict."""

    class Verdict(models.TextChoices):
        CONFORMS = "conforms", _("conforms")
        NONCONFORMITY = "nonconformity", _("nonconformity")
        OBSERVATION = "observation", _("observation")
        NOT_AUDITED = "not_audited", _("not audited")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="checklist")
    requirement = models.ForeignKey(
        "conformity.Requirement", on_delete=models.PROTECT, related_name="audit_checklist_items"
    )
    live_status = models.CharField(_("status in the latest assessment"), max_length=16, blank=True)
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["audit_id", "order", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "requirement"], name="audits_checklist_one_per_requirement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.audit.reference}: {self.requirement.identifier}"


class Finding(BaseModel):
    """What the audit found, graded; a nonconformity finding opens an improvement nonconformity (source:
    internal audit), an opportunity finding an improvement opportunity."""

    class Grade(models.TextChoices):
        MAJOR = "major_nc", _("major nonconformity")
        MINOR = "minor_nc", _("minor nonconformity")
        OBSERVATION = "observation", _("observation")
        OPPORTUNITY = "opportunity", _("opportunity for improvement")

    NONCONFORMITIES = (Grade.MAJOR, Grade.MINOR)

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="findings")
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices)
    description = models.TextField(_("description"))
    requirement = models.ForeignKey(
        "conformity.Requirement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_findings",
    )
    area = models.CharField(_("process area"), max_length=40, blank=True)
    owner = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="internal_audit_findings",
        help_text=_("Who in the audited area acts on it."),
    )
    nonconformity = models.ForeignKey(
        "improvement.Nonconformity", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opportunity = models.ForeignKey(
        "improvement.ImprovementOpportunity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["audit_id", "id"]
        verbose_name = _("audit finding")
        verbose_name_plural = _("audit findings")

    def __str__(self) -> str:
        return f"{self.audit.reference}: {self.get_grade_display()} — {self.description[:50]}"
