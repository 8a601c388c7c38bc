"""Management review (20000-1:2011 4.5.4.3 / 2018 9.3): top management's review of the SMS at planned
intervals, the pack of inputs it considered, its decisions and the actions it gave people.

Who may see and write them is declared in resources.py; the pack itself is assembled in pack.py from the
inputs registered in core.reviewinputs.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel


class ManagementReview(BaseModel):
    """One management review: the period it looks back on, who sits in it, the pack, the minutes and the
    decisions taken."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        PACK_PREPARED = "pack_prepared", _("pack prepared")
        HELD = "held", _("held")
        MINUTES_APPROVED = "minutes_approved", _("minutes approved")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    # States in which the review has taken place.
    TOOK_PLACE = (Status.HELD, Status.MINUTES_APPROVED, Status.CLOSED)

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period start"), help_text=_("First day the review looks back on."))
    period_end = models.DateField(_("period end"), help_text=_("Last day the review looks back on."))
    planned_date = models.DateField(_("planned date"), db_index=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    chair = models.ForeignKey(
        "parties.Person",
        on_delete=models.PROTECT,
        related_name="chaired_management_reviews",
        verbose_name=_("chair"),
        help_text=_("The member of top management who chairs the review and approves its minutes."),
    )
    attendees = models.ManyToManyField(
        "parties.Person", blank=True, related_name="management_reviews", verbose_name=_("attendees")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    objectives = models.TextField(
        _("objectives"), blank=True, help_text=_("What this review is to conclude or decide.")
    )
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(
        _("decisions"),
        blank=True,
        help_text=_(
            "What the review decided on improvements, changes to the SMS and services, and resources."
        ),
    )
    pack_prepared_at = models.DateTimeField(_("pack prepared at"), null=True, blank=True)
    # What stood behind each topic when the pack was last prepared or frozen: {topic: "figures" | "empty" |
    # "none"} (see pack.Pack.topics).
    pack_topics = models.JSONField(_("topics in the pack"), default=dict, blank=True)
    pack_sha256 = models.CharField(
        _("frozen pack SHA-256"),
        max_length=64,
        blank=True,
        help_text=_("Digest of the PDF stored when the review was held: the evidence cannot drift."),
    )
    minutes_approved_at = models.DateTimeField(_("minutes approved at"), null=True, blank=True)

    reference_prefix = "MR"

    class Meta:
        ordering = ["-planned_date", "-id"]
        verbose_name = _("management review")
        indexes = [models.Index(fields=["status", "-planned_date"], name="mreview_status_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="mreview_period_ordered",
                violation_error_message=_("The period must end on or after its start."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = [_("The period must end on or after its start.")]
        if self.chair_id and self.chair.organization.kind != "provider":
            errors["chair"] = [_("The chair must be one of the provider's people (top management).")]
        if errors:
            raise ValidationError(errors)

    @property
    def missing_topics(self) -> list[str]:
        return [topic for topic, state in (self.pack_topics or {}).items() if state != "figures"]


class ReviewAction(BaseModel):
    """An action a management review gave someone, followed up in the next reviews."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    review = models.ForeignKey(
        ManagementReview,
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name=_("management review"),
    )
    description = models.TextField(_("description"))
    owner = models.ForeignKey(
        "parties.Person", on_delete=models.PROTECT, related_name="review_actions", verbose_name=_("owner")
    )
    due_date = models.DateField(_("due date"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    completion_note = models.TextField(_("completion note"), blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    reference_prefix = "MRA"

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("review action")
        indexes = [models.Index(fields=["status", "due_date"], name="raction_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.description[:60]}"

    def clean(self) -> None:
        if self.owner_id and self.owner.organization.kind != "provider":
            raise ValidationError({"owner": [_("An action is owned by one of the provider's people.")]})

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_date < timezone.localdate()

    def days_overdue(self, today: dt.date | None = None) -> int:
        today = today or timezone.localdate()
        return max(0, (today - self.due_date).days) if self.status == self.Status.OPEN else 0
