"""Records of documented information (2011 4.3; 2018 7.5) and of awareness (2018 7.3).

A `Document` is the controlled identity (reference, owner, distribution, review cycle); its content lives
in `DocumentVersion`s that go through review and approval before one of them is in force. People
acknowledge the version in force (`DocumentAcknowledgement`). The records register lists `RecordSeries`
with their retention; records leave only through an approved `DisposalRequest`.

Who may see and write them is declared in resources.py; every write goes through services.py.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel

# The processes a document may serve: the process areas of the system plus the processes of the standard
# that have no module of their own yet (our own short names, not the standard's text).
PROCESSES: dict[str, str] = {
    "sms": _("management system"),
    "incidents": _("incident management and service requests"),
    "problems": _("problem management"),
    "changes": _("change management"),
    "releases": _("release and deployment management"),
    "cmdb": _("configuration management"),
    "catalog": _("service catalogue management"),
    "agreements": _("service level management"),
    "relationships": _("business relationship management"),
    "suppliers": _("supplier management"),
    "capacity": _("capacity management"),
    "availability": _("availability management"),
    "continuity": _("service continuity management"),
    "security": _("information security management"),
    "finance": _("budgeting and accounting"),
    "reporting": _("service reporting"),
    "design": _("service design and transition"),
    "documents": _("documented information"),
}

REQUIREMENT_ID = re.compile(r"^[a-z0-9-]+:\d{4}#[A-Za-z0-9.]+$")


def _string_list(value, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError({name: [_('Give a list of names, e.g. ["incidents", "changes"].')]})
    return value


class Document(BaseModel):
    """A controlled document: what it is, who owns it, whom it reaches, when it is next reviewed."""

    class Kind(models.TextChoices):
        POLICY = "policy", _("policy")
        PLAN = "plan", _("plan")
        PROCESS = "process", _("process description")
        PROCEDURE = "procedure", _("procedure")
        WORK_INSTRUCTION = "work_instruction", _("work instruction")
        FORM = "form", _("form or template")
        KNOWLEDGE = "knowledge", _("knowledge article")
        EXTERNAL = "external", _("external document")
        OTHER = "other", _("other")

    class Confidentiality(models.TextChoices):
        PUBLIC = "public", _("public")
        INTERNAL = "internal", _("internal")
        CONFIDENTIAL = "confidential", _("confidential")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=250)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    description = models.TextField(_("purpose"), blank=True)
    owner = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_documents",
        verbose_name=_("owner"),
    )
    sms_policy = models.BooleanField(
        _("service management policy"),
        default=False,
        help_text=_("This document is the service management policy (one document at most)."),
    )
    requires_acknowledgement = models.BooleanField(
        _("requires acknowledgement"),
        default=False,
        help_text=_("Staff confirm they have read the version in force (the policy, the objectives)."),
    )
    processes = models.JSONField(
        _("processes served"), default=list, blank=True, help_text=_('e.g. ["incidents", "changes"]')
    )
    requirements = models.JSONField(
        _("clause references"),
        default=list,
        blank=True,
        help_text=_('Requirement ids, e.g. ["iso20000-1:2018#7.5.3"]'),
    )
    distribution_teams = models.ManyToManyField(
        "parties.Team",
        blank=True,
        related_name="distributed_documents",
        verbose_name=_("distributed to teams"),
    )
    distribution_people = models.ManyToManyField(
        "parties.Person",
        blank=True,
        related_name="distributed_documents",
        verbose_name=_("distributed to people"),
    )
    points_of_use = models.CharField(
        _("points of use"), max_length=250, blank=True, help_text=_("Where people find it, e.g. the wiki.")
    )
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=12,
        choices=Confidentiality.choices,
        default=Confidentiality.INTERNAL,
        db_index=True,
    )
    review_interval_months = models.PositiveSmallIntegerField(_("review interval (months)"), default=12)
    next_review = models.DateField(_("next review"), null=True, blank=True, db_index=True)
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    source = models.CharField(
        _("issuer"), max_length=200, blank=True, help_text=_("External documents: who issues it.")
    )
    external_version = models.CharField(_("issuer's version"), max_length=64, blank=True)
    external_url = models.URLField(_("external location"), blank=True)
    current_version = models.ForeignKey(
        "documents.DocumentVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("version in force"),
    )
    review_flagged = models.BooleanField(_("review overdue"), default=False, db_index=True)

    reference_prefix = "DOC"

    class Meta:
        ordering = ["reference"]
        verbose_name = _("document")
        indexes = [models.Index(fields=["kind", "reference"], name="document_kind_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["sms_policy"], condition=Q(sms_policy=True), name="document_one_sms_policy"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        try:
            unknown = sorted(set(_string_list(self.processes, "processes")) - set(PROCESSES))
            if unknown:
                errors["processes"] = [
                    _("Unknown processes %(names)s; known: %(known)s.")
                    % {"names": ", ".join(unknown), "known": ", ".join(PROCESSES)}
                ]
        except ValidationError as exc:
            errors.update(exc.message_dict)
        try:
            bad = [r for r in _string_list(self.requirements, "requirements") if not REQUIREMENT_ID.match(r)]
            if bad:
                errors["requirements"] = [
                    _("%(ids)s: name requirements as framework#identifier, e.g. iso20000-1:2018#7.5.3.")
                    % {"ids": ", ".join(bad)}
                ]
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if self.sms_policy and self.kind != self.Kind.POLICY:
            errors["sms_policy"] = [_("The service management policy is a document of kind policy.")]
        if self.kind == self.Kind.EXTERNAL and not self.source.strip():
            errors["source"] = [_("An external document names its issuer.")]
        if self.review_interval_months < 1:
            errors["review_interval_months"] = [_("Review at least once every so many months (1 or more).")]
        if errors:
            raise ValidationError(errors)

    @property
    def is_external(self) -> bool:
        return self.kind == self.Kind.EXTERNAL


class DocumentVersion(BaseModel):
    """One version of a document's content, reviewed and approved by someone other than its author before
    it may be in force; kept read-only once approved, and marked superseded or obsolete when replaced."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "in_review", _("in review")
        APPROVED = "approved", _("approved")
        EFFECTIVE = "effective", _("in force")
        SUPERSEDED = "superseded", _("superseded (obsolete)")
        OBSOLETE = "obsolete", _("withdrawn (obsolete)")

    EDITABLE = (Status.DRAFT,)
    RETIRED = (Status.SUPERSEDED, Status.OBSOLETE)

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="versions", verbose_name=_("document")
    )
    version = models.CharField(_("version"), max_length=32)
    author = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authored_document_versions",
        verbose_name=_("author"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("written by (account)"),
    )
    summary = models.TextField(_("summary of change"), blank=True)
    body = models.TextField(_("text"), blank=True)
    file = models.ForeignKey(
        "core.Attachment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("file"),
    )
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    effective_date = models.DateField(
        _("effective date"),
        null=True,
        blank=True,
        help_text=_("Empty: in force from the day it is released."),
    )
    submitted_at = models.DateTimeField(_("submitted for review"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approval_note = models.TextField(_("approval comment"), blank=True)
    effective_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    retired_at = models.DateTimeField(_("obsolete since"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("superseded by"),
    )
    # Why the version was written, when an improvement or a corrective action asked for it (2011 4.5.5.2 c;
    # 2018 10.1 e): the register's entry is then answered by an approved version naming it.
    corrective_action = models.ForeignKey(
        "improvement.CorrectiveAction",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="document_versions",
        verbose_name=_("written for corrective action"),
    )
    improvement = models.ForeignKey(
        "improvement.ImprovementOpportunity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="document_versions",
        verbose_name=_("written for improvement"),
    )

    class Meta:
        ordering = ["document", "-created", "-id"]
        verbose_name = _("document version")
        indexes = [
            models.Index(fields=["status", "effective_date"], name="docversion_status_idx"),
            models.Index(fields=["document", "-created"], name="docversion_document_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="docversion_unique_label"),
            models.UniqueConstraint(
                fields=["document"], condition=Q(status="effective"), name="docversion_one_in_force"
            ),
        ]

    def __str__(self) -> str:
        reference = self.document.reference if self.document_id else "—"
        return f"{reference} v{self.version}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("documents:documentversion_detail", args=[self.pk])

    def clean(self) -> None:
        if not (self.version or "").strip():
            raise ValidationError({"version": [_("Give the version a label, e.g. 1.0.")]})

    @property
    def is_obsolete(self) -> bool:
        return self.status in self.RETIRED


class DocumentAcknowledgement(BaseModel):
    """A person confirms having read the version in force of a document that asks for it (awareness)."""

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="acknowledgements", verbose_name=_("document")
    )
    version = models.ForeignKey(
        DocumentVersion,
        on_delete=models.PROTECT,
        related_name="acknowledgements",
        verbose_name=_("version"),
    )
    person = models.ForeignKey(
        "parties.Person",
        on_delete=models.PROTECT,
        related_name="document_acknowledgements",
        verbose_name=_("person"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"))
    note = models.CharField(_("note"), max_length=250, blank=True)

    class Meta:
        ordering = ["-acknowledged_at", "-id"]
        verbose_name = _("document acknowledgement")
        constraints = [models.UniqueConstraint(fields=["version", "person"], name="docack_once_per_version")]
        indexes = [models.Index(fields=["document", "person"], name="docack_document_idx")]

    def __str__(self) -> str:
        return f"{self.version} — {self.person}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("documents:documentacknowledgement_detail", args=[self.pk])


def _valid_record_type(value: str) -> None:
    if not value:
        return
    try:
        model = apps.get_model(value)
    except (LookupError, ValueError):
        raise ValidationError(
            _("%(value)s names no record type; use app_label.model, e.g. incidents.incident.")
            % {"value": value}
        ) from None
    if model._meta.app_label == "core" or not issubclass(model, BaseModel):
        raise ValidationError(
            _(
                "%(value)s cannot be disposed of through the register (the change log and the platform's "
                "own records are kept)."
            )
            % {"value": value}
        )


class RecordSeries(BaseModel):
    """A kind of record the SMS keeps, where, for how long, and how it leaves when its time is up."""

    class DisposalMethod(models.TextChoices):
        DELETE = "delete", _("delete from the system")
        ANONYMISE = "anonymise", _("anonymise")
        ARCHIVE = "archive", _("move to archive")
        DESTROY = "destroy", _("destroy securely (paper, media)")
        RETURN = "return", _("return to the customer")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("what records"), blank=True)
    record_type = models.CharField(
        _("record type in the system"),
        max_length=100,
        blank=True,
        validators=[_valid_record_type],
        help_text=_(
            "app_label.model of records kept here, e.g. incidents.incident; empty if kept elsewhere."
        ),
    )
    location = models.CharField(_("where kept"), max_length=250)
    owner = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_record_series",
        verbose_name=_("owner"),
    )
    retention_months = models.PositiveIntegerField(_("retention (months)"))
    retention_basis = models.CharField(
        _("retention counted from"), max_length=100, blank=True, default="creation of the record"
    )
    disposal_method = models.CharField(_("disposal method"), max_length=12, choices=DisposalMethod.choices)
    legal_hold = models.BooleanField(_("legal hold"), default=False, db_index=True)
    legal_hold_reason = models.CharField(_("reason for legal hold"), max_length=250, blank=True)
    due_for_disposal = models.PositiveIntegerField(_("records due for disposal"), default=0)
    checked_at = models.DateTimeField(_("last checked for disposal"), null=True, blank=True)

    reference_prefix = "RS"

    class Meta:
        ordering = ["reference"]
        verbose_name = _("record series")
        verbose_name_plural = _("record series")

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    def clean(self) -> None:
        errors = {}
        if self.legal_hold and not self.legal_hold_reason.strip():
            errors["legal_hold_reason"] = [_("Say why the records are on legal hold.")]
        if self.retention_months is not None and self.retention_months < 1:
            errors["retention_months"] = [_("Keep records for at least one month.")]
        if errors:
            raise ValidationError(errors)

    def model_class(self):
        return apps.get_model(self.record_type) if self.record_type else None


class DisposalRequest(BaseModel):
    """A request to dispose of the records of a series created before a cut-off; approved by someone other
    than the requester before anything is disposed, and logged when carried out."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        DISPOSED = "disposed", _("disposed")
        REJECTED = "rejected", _("rejected")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    series = models.ForeignKey(
        RecordSeries,
        on_delete=models.PROTECT,
        related_name="disposal_requests",
        verbose_name=_("record series"),
    )
    cutoff = models.DateField(_("records created before"))
    reason = models.TextField(_("reason"), blank=True)
    record_count = models.PositiveIntegerField(_("records concerned"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision comment"), blank=True)
    disposed_at = models.DateTimeField(_("disposed at"), null=True, blank=True)
    disposed_count = models.PositiveIntegerField(_("records disposed"), default=0)

    reference_prefix = "DSP"

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("disposal request")

    def __str__(self) -> str:
        return f"{self.reference} {self.series.name if self.series_id else ''}".strip()
