"""Context of the organization (2018 4.1, 4.2): issues inside and outside the provider, the interested
parties of the SMS and what they require."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel

# An issue not looked at for this long is no longer "kept current" (checks and the overdue flag).
REVIEW_DAYS = 365


class ContextIssue(BaseModel):
    """An internal or external issue that bears on what the SMS can achieve, and who keeps an eye on it."""

    class Origin(models.TextChoices):
        INTERNAL = "internal", _("internal")
        EXTERNAL = "external", _("external")

    class Category(models.TextChoices):
        MARKET = "market", _("market and customers")
        TECHNOLOGY = "technology", _("technology")
        LEGAL = "legal", _("law and regulation")
        ECONOMIC = "economic", _("economy and finance")
        SUPPLIERS = "suppliers", _("suppliers and partners")
        PEOPLE = "people", _("people and skills")
        ORGANIZATION = "organization", _("organization and culture")
        ENVIRONMENT = "environment", _("environment and society")

    class Status(models.TextChoices):
        OPEN = "open", _("being monitored")
        CLOSED = "closed", _("no longer relevant")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    origin = models.CharField(_("internal or external"), max_length=8, choices=Origin.choices)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.TextField(_("description"))
    effect = models.TextField(_("effect on the SMS"), blank=True)
    owner = models.ForeignKey(
        "parties.Person", on_delete=models.PROTECT, related_name="context_issues", verbose_name=_("owner")
    )
    last_reviewed = models.DateField(_("last reviewed"), default=dt.date.today)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )

    reference_prefix = "CTX"

    class Meta:
        ordering = ["reference"]
        verbose_name = _("context issue")
        indexes = [models.Index(fields=["status", "last_reviewed"], name="ctxissue_review_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def review_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.last_reviewed < timezone.localdate() - dt.timedelta(
            days=REVIEW_DAYS
        )


class Stakeholder(BaseModel):
    """An interested party of the SMS: an organization we record (customer, supplier, regulator...) or a
    named group (our staff, shareholders). Customer contacts and their needs stay in `relationships`;
    a requirement may point to the contact who stated it."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("customer")
        SUPPLIER = "supplier", _("supplier or partner")
        REGULATOR = "regulator", _("regulator or authority")
        STAFF = "staff", _("staff")
        OWNER = "owner", _("owners and investors")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200)
    party_type = models.CharField(_("type of party"), max_length=10, choices=Kind.choices)
    organization = models.ForeignKey(
        "parties.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sms_stakeholders",
        verbose_name=_("organization"),
        help_text=_("Leave empty for a group such as 'our staff' or 'the data protection authority'."),
    )
    interest = models.TextField(_("why they matter to the SMS"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("SMS interested party")
        verbose_name_plural = _("SMS interested parties")
        constraints = [models.UniqueConstraint(fields=["name"], name="stakeholder_unique_name")]

    def __str__(self) -> str:
        return self.name


class PartyRequirement(BaseModel):
    """A requirement of an interested party and how the SMS meets it (2018 4.2 b)."""

    class Source(models.TextChoices):
        CONTRACT = "contract", _("contract or agreement")
        LAW = "law", _("law or regulation")
        STANDARD = "standard", _("standard or certification")
        STATED = "stated", _("stated need or expectation")
        INTERNAL = "internal", _("internal decision")

    party = models.ForeignKey(
        Stakeholder, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("party")
    )
    description = models.TextField(_("requirement"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    source_detail = models.CharField(
        _("where it comes from"), max_length=200, blank=True, help_text=_("e.g. GDPR Art. 28, MSA §4")
    )
    stated_by = models.ForeignKey(
        "relationships.InterestedParty",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sms_requirements",
        verbose_name=_("stated by (customer contact)"),
    )
    relevant = models.BooleanField(_("relevant to the SMS"), default=True)
    how_addressed = models.TextField(_("how it is addressed"), blank=True)

    class Meta:
        ordering = ["party__name", "id"]
        verbose_name = _("interested party requirement")

    def __str__(self) -> str:
        return f"{self.party}: {self.description[:80]}"

    def clean(self) -> None:
        if (
            self.stated_by_id
            and self.party_id
            and self.party.organization_id
            and self.stated_by.customer_id != self.party.organization_id
        ):
            raise ValidationError({"stated_by": _("This contact belongs to another organization.")})
