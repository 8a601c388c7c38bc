"""Records of service reporting (2011 6.2; 2018 9.4): what each report is (its definition: purpose,
audience, customer, services, frequency, sections), the reports generated from it per period (frozen as HTML
and PDF), and the decisions and actions taken on a report.

Who may see and write them is declared in resources.py; every write goes through services.py.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel


class ReportDefinition(BaseModel):
    """One service report as agreed: its identity, purpose and audience, whose services it covers (a
    customer, or none for an internal report), how often it is produced and which sections it holds."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("monthly")
        QUARTERLY = "quarterly", _("quarterly")
        ON_DEMAND = "on_demand", _("on demand")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), help_text=_("What the report is for and what it helps decide."))
    customer = models.ForeignKey(
        "parties.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_definitions",
        verbose_name=_("customer"),
        help_text=_("Empty for an internal report over every customer."),
    )
    services = models.ManyToManyField(
        "catalog.Service",
        blank=True,
        related_name="report_definitions",
        verbose_name=_("services"),
        help_text=_("Empty: every service the customer receives."),
    )
    audience_people = models.ManyToManyField(
        "parties.Person", blank=True, related_name="report_definitions", verbose_name=_("audience: people")
    )
    audience_teams = models.ManyToManyField(
        "parties.Team", blank=True, related_name="report_definitions", verbose_name=_("audience: teams")
    )
    audience_contacts = models.ManyToManyField(
        "relationships.InterestedParty",
        blank=True,
        related_name="report_definitions",
        verbose_name=_("audience: customer contacts"),
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    sections = models.JSONField(
        _("sections (data sources)"),
        default=list,
        blank=True,
        help_text=_("Keys of the report sections it holds, in order; empty: every registered section."),
    )
    details = models.TextField(_("details and notes"), blank=True)
    owner = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_report_definitions",
        verbose_name=_("report owner"),
    )
    active = models.BooleanField(_("active"), default=True)

    reference_prefix = "RPD"

    class Meta:
        ordering = ["reference"]
        verbose_name = _("report definition")
        verbose_name_plural = _("report definitions")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        from servitium.core.reportsections import report_sections

        errors: dict[str, list] = {}
        if self.customer_id and self.customer.kind != "customer":
            errors["customer"] = [_("Choose a customer organization (or none for an internal report).")]
        if self.owner_id and self.owner.organization.kind != "provider":
            errors["owner"] = [_("The report owner must be one of the provider's people.")]
        if not isinstance(self.sections, list) or not all(isinstance(k, str) for k in self.sections):
            errors["sections"] = [_("Give the sections as a list of section keys.")]
        else:
            known = {s.key for s in report_sections()}
            unknown = [k for k in self.sections if k not in known]
            if unknown:
                errors["sections"] = [
                    _("Unknown sections: %(u)s. Known: %(k)s.")
                    % {"u": ", ".join(unknown), "k": ", ".join(sorted(known))}
                ]
            elif len(set(self.sections)) != len(self.sections):
                errors["sections"] = [_("Name each section once.")]
        if errors:
            raise ValidationError(errors)


class ServiceReport(BaseModel):
    """A report produced from its definition for one period, frozen as it was generated: the rendered
    HTML, the figures of each section, and a PDF stored as an attachment with its SHA-256."""

    class Status(models.TextChoices):
        GENERATED = "generated", _("generated")
        ISSUED = "issued", _("issued")
        SUPERSEDED = "superseded", _("superseded")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    definition = models.ForeignKey(
        ReportDefinition, on_delete=models.PROTECT, related_name="reports", verbose_name=_("definition")
    )
    customer = models.ForeignKey(
        "parties.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_reports",
        verbose_name=_("customer"),
        editable=False,
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text=_("The last day the report covers."))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.GENERATED, db_index=True
    )
    generated_at = models.DateTimeField(_("generated at"), editable=False)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True, editable=False)
    content = models.JSONField(
        _("content"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("The figures of each section as generated, with the content items they cover."),
    )
    content_items = models.JSONField(
        _("content items"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Each content item of the standard: figures, empty (nothing in the period) or none."),
    )
    html = models.TextField(_("report (HTML)"), blank=True, editable=False)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True, editable=False)
    mailed_to = models.TextField(_("mailed to"), blank=True, editable=False)
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True, editable=False)

    reference_prefix = "SRP"
    changelog_exclude = frozenset({"html", "content"})  # frozen copies; the PDF digest is logged

    class Meta:
        ordering = ["-period_start", "reference"]
        verbose_name = _("service report")
        verbose_name_plural = _("service reports")
        indexes = [
            models.Index(fields=["-period_start", "reference"], name="servicereport_period_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "period_start"],
                condition=~Q(status="superseded"),
                name="servicereport_one_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="servicereport_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.period_start:%Y-%m}"


class ReportAction(BaseModel):
    """A decision or an action taken on the findings of a report, with its owner, due date and status."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("decision")
        ACTION = "action", _("action")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    OPEN_STATES = (Status.OPEN, Status.IN_PROGRESS)

    report = models.ForeignKey(
        ServiceReport, on_delete=models.CASCADE, related_name="actions", verbose_name=_("report")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.ACTION)
    text = models.TextField(_("decision or action"))
    owner = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_actions",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("report decision or action")
        verbose_name_plural = _("report decisions and actions")
        indexes = [models.Index(fields=["status", "due_date"], name="reportaction_status_due_idx")]

    def __str__(self) -> str:
        text = self.text if len(self.text) <= 60 else f"{self.text[:57]}..."
        return f"{self.report.reference}: {text}" if self.report_id else text

    def clean(self) -> None:
        if self.owner_id and self.owner.organization.kind != "provider":
            raise ValidationError({"owner": [_("The owner must be one of the provider's people.")]})
