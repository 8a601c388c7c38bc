"""The service management plan (2011 4.5.2; 2018 6.3, 6.4) with one section per content item, and the
communication plan (2018 7.4; 2011 4.1.3 b)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel

# The content items a service management plan holds or points to: our key -> label. The leaves they
# evidence are in checks.py.
PLAN_ITEMS = [
    ("services", _("services in the plan")),
    ("objectives", _("service management objectives")),
    ("requirements", _("service requirements")),
    ("limitations", _("known limitations")),
    ("obligations", _("legal, regulatory and contractual obligations")),
    ("policies_standards", _("policies and standards that apply")),
    ("authorities", _("authorities and responsibilities")),
    ("resources", _("resources needed")),
    ("other_parties", _("working with other parties")),
    ("interfaces", _("interfaces between processes")),
    ("risk_approach", _("approach to risks and risk acceptance")),
    ("technology", _("technology supporting the SMS")),
    ("measurement", _("how effectiveness is measured, audited, reported and improved")),
]


class SmsPlan(BaseModel):
    """The one service management plan, reviewed at planned intervals."""

    key = models.CharField(max_length=8, default="sms", editable=False)
    title = models.CharField(_("title"), max_length=200)
    version = models.CharField(_("version"), max_length=20, default="1")
    owner = models.ForeignKey(
        "parties.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    review_interval_months = models.PositiveSmallIntegerField(_("review every (months)"), default=12)
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    next_review = models.DateField(_("next review"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("service management plan")
        constraints = [models.UniqueConstraint(fields=["key"], name="smsplan_singleton")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def review_overdue(self) -> bool:
        return self.next_review is None or self.next_review < timezone.localdate()

    def clean(self) -> None:
        if self.review_interval_months is not None and not 1 <= self.review_interval_months <= 36:
            raise ValidationError({"review_interval_months": _("Between 1 and 36 months.")})


class PlanSection(BaseModel):
    """One content item of the plan: its text (or where it lives), owner, and how complete it is."""

    class Status(models.TextChoices):
        MISSING = "missing", _("missing")
        DRAFT = "draft", _("draft")
        COMPLETE = "complete", _("complete")

    plan = models.ForeignKey(
        SmsPlan, on_delete=models.CASCADE, related_name="sections", verbose_name=_("plan")
    )
    item = models.CharField(_("content item"), max_length=20, choices=PLAN_ITEMS)
    owner = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    text = models.TextField(_("content or where it is kept"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.MISSING)
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "id"]
        verbose_name = _("plan section")
        constraints = [models.UniqueConstraint(fields=["plan", "item"], name="plansection_unique_item")]

    def __str__(self) -> str:
        return str(self.get_item_display())


class CommunicationEntry(BaseModel):
    """One line of the communication plan: what is communicated, when, with whom, by whom and how."""

    class Channel(models.TextChoices):
        MEETING = "meeting", _("meeting")
        EMAIL = "email", _("email")
        REPORT = "report", _("report")
        PORTAL = "portal", _("customer portal")
        INTRANET = "intranet", _("intranet")
        NEWSLETTER = "newsletter", _("newsletter")
        PHONE = "phone", _("phone")
        TRAINING = "training", _("training session")

    class Direction(models.TextChoices):
        INTERNAL = "internal", _("internal: our own people")
        EXTERNAL = "external", _("external: customers, suppliers, others")

    subject = models.CharField(_("what"), max_length=200)
    timing = models.CharField(
        _("when"), max_length=100, help_text=_("e.g. monthly, after each major incident")
    )
    audience = models.CharField(_("with whom"), max_length=200)
    direction = models.CharField(_("internal or external"), max_length=8, choices=Direction.choices)
    communicator = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who communicates"),
    )
    communicator_team = models.ForeignKey(
        "parties.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("or which team"),
    )
    channel = models.CharField(_("how"), max_length=10, choices=Channel.choices)
    parties = models.ManyToManyField(
        "sms.Stakeholder", blank=True, related_name="communications", verbose_name=_("interested parties")
    )
    last_done = models.DateField(_("last done"), null=True, blank=True, default=None)

    class Meta:
        ordering = ["direction", "subject"]
        verbose_name = _("communication plan entry")
        verbose_name_plural = _("communication plan")

    def __str__(self) -> str:
        return self.subject

    def clean(self) -> None:
        if not self.communicator_id and not self.communicator_team_id:
            raise ValidationError({"communicator": _("Name who communicates: a person or a team.")})
        if self.last_done and self.last_done > dt.date.today() + dt.timedelta(days=1):
            raise ValidationError({"last_done": _("This date is in the future.")})
