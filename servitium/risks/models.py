"""Records of risk management (2011 4.1.1.g, 4.5.3.d; 2018 6.1; guidance of TR 20000-17): the risk matrix
that scores risks, the register of risks and opportunities, and the actions that treat them.

Who may see and write them is declared in resources.py; every write goes through services.py.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel


class BandColour(models.TextChoices):
    """Bootstrap's contextual colours: the heat map and badges use `text-bg-<colour>` (no inline style
    under the Content-Security-Policy)."""

    SUCCESS = "success", _("green")
    INFO = "info", _("blue")
    WARNING = "warning", _("amber")
    DANGER = "danger", _("red")
    DARK = "dark", _("black")


def _level_errors(levels: Any, name: str) -> list[str]:
    if not isinstance(levels, list) or not 2 <= len(levels) <= 10:
        return [str(_("Give between 2 and 10 levels as a list of {value, label}."))]
    errors = []
    values = []
    for level in levels:
        if not isinstance(level, dict) or not isinstance(level.get("value"), int) or not level.get("label"):
            errors.append(str(_("Each level needs a whole-number value and a label.")))
            break
        values.append(level["value"])
    if not errors and (sorted(values) != values or len(set(values)) != len(values) or values[0] < 1):
        errors.append(str(_("Level values must be positive and rise from the first level to the last.")))
    return errors


def _band_errors(bands: Any) -> list[str]:
    if not isinstance(bands, list) or not bands:
        return [str(_("Give at least one band as a list of {name, label, min_score, colour}."))]
    colours = set(BandColour.values)
    minimums = []
    for band in bands:
        valid = (
            isinstance(band, dict)
            and band.get("name")
            and band.get("label")
            and isinstance(band.get("min_score"), int)
            and band.get("colour") in colours
        )
        if not valid:
            return [
                str(
                    _(
                        "Each band needs a name, a label, a whole-number min_score and a colour "
                        "(one of %(c)s)."
                    )
                    % {"c": ", ".join(sorted(colours))}
                )
            ]
        minimums.append(band["min_score"])
    if sorted(minimums) != minimums or len(set(minimums)) != len(minimums):
        return [str(_("Bands must be listed from the lowest min_score to the highest."))]
    if len({b["name"] for b in bands}) != len(bands):
        return [str(_("Band names must differ."))]
    return []


class RiskMatrix(BaseModel):
    """How risks are scored: likelihood and impact levels, score bands with their colours, and the appetite
    (the highest score accepted without treatment). One matrix is active at a time; it is the provider's
    risk acceptance criteria and approach (2018 6.1.2.c, 6.1.2.d)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=False)
    likelihood_levels = models.JSONField(
        _("likelihood levels"), default=list, help_text=_('E.g. [{"value": 1, "label": "Rare"}, ...].')
    )
    impact_levels = models.JSONField(
        _("impact levels"), default=list, help_text=_('E.g. [{"value": 1, "label": "Negligible"}, ...].')
    )
    bands = models.JSONField(
        _("score bands"),
        default=list,
        help_text=_(
            'Lowest first, e.g. [{"name": "low", "label": "Low", "min_score": 1, "colour": "success"}].'
        ),
    )
    appetite = models.PositiveSmallIntegerField(
        _("risk appetite"),
        default=4,
        help_text=_("Risks scoring above this must be treated, not just accepted."),
    )
    acceptance_criteria = models.TextField(
        _("acceptance criteria"), blank=True, help_text=_("When and by whom a risk may be accepted.")
    )
    approach = models.TextField(
        _("risk management approach"),
        blank=True,
        help_text=_("How risks are identified, assessed, treated and reviewed, and how often."),
    )
    review_interval_days = models.PositiveSmallIntegerField(
        _("review interval (days)"), default=90, help_text=_("How often each open risk is reviewed.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("risk matrix")
        verbose_name_plural = _("risk matrices")
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="riskmatrix_one_active"
            ),
            models.CheckConstraint(condition=Q(review_interval_days__gte=1), name="riskmatrix_interval_pos"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        for name in ("likelihood_levels", "impact_levels"):
            found = _level_errors(getattr(self, name), name)
            if found:
                errors[name] = found
        found = _band_errors(self.bands)
        if found:
            errors["bands"] = found
        if errors:
            raise ValidationError(errors)

    # --- scoring ---------------------------------------------------------------------------------------
    def likelihood_values(self) -> list[int]:
        return [level["value"] for level in self.likelihood_levels]

    def impact_values(self) -> list[int]:
        return [level["value"] for level in self.impact_levels]

    def band_for(self, score: int | None) -> dict[str, Any] | None:
        """The band a score falls in (the highest whose min_score it reaches); None for no score."""
        if score is None:
            return None
        found = None
        for band in self.bands:
            if score >= band["min_score"]:
                found = band
        return found or self.bands[0]

    def band_names(self) -> list[str]:
        return [band["name"] for band in self.bands]


class Risk(BaseModel):
    """A risk or an opportunity for the SMS or a service, its assessment, its treatment and what remains."""

    class Kind(models.TextChoices):
        RISK = "risk", _("risk")
        OPPORTUNITY = "opportunity", _("opportunity")

    class Category(models.TextChoices):
        SMS = "sms", _("management system / organization")
        SERVICE = "service", _("service")

    class Treatment(models.TextChoices):
        ACCEPT = "accept", _("accept")
        AVOID = "avoid", _("avoid (risk)")
        REDUCE = "reduce", _("reduce (risk)")
        TRANSFER = "transfer", _("transfer (risk)")
        EXPLOIT = "exploit", _("exploit (opportunity)")
        ENHANCE = "enhance", _("enhance (opportunity)")
        SHARE = "share", _("share (opportunity)")

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("identified")
        ASSESSED = "assessed", _("assessed")
        TREATED = "treated", _("treated")
        MONITORED = "monitored", _("monitored")
        CLOSED = "closed", _("closed")

    RISK_TREATMENTS = frozenset({"accept", "avoid", "reduce", "transfer"})
    OPPORTUNITY_TREATMENTS = frozenset({"accept", "exploit", "enhance", "share"})

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.RISK)
    category = models.CharField(
        _("category"), max_length=8, choices=Category.choices, default=Category.SERVICE
    )
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    cause = models.TextField(_("cause"), blank=True)
    consequence = models.TextField(_("consequence"), blank=True)
    customer_impact = models.TextField(
        _("effect on customers"), blank=True, help_text=_("What customers would notice if it happened.")
    )
    owner = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_risks",
        verbose_name=_("risk owner"),
    )
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), null=True, blank=True)
    impact = models.PositiveSmallIntegerField(_("impact"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True, editable=False, db_index=True)
    band = models.CharField(_("band"), max_length=32, blank=True, editable=False, db_index=True)
    treatment_option = models.CharField(
        _("treatment option"), max_length=10, choices=Treatment.choices, blank=True
    )
    acceptance_reason = models.TextField(
        _("reason for acceptance"), blank=True, help_text=_("Needed when the risk is accepted as it is.")
    )
    residual_likelihood = models.PositiveSmallIntegerField(_("residual likelihood"), null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(_("residual impact"), null=True, blank=True)
    residual_score = models.PositiveSmallIntegerField(
        _("residual score"), null=True, blank=True, editable=False
    )
    residual_band = models.CharField(_("residual band"), max_length=32, blank=True, editable=False)
    review_date = models.DateField(_("next review"), null=True, blank=True, db_index=True)
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    review_overdue = models.BooleanField(
        _("review overdue"), default=False, editable=False, help_text=_("Set by the daily review job.")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IDENTIFIED, db_index=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    services = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="risks", verbose_name=_("services")
    )
    cis = models.ManyToManyField(
        "cmdb.ConfigurationItem", blank=True, related_name="risks", verbose_name=_("configuration items")
    )
    suppliers = models.ManyToManyField(
        "suppliers.Supplier", blank=True, related_name="risks", verbose_name=_("suppliers")
    )
    changes = models.ManyToManyField(
        "changes.Change", blank=True, related_name="risks", verbose_name=_("changes")
    )

    reference_prefix = "RSK"

    class Meta:
        ordering = ["-score", "reference"]
        verbose_name = _("risk or opportunity")
        verbose_name_plural = _("risks and opportunities")
        indexes = [
            models.Index(fields=["-score", "reference"], name="risk_score_idx"),
            models.Index(fields=["status", "review_date"], name="risk_status_review_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__isnull=True, impact__isnull=True)
                | Q(likelihood__isnull=False, impact__isnull=False),
                name="risk_assessed_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.owner_id and self.owner.organization.kind != "provider":
            errors["owner"] = [_("The risk owner must be one of the provider's people.")]
        if (self.likelihood is None) != (self.impact is None):
            errors["impact" if self.impact is None else "likelihood"] = [
                _("Give likelihood and impact together.")
            ]
        if (self.residual_likelihood is None) != (self.residual_impact is None):
            field = "residual_impact" if self.residual_impact is None else "residual_likelihood"
            errors[field] = [_("Give residual likelihood and impact together.")]
        allowed = self.OPPORTUNITY_TREATMENTS if self.kind == self.Kind.OPPORTUNITY else self.RISK_TREATMENTS
        if self.treatment_option and self.treatment_option not in allowed:
            errors["treatment_option"] = [
                _("For a %(kind)s choose one of: %(options)s.")
                % {"kind": self.get_kind_display(), "options": ", ".join(sorted(allowed))}
            ]
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def has_residual(self) -> bool:
        return self.residual_likelihood is not None and self.residual_impact is not None


class RiskAction(BaseModel):
    """One planned action that treats a risk (or pursues an opportunity), with an owner and a due date."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    OPEN = (Status.PLANNED, Status.IN_PROGRESS)

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions", verbose_name=_("risk"))
    description = models.TextField(_("description"))
    owner = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_actions",
        verbose_name=_("action owner"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True, help_text=_("What the action achieved."))

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("risk action")
        indexes = [models.Index(fields=["status", "due_date"], name="riskaction_status_due_idx")]

    def __str__(self) -> str:
        text = self.description if len(self.description) <= 60 else f"{self.description[:57]}..."
        return f"{self.risk.reference}: {text}" if self.risk_id else text

    def clean(self) -> None:
        if self.owner_id and self.owner.organization.kind != "provider":
            raise ValidationError({"owner": [_("The action owner must be one of the provider's people.")]})
