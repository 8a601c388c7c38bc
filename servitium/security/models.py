"""Records of information security management (2011 6.6; 2018 8.7.3).

`SecuritySettings` names the information security policy (a controlled document of the documents app, not a
second document store), the security objectives and risk approach, and whether changes must be assessed
for security impact before approval. `SecurityControl` is the provider's own register of controls.
`SecurityRiskAssessment` records an assessment at its planned interval and links the risks it found in the
risk register with the controls that treat them. `SecurityIncidentLink` ties a security incident to the
controls and risks involved and records its review; `SecurityImpactAssessment` assesses a change before it
is approved; `AccessGrant` records an external party's access to systems and information.

Who may see and write them is declared in resources.py; every write goes through services.py.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the last day of the month when that month is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def _provider_person(person, field: str, errors: dict) -> None:
    if person is not None and person.organization.kind != "provider":
        errors[field] = [_("Choose one of the provider's people.")]


class SecuritySettings(BaseModel):
    """How the provider runs information security: the policy document, the objectives, the risk approach,
    the interval of security risk assessments, and whether a change needs a security impact assessment
    before it is approved. The first record is the one in use."""

    policy = models.ForeignKey(
        "documents.Document",
        limit_choices_to={"kind": "policy"},
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("information security policy"),
        help_text=_("A controlled document of kind policy (documents app)."),
    )
    objectives = models.TextField(_("security objectives"), blank=True)
    risk_approach = models.TextField(
        _("risk approach and acceptance criteria"),
        blank=True,
        help_text=_("How security risks are assessed, treated and accepted, and by whom."),
    )
    assessment_interval_months = models.PositiveSmallIntegerField(
        _("risk assessment interval (months)"), default=12
    )
    require_change_assessment = models.BooleanField(
        _("assess changes before approval"),
        default=True,
        help_text=_(
            "Normal, major and emergency changes cannot be approved without a security impact assessment."
        ),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("security settings")
        verbose_name_plural = _("security settings")

    def __str__(self) -> str:
        return str(_("Information security settings"))

    def clean(self) -> None:
        errors = {}
        if self.policy_id and self.policy.kind != "policy":
            errors["policy"] = [_("The information security policy is a document of kind policy.")]
        if self.assessment_interval_months is not None and not 1 <= self.assessment_interval_months <= 60:
            errors["assessment_interval_months"] = [_("Give between 1 and 60 months.")]
        if errors:
            raise ValidationError(errors)


class SecurityControl(BaseModel):
    """One control of the provider's own catalogue: what it does, who owns it, where it applies, how far it
    is implemented, what shows it works, and when it was last reviewed."""

    class Category(models.TextChoices):
        ORGANIZATIONAL = "organizational", _("organizational")
        PEOPLE = "people", _("people")
        PHYSICAL = "physical", _("physical")
        TECHNOLOGICAL = "technological", _("technological")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        PLANNED = "planned", _("planned")
        PARTIAL = "partial", _("partially implemented")
        IMPLEMENTED = "implemented", _("implemented")
        NOT_APPLICABLE = "not_applicable", _("not applicable")

    identifier = models.CharField(_("identifier"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("category"), max_length=16, choices=Category.choices, default=Category.ORGANIZATIONAL
    )
    owner = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="security_controls",
        verbose_name=_("owner"),
    )
    services = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="security_controls", verbose_name=_("services")
    )
    cis = models.ManyToManyField(
        "cmdb.ConfigurationItem",
        blank=True,
        related_name="security_controls",
        verbose_name=_("configuration items"),
    )
    risks = models.ManyToManyField(
        "risks.Risk", blank=True, related_name="security_controls", verbose_name=_("risks treated")
    )
    status = models.CharField(
        _("implementation status"),
        max_length=16,
        choices=Status.choices,
        default=Status.NOT_STARTED,
        db_index=True,
    )
    justification = models.TextField(
        _("justification"), blank=True, help_text=_("Why the control does not apply (needed then).")
    )
    evidence = models.TextField(
        _("evidence"),
        blank=True,
        help_text=_("Links to records or documents that show the control works; files go in attachments."),
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    review_interval_months = models.PositiveSmallIntegerField(_("review interval (months)"), default=12)
    next_review = models.DateField(_("next review"), null=True, blank=True, editable=False, db_index=True)

    class Meta:
        ordering = ["identifier"]
        verbose_name = _("security control")
        indexes = [models.Index(fields=["status", "identifier"], name="seccontrol_status_idx")]

    def __str__(self) -> str:
        return f"{self.identifier} {self.title}"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        _provider_person(self.owner if self.owner_id else None, "owner", errors)
        if self.status == self.Status.NOT_APPLICABLE and not (self.justification or "").strip():
            errors["justification"] = [_("Say why the control does not apply.")]
        if self.review_interval_months is not None and not 1 <= self.review_interval_months <= 60:
            errors["review_interval_months"] = [_("Give between 1 and 60 months.")]
        if self.last_reviewed and self.last_reviewed > timezone.localdate():
            errors["last_reviewed"] = [_("A review date cannot lie in the future.")]
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        self.next_review = (
            add_months(self.last_reviewed, self.review_interval_months or 12) if self.last_reviewed else None
        )
        super().save(*args, **kwargs)

    @property
    def review_overdue(self) -> bool:
        """Never reviewed, or its next review has passed (controls that do not apply are left out)."""
        if self.status == self.Status.NOT_APPLICABLE:
            return False
        return self.next_review is None or self.next_review < timezone.localdate()


class SecurityRiskAssessment(BaseModel):
    """An information security risk assessment: when, of what, by whom, how, what it found (the risks in
    the risk register) and which controls treat them, and when the next one is due."""

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    date = models.DateField(_("date"))
    scope = models.TextField(_("scope"))
    services = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="security_assessments", verbose_name=_("services")
    )
    assessor = models.ForeignKey(
        "parties.Person",
        on_delete=models.PROTECT,
        related_name="security_assessments",
        verbose_name=_("assessor"),
    )
    method = models.CharField(
        _("method"), max_length=250, blank=True, help_text=_("E.g. the risk matrix with threat workshops.")
    )
    result_summary = models.TextField(_("result summary"), blank=True)
    next_due = models.DateField(_("next assessment due"), null=True, blank=True, db_index=True)
    risks = models.ManyToManyField(
        "risks.Risk", blank=True, related_name="security_assessments", verbose_name=_("risks")
    )
    controls = models.ManyToManyField(
        SecurityControl, blank=True, related_name="assessments", verbose_name=_("controls treating them")
    )

    reference_prefix = "SRA"

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("security risk assessment")
        indexes = [models.Index(fields=["-date", "-id"], name="secassessment_date_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.date}"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        _provider_person(self.assessor if self.assessor_id else None, "assessor", errors)
        if self.date and self.next_due and self.next_due <= self.date:
            errors["next_due"] = [_("The next assessment falls after this one.")]
        if errors:
            raise ValidationError(errors)


class SecurityIncidentLink(BaseModel):
    """What a security incident tells about the controls and risks involved, and its review."""

    incident = models.OneToOneField(
        "incidents.Incident",
        limit_choices_to={"is_security": True},
        on_delete=models.CASCADE,
        related_name="security_link",
        verbose_name=_("incident"),
    )
    controls = models.ManyToManyField(
        SecurityControl, blank=True, related_name="incident_links", verbose_name=_("controls involved")
    )
    risks = models.ManyToManyField(
        "risks.Risk", blank=True, related_name="security_incident_links", verbose_name=_("risks")
    )
    reviewed_by = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    review_notes = models.TextField(
        _("review findings"), blank=True, help_text=_("What failed or held, and what to improve.")
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("security incident link")

    def __str__(self) -> str:
        return str(self.incident) if self.incident_id else "—"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.incident_id and not self.incident.is_security:
            errors["incident"] = [_("Only an incident marked as a security incident is linked here.")]
        _provider_person(self.reviewed_by if self.reviewed_by_id else None, "reviewed_by", errors)
        if self.reviewed_on and not self.reviewed_by_id:
            errors["reviewed_by"] = [_("Say who reviewed the incident.")]
        if errors:
            raise ValidationError(errors)


class SecurityImpactAssessment(BaseModel):
    """A change's effect on information security, assessed before the change is approved."""

    class Impact(models.TextChoices):
        NONE = "none", _("none")
        LOW = "low", _("low")
        MEDIUM = "medium", _("medium")
        HIGH = "high", _("high")

    change = models.OneToOneField(
        "changes.Change",
        on_delete=models.CASCADE,
        related_name="security_impact_assessment",
        verbose_name=_("change"),
    )
    impact = models.CharField(_("security impact"), max_length=8, choices=Impact.choices)
    notes = models.TextField(
        _("notes"),
        blank=True,
        help_text=_("New or changed risks, and the effect on the policy and controls."),
    )
    assessor = models.ForeignKey(
        "parties.Person",
        on_delete=models.PROTECT,
        related_name="security_impact_assessments",
        verbose_name=_("assessor"),
    )
    assessed_on = models.DateField(_("assessed on"), default=dt.date.today)
    controls = models.ManyToManyField(
        SecurityControl, blank=True, related_name="impact_assessments", verbose_name=_("controls affected")
    )

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("security impact assessment")

    def __str__(self) -> str:
        return f"{self.change.reference if self.change_id else '—'}: {self.get_impact_display()}"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        _provider_person(self.assessor if self.assessor_id else None, "assessor", errors)
        if self.impact in (self.Impact.MEDIUM, self.Impact.HIGH) and not (self.notes or "").strip():
            errors["notes"] = [_("Say what the impact is and how it is handled.")]
        if errors:
            raise ValidationError(errors)


