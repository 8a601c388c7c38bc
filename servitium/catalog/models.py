"""The service catalogue (20000-1:2011 6.1 / 2018 8.2.4): services, their customers and dependencies."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from servitium.core import permissions
from servitium.core.models import BaseModel


class Service(BaseModel):
    """A service the provider delivers (or plans to, or has retired)."""

    class Status(models.TextChoices):
        PIPELINE = "pipeline", _("pipeline")
        LIVE = "live", _("live")
        RETIRED = "retired", _("retired")

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

    permission_area = "catalog"
    tenant_path = "customers"
    customer_actions = frozenset({permissions.VIEW})
    reference_prefix = "SVC"

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name
