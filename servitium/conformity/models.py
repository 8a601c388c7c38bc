"""Conformity records: requirement catalogues (frameworks and their requirements), manual attestations,
immutable assessment runs with one result per requirement and the implementation plan (nonconformities
live in the improvement register: `improvement.Nonconformity`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel

AREA = "conformity"


class Framework(BaseModel):
    """A requirement catalogue: an edition of ISO/IEC 20000-1, the 20000-9 scenarios, the 20000-5 plan."""

    class Kind(models.TextChoices):
        REQUIREMENTS = "requirements", _("requirements")
        SCENARIOS = "scenarios", _("scenarios")
        ACTIVITIES = "activities", _("activities")

    class Source(models.TextChoices):
        BUNDLED = "bundled", _("bundled with Servitium")
        IMPORTED = "imported", _("imported")

    slug = models.CharField(_("identifier"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    version = models.CharField(_("version"), max_length=32, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.REQUIREMENTS)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.BUNDLED)
    digest = models.CharField(_("content digest"), max_length=64, blank=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("framework")

    def __str__(self) -> str:
        return self.title or self.slug


class Requirement(BaseModel):
    """One checkable item of a framework: a clause, an obligation under it, a scenario or an activity."""

    class Kind(models.TextChoices):
        SECTION = "section", _("section")
        CLAUSE = "clause", _("clause")
        OBLIGATION = "obligation", _("obligation")
        SCENARIO = "scenario", _("scenario")
        ACTIVITY = "activity", _("activity")

    class Evidence(models.TextChoices):
        RECORDS = "records", _("records")
        ATTESTATION = "attestation", _("attestation")
        BOTH = "both", _("records and attestation")

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="requirements")
    identifier = models.CharField(_("identifier"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CLAUSE)
    process = models.CharField(_("process"), max_length=100, blank=True)
    evidence = models.CharField(
        _("evidence"), max_length=16, choices=Evidence.choices, default=Evidence.RECORDS
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    phases = models.JSONField(_("phases"), default=list, blank=True)
    responsibility = models.CharField(_("responsibility"), max_length=200, blank=True)
    outcomes = models.JSONField(_("outcomes"), default=list, blank=True)
    maps_to = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="mapped_from", verbose_name=_("maps to")
    )
    applicable_clauses = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="applies_in", verbose_name=_("applicable clauses")
    )

    class Meta:
        ordering = ["framework_id", "order", "id"]
        verbose_name = _("requirement")
        constraints = [
            models.UniqueConstraint(fields=["framework", "identifier"], name="requirement_unique_identifier")
        ]
        indexes = [models.Index(fields=["framework", "order"], name="requirement_order_idx")]

    def __str__(self) -> str:
        return f"{self.identifier} {self.title}"

    @property
    def key(self) -> str:
        """The id checks name: `<framework slug>#<identifier>`."""
        return f"{self.framework.slug}#{self.identifier}"


class Attestation(BaseModel):
    """A person's signed statement that a requirement no query can prove is met, reviewed by someone else,
    valid for a period. Evidence files hang on it as attachments."""

    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="attestations")
    statement = models.TextField(_("statement"))
    evidence = models.TextField(
        _("evidence"),
        blank=True,
        help_text=_("The documents, records or files (attach them) that show what the statement says."),
    )
    attested_by = models.ForeignKey(
        "parties.Person",
        on_delete=models.PROTECT,
        related_name="attestations_given",
        verbose_name=_("attested by"),
    )
    reviewed_by = models.ForeignKey(
        "parties.Person",
        on_delete=models.PROTECT,
        related_name="attestations_reviewed",
        verbose_name=_("reviewed by"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))

    class Meta:
        ordering = ["-valid_until", "-id"]
        verbose_name = _("attestation")
        indexes = [models.Index(fields=["requirement", "valid_until"], name="attestation_req_idx")]

    def __str__(self) -> str:
        return f"{self.requirement.identifier}: {self.statement[:60]}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if not (self.evidence or "").strip():
            errors["evidence"] = _("Name the documents, records or files that show the statement is true.")
        if self.attested_by_id and self.attested_by_id == self.reviewed_by_id:
            errors["reviewed_by"] = _("The reviewer must be someone other than the person attesting.")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("The attestation cannot expire before it starts.")
        if errors:
            raise ValidationError(errors)

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_until


class Exclusion(BaseModel):
    """A requirement the provider declares not applicable to its SMS, with the reason, approved by a named
    person. Only an approved exclusion counts: the requirement and everything under it then read "not
    applicable" instead of being judged. (Later tied to the SMS scope record.)"""

    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="exclusions")
    justification = models.TextField(_("justification"))
    approved_by = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exclusions_approved",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateField(_("approved on"), null=True, blank=True)

    class Meta:
        ordering = ["requirement_id", "-id"]
        verbose_name = _("exclusion")

    def __str__(self) -> str:
        return f"{self.requirement.identifier}: {self.justification[:60]}"

    @property
    def approved(self) -> bool:
        return bool(self.approved_by_id and self.approved_at)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if not (self.justification or "").strip():
            errors["justification"] = _("Say why the requirement does not apply.")
        if bool(self.approved_by_id) != bool(self.approved_at):
            field = "approved_at" if self.approved_by_id else "approved_by"
            errors[field] = _("An approval names both the approver and the date.")
        if errors:
            raise ValidationError(errors)


