"""Records of improvement: one register of nonconformities (with their corrective actions and effectiveness
check) and of improvement opportunities, whatever raised them (2011 4.5.5; 2018 10).

Improvement sits low in the layers so that every process app can open records here through
`improvement.services`. It therefore never points at a higher app's tables: the record that raised an
entry is a generic link (content type + id), and the requirement is stored as its stable key
(`iso20000-1:2018#10.1.a`), not as a foreign key to `conformity.Requirement` (see `Nonconformity`)."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel


class SourceKind(models.TextChoices):
    ASSESSMENT = "assessment", _("conformity assessment")
    INTERNAL_AUDIT = "internal_audit", _("internal audit")
    EXTERNAL_AUDIT = "external_audit", _("external audit")
    INCIDENT = "incident", _("incident")
    PROBLEM = "problem", _("problem")
    COMPLAINT = "complaint", _("complaint")
    SURVEY = "survey", _("satisfaction survey")
    MANAGEMENT_REVIEW = "management_review", _("management review")
    OBJECTIVE = "objective", _("objective")
    OTHER = "other", _("other")


class SourcedRecord(BaseModel):
    """Where an entry of the register came from: a kind, and (when a record raised it) a link to that
    record. The link is generic because the raising apps sit above this one."""

    source_kind = models.CharField(
        _("source"), max_length=20, choices=SourceKind.choices, default=SourceKind.OTHER
    )
    source_type = models.ForeignKey(
        ContentType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("source record type"),
    )
    source_id = models.PositiveBigIntegerField(_("source record id"), null=True, blank=True)
    source_reference = models.CharField(
        _("source reference"), max_length=100, blank=True, help_text=_("How people name the source record.")
    )
    source = GenericForeignKey("source_type", "source_id")

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if (self.source_type_id is None) != (self.source_id is None):
            raise ValidationError({"source_id": _("A source record names both its type and its id.")})

    def source_url(self) -> str:
        """The page of the source record, when its kind of record has pages (no query: the content type
        is cached)."""
        if self.source_type_id is None:
            return ""
        kind = ContentType.objects.get_for_id(self.source_type_id)
        try:
            return reverse(f"{kind.app_label}:{kind.model}_detail", args=[self.source_id])
        except NoReverseMatch:
            return ""


class Nonconformity(SourcedRecord):
    """Something that does not meet a requirement, with its correction, root cause, corrective actions and
    the check that they worked. It closes only after an effectiveness check found the actions effective.

    `requirement` is the requirement's key as text. A string foreign key ("conformity.Requirement") would
    not be an import, but it would make this app's migrations depend on conformity's and its rows point
    up the layers; a key also survives a reload of the catalogue. Conformity shows the requirement on the
    nonconformity's page through a panel."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CORRECTED = "corrected", _("correction done")
        CAUSE_ANALYSED = "cause_analysed", _("cause analysed")
        ACTION_PLANNED = "action_planned", _("action planned")
        ACTION_DONE = "action_done", _("action done")
        VERIFIED = "verified", _("effectiveness verified")
        CLOSED = "closed", _("closed")

    class Grade(models.TextChoices):
        MAJOR = "major", _("major")
        MINOR = "minor", _("minor")

    class Result(models.TextChoices):
        EFFECTIVE = "effective", _("effective")
        NOT_EFFECTIVE = "not_effective", _("not effective")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    grade = models.CharField(_("grade"), max_length=8, choices=Grade.choices, default=Grade.MINOR)
    requirement = models.CharField(
        _("requirement"),
        max_length=200,
        blank=True,
        help_text=_("Requirement key, e.g. iso20000-1:2018#10.1.a."),
    )
    check_id = models.CharField(_("check"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    description = models.TextField(_("description"))
    correction = models.TextField(_("correction"), blank=True, help_text=_("The immediate fix."))
    root_cause = models.TextField(_("root cause"), blank=True)
    owner = models.ForeignKey(
        "parties.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="nonconformities"
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    effectiveness_method = models.TextField(_("effectiveness check method"), blank=True)
    effectiveness_due = models.DateField(_("effectiveness check due"), null=True, blank=True)
    effectiveness_result = models.CharField(
        _("effectiveness result"), max_length=16, choices=Result.choices, blank=True
    )
    effectiveness_checked_by = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("effectiveness checked by"),
    )
    effectiveness_checked_on = models.DateField(_("effectiveness checked on"), null=True, blank=True)
    last_seen_in = models.CharField(
        _("last seen in"),
        max_length=20,
        blank=True,
        help_text=_("The latest assessment that found it again."),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    reference_prefix = "NC"
    ENDED = (Status.CLOSED,)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("nonconformity")
        verbose_name_plural = _("nonconformities")
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "check_id"],
                condition=~Q(status="closed") & ~Q(check_id=""),
                name="improvement_nc_one_open_per_check",
            )
        ]
        indexes = [
            models.Index(fields=["status", "-created"], name="improvement_nc_status_idx"),
            models.Index(fields=["source_type", "source_id"], name="improvement_nc_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.description[:60]}"

    def clean(self) -> None:
        super().clean()
        framework, _sep, identifier = self.requirement.partition("#")
        if self.requirement and not (framework and identifier):
            raise ValidationError({"requirement": _("Write the requirement as framework#identifier.")})


class CorrectiveAction(BaseModel):
    """One action that removes the cause of a nonconformity, with its owner and due date."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    nonconformity = models.ForeignKey(
        Nonconformity, on_delete=models.PROTECT, related_name="actions", verbose_name=_("nonconformity")
    )
    description = models.TextField(_("description"))
    owner = models.ForeignKey(
        "parties.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="corrective_actions"
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    changes_sms = models.BooleanField(
        _("changes the SMS"),
        default=False,
        help_text=_(
            "The action changes a policy, plan, process or procedure: the new document version names it."
        ),
    )

    OPEN = (Status.PLANNED, Status.IN_PROGRESS)

    class Meta:
        ordering = ["nonconformity_id", "due_date", "id"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        indexes = [models.Index(fields=["status", "due_date"], name="improvement_ca_due_idx")]

    def __str__(self) -> str:
        return f"{self.nonconformity.reference}: {self.description[:60]}"


class ImprovementOpportunity(SourcedRecord):
    """A chance to make the services or the SMS better, decided on its benefit and priority, planned with
    a target, carried out and evaluated against the target."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        APPROVED = "approved", _("approved")
        IN_PROGRESS = "in_progress", _("in progress")
        IMPLEMENTED = "implemented", _("implemented")
        EVALUATED = "evaluated", _("evaluated")
        REJECTED = "rejected", _("rejected")

    class Priority(models.IntegerChoices):
        HIGH = 1, _("high")
        MEDIUM = 2, _("medium")
        LOW = 3, _("low")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    description = models.TextField(_("description"))
    benefit = models.TextField(_("benefit"), blank=True, help_text=_("What it would bring, and to whom."))
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    owner = models.ForeignKey(
        "parties.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="improvements"
    )
    target = models.TextField(_("target"), blank=True, help_text=_("The measurable result aimed at."))
    target_date = models.DateField(_("target date"), null=True, blank=True)
    service = models.ForeignKey(
        "catalog.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer = models.ForeignKey(
        "parties.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    decision_note = models.TextField(_("decision"), blank=True)
    implemented_on = models.DateField(_("implemented on"), null=True, blank=True)
    evaluation = models.TextField(_("evaluation"), blank=True, help_text=_("The result against the target."))
    evaluated_on = models.DateField(_("evaluated on"), null=True, blank=True)
    changes_sms = models.BooleanField(
        _("changes the SMS"),
        default=False,
        help_text=_(
            "Carrying it out changes a policy, plan, process or procedure: the new document version names it."
        ),
    )

    reference_prefix = "OFI"

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("improvement opportunity")
        verbose_name_plural = _("improvement opportunities")
        indexes = [
            models.Index(fields=["status", "-created"], name="improvement_ofi_status_idx"),
            models.Index(fields=["source_type", "source_id"], name="improvement_ofi_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.description[:60]}"
