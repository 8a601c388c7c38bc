"""Problem management (20000-1:2011 8.2 / 2018 8.6.3): problems, their root causes and workarounds, and the
known errors that incident handling searches.

Who may see and write them is declared in resources.py.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel
from servitium.core.vocabulary import Priority
from servitium.incidents.models import LEVELS


class Problem(BaseModel):
    """The unknown underlying cause of one or more incidents, from detection to removal."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        UNDER_INVESTIGATION = "under_investigation", _("under investigation")
        ROOT_CAUSE_KNOWN = "root_cause_known", _("root cause known")
        KNOWN_ERROR = "known_error", _("known error")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    class Origin(models.TextChoices):
        REACTIVE = "reactive", _("reactive (from incidents)")
        PROACTIVE = "proactive", _("proactive (trend analysis)")
        OTHER = "other", _("other")

    # Work on the problem has ended in these states (a reopen starts it again).
    ENDED = (Status.RESOLVED, Status.CLOSED, Status.CANCELLED)

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    service = models.ForeignKey(
        "catalog.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="problems"
    )
    category = models.CharField(_("category"), max_length=100, blank=True, db_index=True)
    affected_ci_name = models.CharField(
        _("affected configuration item"),
        max_length=200,
        blank=True,
        help_text=_("Name or identifier of the affected CI (linked to the CMDB record once it is there)."),
    )
    impact = models.PositiveSmallIntegerField(_("impact"), choices=LEVELS, default=3)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=LEVELS, default=3)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, editable=False, db_index=True
    )
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.REACTIVE)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    owner = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_problems",
        verbose_name=_("problem owner"),
    )
    assignment_group = models.ForeignKey(
        "parties.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="problems"
    )
    incidents = models.ManyToManyField(
        "incidents.Incident", blank=True, related_name="problems", verbose_name=_("incidents")
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    workaround = models.TextField(
        _("workaround"),
        blank=True,
        help_text=_("How to reduce or remove the impact until the cause is removed."),
    )
    resolution = models.TextField(_("resolution"), blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"),
        default=0,
        editable=False,
        help_text=_("Escalations to management so far: 1 the group's lead, 2 and more top management too."),
    )
    escalated_at = models.DateTimeField(_("last escalated at"), null=True, blank=True, editable=False)
    change_reference = models.CharField(
        _("request for change"),
        max_length=64,
        blank=True,
        help_text=_("The request for change raised to remove the root cause."),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    reference_prefix = "PRB"

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("problem")
        indexes = [
            models.Index(fields=["status", "priority", "-created"], name="problem_queue_idx"),
            models.Index(fields=["service", "category"], name="problem_service_cat_idx"),
            models.Index(fields=["affected_ci_name"], name="problem_ci_idx"),
            models.Index(fields=["resolved_at"], name="problem_resolved_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        errors = {}
        if self.owner_id and self.owner.organization.kind != "provider":
            errors["owner"] = [_("The problem owner must be one of the provider's people.")]
        if self.assignment_group_id and self.assignment_group.organization.kind != "provider":
            errors["assignment_group"] = [_("Problems are assigned to the provider's teams.")]
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status not in self.ENDED


class KnownError(BaseModel):
    """A problem whose root cause is known, with the workaround incident handling can apply meanwhile.

    Usually recorded from a problem; may also come from elsewhere, such as a supplier's advisory.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        RETIRED = "retired", _("retired")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    problem = models.ForeignKey(
        Problem, null=True, blank=True, on_delete=models.PROTECT, related_name="known_errors"
    )
    title = models.CharField(_("title"), max_length=250)
    symptoms = models.TextField(_("symptoms"), blank=True, help_text=_("What users and agents observe."))
    root_cause = models.TextField(_("root cause"))
    workaround = models.TextField(_("workaround"), blank=True)
    service = models.ForeignKey(
        "catalog.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="known_errors"
    )
    category = models.CharField(_("category"), max_length=100, blank=True, db_index=True)
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where the known error comes from when not from a problem, e.g. a supplier advisory."),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )

    reference_prefix = "KE"

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("known error")
        indexes = [models.Index(fields=["status", "-created"], name="knownerror_status_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"