class ImmutableRecord(BaseModel):
    """A record written once and never changed: an assessment is evidence, so nothing may rewrite it.

    The guard sits in save()/delete() on purpose: it protects every path (API, UI, shell, admin)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("Assessment records cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError(_("Assessment records cannot be deleted."))


class Status(models.TextChoices):
    MET = "met", _("met")
    PARTLY_MET = "partly_met", _("partly met")
    NOT_MET = "not_met", _("not met")
    NO_EVIDENCE = "no_evidence", _("no evidence")
    NOT_APPLICABLE = "not_applicable", _("not applicable")


class Assessment(ImmutableRecord):
    """One run of every check against the records, frozen with its results."""

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("on demand")
        SCHEDULED = "scheduled", _("scheduled")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    framework = models.ForeignKey(
        Framework,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
        help_text=_("Empty: every framework."),
    )
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    catalogue_digest = models.CharField(_("catalogue digest"), max_length=64, blank=True)
    summary = models.JSONField(_("summary"), default=dict)
    check_outcomes = models.JSONField(_("checks run"), default=dict)

    reference_prefix = "ASM"

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("assessment")
        indexes = [models.Index(fields=["-started_at", "-id"], name="assessment_started_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.started_at:%Y-%m-%d %H:%M}"


class Result(ImmutableRecord):
    """The status of one requirement in one assessment, with how it was established."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="results")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="results")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    message = models.TextField(_("message"), blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    gaps = models.JSONField(_("gaps"), default=list, blank=True)
    checks = models.JSONField(_("checks"), default=list, blank=True)
    attestation = models.ForeignKey(
        Attestation, null=True, blank=True, on_delete=models.PROTECT, related_name="results"
    )
    via_crosswalk = models.CharField(
        _("via crosswalk from"), max_length=300, blank=True, help_text=_("Requirement id that proved it.")
    )

    class Meta:
        ordering = ["assessment_id", "id"]  # bulk-created in catalogue order
        verbose_name = _("result")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "requirement"], name="result_unique_requirement")
        ]
        indexes = [models.Index(fields=["assessment", "status"], name="result_status_idx")]

    def __str__(self) -> str:
        return f"{self.requirement_id}: {self.status}"


class PlanItem(BaseModel):
    """An activity of the implementation plan (20000-5 table B.1) as this provider adjusts it."""

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    activity = models.OneToOneField(Requirement, on_delete=models.CASCADE, related_name="plan_item")
    owner = models.ForeignKey(
        "parties.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_items"
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    manual_status = models.CharField(
        _("status set by hand"), max_length=16, choices=Progress.choices, blank=True
    )
    manual_reason = models.CharField(_("reason for setting the status"), max_length=300, blank=True)

    class Meta:
        ordering = ["activity__order", "id"]
        verbose_name = _("plan item")

    def __str__(self) -> str:
        return str(self.activity)

    def clean(self) -> None:
        if self.manual_status and not self.manual_reason.strip():
            raise ValidationError({"manual_reason": _("Say why the status is set by hand.")})
