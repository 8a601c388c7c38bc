"""Records that control the configuration (2011 9.1 / 2018 8.2.5, 8.2.6): baselines (frozen snapshots of
a set of CIs), configuration audits with their findings, and the master copies of the definitive library.

All of these are the provider's own (see `resources.py`): a baseline or an audit spans many customers' CIs,
so customer users see none of them. Imported by `models.py`, which is where Django looks for them.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel

SHA256 = re.compile(r"^[0-9a-f]{64}$")


class MasterCopy(BaseModel):
    """An authorised copy in the definitive library: installable software, a controlled document, a
    machine image or an escrowed licence key, with where it is kept and its checksum."""

    class Kind(models.TextChoices):
        SOFTWARE = "software", _("software")
        DOCUMENT = "document", _("document")
        IMAGE = "image", _("image")
        LICENCE_KEY = "licence_key", _("licence key (escrow)")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SOFTWARE)
    version = models.CharField(_("version"), max_length=100)
    storage_location = models.CharField(
        _("storage location"), max_length=500, help_text=_("Where the copy is kept: a path or a URL.")
    )
    checksum_sha256 = models.CharField(
        _("SHA-256 checksum"),
        max_length=64,
        blank=True,
        help_text=_("64 hexadecimal digits; lets anyone confirm the copy is the authorised one."),
    )
    custodian = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="master_copies",
        verbose_name=_("custodian"),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name", "version", "id"]
        verbose_name = _("master copy")
        verbose_name_plural = _("master copies")
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="mastercopy_unique")]
        indexes = [models.Index(fields=["name", "version", "id"], name="mastercopy_order_idx")]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("cmdb:mastercopy_detail", args=[self.pk])

    def clean(self) -> None:
        if self.checksum_sha256:
            self.checksum_sha256 = self.checksum_sha256.strip().lower()
            if not SHA256.match(self.checksum_sha256):
                raise ValidationError(
                    {"checksum_sha256": [_("A SHA-256 checksum is 64 hexadecimal digits.")]}
                )


class Baseline(BaseModel):
    """A named, immutable snapshot of a set of CIs (attributes, status, version, owner, relationships) at
    one moment: the reference point a release, an audit or a rollback compares against."""

    class Scope(models.TextChoices):
        CIS = "cis", _("chosen CIs")
        SERVICE = "service", _("a service and what it depends on")
        CI_TYPE = "ci_type", _("all CIs of a type")
        CUSTOMER = "customer", _("all CIs serving a customer")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True, help_text=_("Why this baseline was taken."))
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.CIS)
    scope_id = models.BigIntegerField(
        _("scope record"), null=True, blank=True, help_text=_("The service CI, CI type or customer.")
    )
    source_type = models.CharField(
        _("caused by (type)"), max_length=100, blank=True, help_text=_("e.g. releases.deployment")
    )
    source_id = models.BigIntegerField(_("caused by (id)"), null=True, blank=True)
    item_count = models.PositiveIntegerField(_("CIs"), default=0)

    reference_prefix = "BL"

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        indexes = [models.Index(fields=["source_type", "source_id"], name="baseline_source_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("cmdb:baseline_detail", args=[self.pk])

    def clean(self) -> None:
        if self.scope != self.Scope.CIS and self.scope_id is None:
            raise ValidationError({"scope_id": [_("This scope needs the record it is taken for.")]})
        if bool(self.source_type) != (self.source_id is not None):
            raise ValidationError(
                {"source_id": [_("Give both the type and the id of the cause, or neither.")]}
            )


class BaselineItem(models.Model):
    """One CI as it was when the baseline was taken. Written once with the baseline, never changed; the CI
    is kept by id and reference (not a foreign key) so the snapshot outlives the CI."""

    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="items")
    ci_pk = models.BigIntegerField(_("CI id"))
    reference = models.CharField(_("reference"), max_length=16)
    name = models.CharField(_("name"), max_length=200)
    data = models.JSONField(_("snapshot"), default=dict)

    class Meta:
        ordering = ["baseline", "name", "ci_pk"]
        constraints = [models.UniqueConstraint(fields=["baseline", "ci_pk"], name="baselineitem_unique")]
        indexes = [models.Index(fields=["baseline", "name", "ci_pk"], name="baselineitem_order_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"


class ConfigurationAudit(BaseModel):
    """A check of the records against what is really there: discovered data is imported, reconciled
    against the CIs in scope, and every difference becomes a finding to follow up."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        RECONCILED = "reconciled", _("reconciled")
        CLOSED = "closed", _("closed")

    class Scope(models.TextChoices):
        ALL = "all", _("all CIs")
        CI_TYPE = "ci_type", _("one CI type")
        SERVICE = "service", _("a service and what it depends on")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.ALL)
    scope_ci_type = models.ForeignKey(
        "cmdb.CIType",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audits",
        verbose_name=_("CI type audited"),
    )
    scope_service = models.ForeignKey(
        "cmdb.ConfigurationItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audits",
        verbose_name=_("service CI audited"),
    )
    planned_for = models.DateField(_("planned for"), null=True, blank=True)
    auditor = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="configuration_audits",
        verbose_name=_("auditor"),
    )
    notes = models.TextField(_("notes"), blank=True)
    source_name = models.CharField(_("discovery source"), max_length=200, blank=True)
    discovered = models.JSONField(_("discovered data"), default=list, blank=True)
    row_errors = models.JSONField(_("rows not imported"), default=list, blank=True)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)
    reconciled_at = models.DateTimeField(_("reconciled"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    reference_prefix = "CAU"
    # The discovered rows are bulky; the change log keeps the file name and counts instead.
    changelog_exclude = frozenset({"discovered", "row_errors"})

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("configuration audit")
        verbose_name_plural = _("configuration audits")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("cmdb:configurationaudit_detail", args=[self.pk])

    def clean(self) -> None:
        if self.scope == self.Scope.CI_TYPE and self.scope_ci_type_id is None:
            raise ValidationError({"scope_ci_type": [_("Choose the CI type this audit covers.")]})
        if self.scope == self.Scope.SERVICE and self.scope_service_id is None:
            raise ValidationError({"scope_service": [_("Choose the service CI this audit covers.")]})


class AuditFinding(BaseModel):
    """One difference a configuration audit found, with the follow-up action that settles it."""

    class Kind(models.TextChoices):
        MISSING = "missing", _("missing (recorded, not discovered)")
        UNEXPECTED = "unexpected", _("unexpected (discovered, not recorded)")
        DIFFERING = "differing", _("differing")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class Resolution(models.TextChoices):
        RECORD_UPDATED = "record_updated", _("record updated")
        CI_REGISTERED = "ci_registered", _("CI registered")
        CI_RETIRED = "ci_retired", _("CI retired")
        ACCEPTED = "accepted", _("difference accepted")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    audit = models.ForeignKey(
        ConfigurationAudit, on_delete=models.CASCADE, related_name="findings", verbose_name=_("audit")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_findings",
        verbose_name=_("CI"),
    )
    identifier = models.CharField(_("identifier"), max_length=200, help_text=_("Reference or name."))
    discovered = models.JSONField(_("discovered values"), default=dict, blank=True)
    differences = models.JSONField(
        _("differences"), default=dict, blank=True, help_text=_("field -> [recorded, discovered]")
    )
    owner = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_findings",
        verbose_name=_("action owner"),
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    resolution = models.CharField(_("resolution"), max_length=16, choices=Resolution.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # A difference is an unintended change until shown otherwise: what it affected and how that was
    # mitigated is reviewed before or when the finding is settled (2018 8.1).
    effect_review = models.TextField(
        _("effect reviewed"),
        blank=True,
        help_text=_("What the unintended change affected, and how it was mitigated."),
    )

    reference_prefix = "CAF"

    class Meta:
        ordering = ["audit", "kind", "identifier", "id"]
        verbose_name = _("audit finding")
        verbose_name_plural = _("audit findings")
        indexes = [models.Index(fields=["audit", "status"], name="auditfinding_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", resolution="") | (Q(status="closed") & ~Q(resolution="")),
                name="auditfinding_resolution",
                violation_error_message=_("A closed finding has a resolution; an open one has none."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}: {self.identifier}"

    def get_absolute_url(self) -> str:
        return reverse("cmdb:auditfinding_detail", args=[self.pk])
