"""The process register (2011 4.5.2, 4.5.3 e; 2018 8.1): each service management process with its owner,
the procedure that describes it, the criteria its performance is judged by, and the version of the service
management plan its own planning follows. The RACI (leadership.ProcessRole) says who does what inside it."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel

from .leadership import PROCESSES


class ProcessDefinition(BaseModel):
    """One process of the SMS as the provider runs it: who owns it, where it is written down, how its
    performance is judged, and when it was last reviewed."""

    process = models.CharField(_("process"), max_length=24, choices=PROCESSES, unique=True)
    owner = models.ForeignKey(
        "parties.Person", on_delete=models.PROTECT, related_name="owned_processes", verbose_name=_("owner")
    )
    purpose = models.TextField(_("purpose"), blank=True)
    procedure = models.ForeignKey(
        "documents.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="process_definitions",
        verbose_name=_("procedure"),
        help_text=_("The controlled document that describes how the process is run."),
    )
    performance_criteria = models.TextField(
        _("performance criteria"),
        blank=True,
        help_text=_(
            "How you tell it runs as planned, e.g. 95 % of priority-1 incidents answered in 15 minutes."
        ),
    )
    records_kept = models.CharField(
        _("records showing it ran"),
        max_length=250,
        blank=True,
        help_text=_("e.g. incident records and the monthly SLA report"),
    )
    plan_version = models.CharField(
        _("follows SMS plan version"),
        max_length=20,
        blank=True,
        help_text=_(
            "The version of the service management plan this process's own planning was checked against."
        ),
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("review every (months)"), default=12, validators=[MinValueValidator(1), MaxValueValidator(36)]
    )
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    next_review = models.DateField(_("next review"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["process"]
        verbose_name = _("process definition")
        verbose_name_plural = _("process register")

    def __str__(self) -> str:
        return str(self.get_process_display())
