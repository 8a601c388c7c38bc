"""The service catalogue (20000-1:2011 6.1 / 2018 8.2.4): services, their customers and dependencies."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel


class Service(BaseModel):
    """A service the provider delivers (or plans to, or has retired)."""

    class Status(models.TextChoices):
        PIPELINE = "pipeline", _("pipeline")
        LIVE = "live", _("live")
        RETIRED = "retired", _("retired")

    class Criticality(models.TextChoices):
        CRITICAL = "critical", _("critical")
        HIGH = "high", _("high")
        MEDIUM = "medium", _("medium")
        LOW = "low", _("low")

    class Fit(models.TextChoices):
        FITS = "fits", _("fits")
        DOES_NOT_FIT = "does_not_fit", _("does not fit")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PIPELINE, db_index=True
    )
    owner = models.ForeignKey(
        "parties.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="owned_services"
    )
    customers = models.ManyToManyField(
        "parties.Organization", blank=True, related_name="services", verbose_name=_("customers")
    )
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents", verbose_name=_("depends on")
    )
    change_reference = models.CharField(
        _("change reference"),
        max_length=32,
        blank=True,
        help_text=_("The change that introduced or last altered this catalogue entry."),
    )
    criticality = models.CharField(
        _("criticality"),
        max_length=16,
        choices=Criticality.choices,
        blank=True,
        help_text=_("How much the customers' business suffers when the service is down."),
    )
    # The portfolio review (2018 8.2.2): does the service still fit the policy, the objectives and the
    # requirements? One that does not gets a change proposed (the changes app's rule).
    portfolio_fit = models.CharField(
        _("portfolio review"), max_length=16, choices=Fit.choices, blank=True, db_index=True
    )
    portfolio_reviewed_on = models.DateField(_("portfolio reviewed on"), null=True, blank=True)
    portfolio_note = models.TextField(
        _("portfolio finding"),
        blank=True,
        help_text=_("Where the service falls short of the policy, the objectives or the requirements."),
    )

    reference_prefix = "SVC"

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.portfolio_fit and self.portfolio_reviewed_on is None:
            errors["portfolio_reviewed_on"] = [_("Say when the portfolio review took place.")]
        if self.portfolio_fit == self.Fit.DOES_NOT_FIT and not self.portfolio_note.strip():
            errors["portfolio_note"] = [_("Say where the service does not fit.")]
        if errors:
            raise ValidationError(errors)


class ServiceComponent(BaseModel):
    """A part of a service (application, infrastructure, support activity...), possibly supplied by others."""

    class Kind(models.TextChoices):
        APPLICATION = "application", _("application")
        INFRASTRUCTURE = "infrastructure", _("infrastructure")
        DATA = "data", _("data")
        SUPPORT = "support", _("support activity")
        SUPPLIED = "supplied", _("supplied service")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="components")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.APPLICATION)
    description = models.TextField(_("description"), blank=True)
    provided_by = models.ForeignKey(
        "parties.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="provided_components",
        verbose_name=_("provided by"),
        help_text=_("A supplier or internal group that delivers this component, if not the provider itself."),
    )
    depends_on_services = models.ManyToManyField(
        Service, blank=True, related_name="dependent_components", verbose_name=_("depends on services")
    )

    class Meta:
        ordering = ["service__name", "name"]
        verbose_name = _("service component")
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="component_unique_name")]

    def __str__(self) -> str:
        return f"{self.service.name}: {self.name}"


class Offering(BaseModel):
    """What a customer can order from a service, in words a customer understands, with choosable options."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("available")
        WITHDRAWN = "withdrawn", _("withdrawn")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="offerings")
    name = models.CharField(_("name"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, help_text=_("One sentence for the catalogue."))
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.AVAILABLE)
    public = models.BooleanField(
        _("shown to all customers"),
        default=True,
        help_text=_("Otherwise only customers receiving the service see it."),
    )
    change_reference = models.CharField(
        _("change reference"),
        max_length=32,
        blank=True,
        help_text=_("The change that introduced or last altered it."),
    )

    class Meta:
        ordering = ["service__name", "name"]
        verbose_name = _("offering")
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="offering_unique_name")]

    def __str__(self) -> str:
        return self.name


class OfferingOption(BaseModel):
    """A choice within an offering: a size, a region, a support level..."""

    class Kind(models.TextChoices):
        SIZE = "size", _("size")
        REGION = "region", _("region")
        SUPPORT_LEVEL = "support_level", _("support level")
        OTHER = "other", _("other")

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="options")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_default = models.BooleanField(_("default choice"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["offering", "kind", "sort_order", "name"]
        verbose_name = _("offering option")
        constraints = [
            models.UniqueConstraint(fields=["offering", "kind", "name"], name="option_unique_name"),
            models.UniqueConstraint(
                fields=["offering", "kind"],
                condition=models.Q(is_default=True),
                name="option_one_default_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offering}: {self.get_kind_display()} {self.name}"
