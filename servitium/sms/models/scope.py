"""The scope of the SMS (2018 4.3; 2011 4.5.1 / 4.2), kept as versions: a draft is approved by someone
other than its author, then made current; the version it replaces becomes superseded."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel


def validate_exclusions(value) -> None:
    """A list of {"excluded": ..., "justification": ...}: nothing left out without a reason."""
    if value in (None, ""):
        return
    if not isinstance(value, list):
        raise ValidationError(_("Exclusions are a list of {excluded, justification} items."))
    for item in value:
        if not isinstance(item, dict) or not str(item.get("excluded", "")).strip():
            raise ValidationError(_("Each exclusion names what is excluded."))
        if not str(item.get("justification", "")).strip():
            raise ValidationError(
                _("The exclusion '%(item)s' needs a justification.") % {"item": item["excluded"]}
            )
        if set(item) - {"excluded", "justification"}:
            raise ValidationError(_("Exclusions hold only 'excluded' and 'justification'."))


class ScopeStatement(BaseModel):
    """One version of the SMS scope: the services, where and for whom they are provided, what is left out
    and why, and the processes other parties operate within it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")
        CURRENT = "current", _("current")
        SUPERSEDED = "superseded", _("superseded")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    version = models.CharField(_("version"), max_length=20)
    text = models.TextField(_("scope statement"))
    services = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="sms_scopes", verbose_name=_("services in scope")
    )
    locations = models.ManyToManyField(
        "parties.Location", blank=True, related_name="sms_scopes", verbose_name=_("locations")
    )
    organizations = models.ManyToManyField(
        "parties.Organization",
        blank=True,
        related_name="sms_scopes",
        verbose_name=_("organizations served"),
    )
    exclusions = models.JSONField(
        _("exclusions"),
        default=list,
        blank=True,
        validators=[validate_exclusions],
        help_text=_('A list of {"excluded": "...", "justification": "..."}.'),
    )
    other_party_processes = models.ManyToManyField(
        "suppliers.GovernedProcess",
        blank=True,
        related_name="sms_scopes",
        verbose_name=_("processes operated by other parties"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    effective_from = models.DateField(_("current since"), null=True, blank=True)

    reference_prefix = "SCP"

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("scope statement")
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="current"),
                name="scope_one_current",
                violation_error_message=_("Only one scope statement can be current."),
            ),
            models.UniqueConstraint(fields=["version"], name="scope_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} v{self.version}"