class AccessGrant(BaseModel):
    """An external party's access to the provider's systems or information: who, to what, why, who granted
    it, for how long, and when it was last reviewed."""

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    organization = models.ForeignKey(
        "parties.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_grants",
        verbose_name=_("organization"),
        help_text=_("A supplier or customer organization."),
    )
    person = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_grants",
        verbose_name=_("person"),
    )
    services = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="access_grants", verbose_name=_("services")
    )
    cis = models.ManyToManyField(
        "cmdb.ConfigurationItem", blank=True, related_name="access_grants", verbose_name=_("systems (CIs)")
    )
    information = models.CharField(_("information"), max_length=250, blank=True)
    purpose = models.TextField(_("purpose"))
    granted_by = models.ForeignKey(
        "parties.Person",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("granted by"),
    )
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("to"), null=True, blank=True)
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    review_interval_months = models.PositiveSmallIntegerField(_("review interval (months)"), default=6)
    next_review = models.DateField(_("next review"), null=True, blank=True, editable=False, db_index=True)
    revoked = models.BooleanField(_("revoked"), default=False, db_index=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)

    reference_prefix = "ACC"

    class Meta:
        ordering = ["reference"]
        verbose_name = _("external access grant")
        constraints = [
            models.CheckConstraint(
                condition=Q(organization__isnull=False) | Q(person__isnull=False), name="accessgrant_party"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.party}"

    @property
    def party(self) -> str:
        return str(self.person or self.organization or "—")

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if not self.organization_id and not self.person_id:
            errors["organization"] = [_("Name the organization or the person who has the access.")]
        if self.organization_id and self.organization.kind in ("provider", "internal"):
            errors["organization"] = [_("Record access of external parties: a supplier or a customer.")]
        if self.person_id and self.person.organization.kind == "provider":
            errors["person"] = [_("Record access of external parties, not of the provider's own people.")]
        _provider_person(self.granted_by if self.granted_by_id else None, "granted_by", errors)
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = [_("The access ends after it starts.")]
        if self.revoked and not self.revoked_on:
            errors["revoked_on"] = [_("Give the day the access was revoked.")]
        if self.review_interval_months is not None and not 1 <= self.review_interval_months <= 36:
            errors["review_interval_months"] = [_("Give between 1 and 36 months.")]
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        base = self.last_reviewed or self.valid_from
        self.next_review = add_months(base, self.review_interval_months or 6) if base else None
        super().save(*args, **kwargs)

    @property
    def active(self) -> bool:
        today = timezone.localdate()
        return not self.revoked and (self.valid_to is None or self.valid_to >= today)

    @property
    def review_overdue(self) -> bool:
        return self.active and self.next_review is not None and self.next_review < timezone.localdate()
