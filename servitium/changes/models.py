"""Change management (20000-1:2011 9.2 / 2018 8.5.1): the change management policy, standard change
templates, change advisory boards, requests for change with their assessment, approvals, planned
configuration updates, and blackout windows of the schedule of change.

All of these are the provider's own records: customer users see none of them (see `resources.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel

AREA = "changes"


class Category(models.TextChoices):
    STANDARD = "standard", _("standard (pre-approved)")
    NORMAL = "normal", _("normal")
    EMERGENCY = "emergency", _("emergency")
    MAJOR = "major", _("major (service design and transition)")


class ChangeType(models.TextChoices):
    CI_CHANGE = "ci_change", _("change to configuration items")
    SERVICE_CHANGE = "service_change", _("change to a service")
    SERVICE_REMOVAL = "service_removal", _("removal of a service")
    SERVICE_TRANSFER = "service_transfer", _("transfer of a service")


# Removing or transferring a service always has potentially major impact (2011 9.2, 2018 8.5.1.2).
ALWAYS_MAJOR_TYPES = frozenset({ChangeType.SERVICE_REMOVAL, ChangeType.SERVICE_TRANSFER})


class Authority(models.TextChoices):
    MANAGER = "manager", _("change manager")
    CAB = "cab", _("change advisory board")
    ECAB = "ecab", _("emergency change advisory board")


class ChangeAdvisoryBoard(BaseModel):
    """A group whose members decide on changes together; `quorum` approvals (and no rejection) approve."""

    class Kind(models.TextChoices):
        CAB = "cab", _("change advisory board")
        ECAB = "ecab", _("emergency change advisory board")

    name = models.CharField(_("name"), max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CAB)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        "parties.Person",
        blank=True,
        related_name="change_boards",
        verbose_name=_("members"),
        help_text=_("People who decide; each records decisions through the user account linked to them."),
    )
    quorum = models.PositiveSmallIntegerField(
        _("quorum"), default=2, help_text=_("Approvals needed, with no rejection, to approve a change.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("change advisory board")
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum__gte=1),
                name="cab_quorum_positive",
                violation_error_message=_("The quorum is at least one approval."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ChangePolicy(BaseModel):
    """The change management policy as data: what is under change control, how each category of change is
    approved, and the criteria that make a change one of potentially major impact. One policy is active."""

    name = models.CharField(_("name"), max_length=150)
    active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)
    controlled_ci_types = models.ManyToManyField(
        "cmdb.CIType",
        blank=True,
        related_name="change_policies",
        verbose_name=_("CI types under change control"),
    )
    normal_authority = models.CharField(
        _("normal changes approved by"), max_length=8, choices=Authority.choices, default=Authority.CAB
    )
    major_authority = models.CharField(
        _("major changes approved by"), max_length=8, choices=Authority.choices, default=Authority.CAB
    )
    emergency_authority = models.CharField(
        _("emergency changes approved by"), max_length=8, choices=Authority.choices, default=Authority.ECAB
    )
    cab = models.ForeignKey(
        ChangeAdvisoryBoard,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policies_as_cab",
        verbose_name=_("change advisory board"),
    )
    emergency_board = models.ForeignKey(
        ChangeAdvisoryBoard,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policies_as_ecab",
        verbose_name=_("emergency change advisory board"),
    )
    major_customer_threshold = models.PositiveSmallIntegerField(
        _("major when affecting customers"),
        default=3,
        help_text=_("A change affecting this many customers or more has potentially major impact (0: off)."),
    )
    major_on_high_risk = models.BooleanField(
        _("high-risk changes are major"), default=False, help_text=_("Treat every high-risk change as major.")
    )
    review_within_days = models.PositiveSmallIntegerField(
        _("post-implementation review within (days)"), default=10
    )
    emergency_procedure = models.TextField(
        _("emergency change procedure"),
        blank=True,
        help_text=_("How emergency changes are raised, authorised and reviewed afterwards."),
    )

    class Meta:
        ordering = ["-active", "name", "id"]
        verbose_name = _("change management policy")
        verbose_name_plural = _("change management policies")
        constraints = [
            models.UniqueConstraint(
                fields=["active"],
                condition=Q(active=True),
                name="changepolicy_one_active",
                violation_error_message=_("Only one change management policy can be active."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        boards = {
            Authority.CAB: ("cab", self.cab_id),
            Authority.ECAB: ("emergency_board", self.emergency_board_id),
        }
        for field in ("normal_authority", "major_authority", "emergency_authority"):
            needed = boards.get(getattr(self, field))
            if needed and needed[1] is None:
                errors.setdefault(needed[0], []).append(
                    _("Needed because %(field)s names this board.") % {"field": field.replace("_", " ")}
                )
        if errors:
            raise ValidationError(errors)

    def authority_for(self, category: str) -> str | None:
        """Who approves a change of this category (None: standard changes are pre-approved)."""
        return {
            Category.NORMAL: self.normal_authority,
            Category.MAJOR: self.major_authority,
            Category.EMERGENCY: self.emergency_authority,
        }.get(category)


class StandardChangeTemplate(BaseModel):
    """A pre-approved, low-risk change done the same way each time; its changes need no approval."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    implementation_steps = models.TextField(_("implementation steps"))
    allowed_ci_types = models.ManyToManyField(
        "cmdb.CIType",
        blank=True,
        related_name="standard_change_templates",
        verbose_name=_("allowed CI types"),
        help_text=_("The template only covers CIs of these types (none: any type)."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("standard change template")

    def __str__(self) -> str:
        return self.name


class Change(BaseModel):
    """A request for change, from its recording and classification through assessment, approval,
    implementation and post-implementation review."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        IMPLEMENTING = "implementing", _("implementing")
        COMPLETED = "completed", _("completed")
        FAILED = "failed", _("failed")
        BACKED_OUT = "backed_out", _("backed out")
        REVIEWED = "reviewed", _("reviewed")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    # The states of a change that was authorised (whatever happened afterwards).
    AUTHORISED = (
        Status.APPROVED,
        Status.IMPLEMENTING,
        Status.COMPLETED,
        Status.FAILED,
        Status.BACKED_OUT,
        Status.REVIEWED,
        Status.CLOSED,
    )

    class Outcome(models.TextChoices):
        SUCCESSFUL = "successful", _("successful")
        FAILED = "failed", _("failed")
        BACKED_OUT = "backed_out", _("backed out")

    class Risk(models.TextChoices):
        LOW = "low", _("low")
        MEDIUM = "medium", _("medium")
        HIGH = "high", _("high")

    class Priority(models.IntegerChoices):
        CRITICAL = 1, _("1 - critical")
        HIGH = 2, _("2 - high")
        MEDIUM = 3, _("3 - medium")
        LOW = 4, _("4 - low")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("category"), max_length=10, choices=Category.choices, default=Category.NORMAL
    )
    change_type = models.CharField(
        _("type of change"), max_length=16, choices=ChangeType.choices, default=ChangeType.CI_CHANGE
    )
    classification = models.CharField(
        _("classification"), max_length=100, blank=True, help_text=_("e.g. infrastructure, application.")
    )
    justification = models.TextField(
        _("justification"), blank=True, help_text=_("The business need the change serves.")
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        choices=Priority.choices,
        null=True,
        blank=True,
        help_text=_("Its rank among requests for change, by business need, objectives and resources."),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    template = models.ForeignKey(
        StandardChangeTemplate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes",
        verbose_name=_("standard change template"),
    )
    requester = models.ForeignKey(
        "parties.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="requested_changes"
    )
    owner = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_changes",
        verbose_name=_("change owner"),
    )
    implementer = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="implemented_changes",
        verbose_name=_("implementer"),
    )
    problem = models.ForeignKey(
        "problems.Problem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="changes",
        verbose_name=_("raised from problem"),
    )
    affected_cis = models.ManyToManyField(
        "cmdb.ConfigurationItem", blank=True, related_name="changes", verbose_name=_("affected CIs")
    )
    affected_services = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="changes", verbose_name=_("affected services")
    )
    # assessment
    risk_level = models.CharField(_("risk"), max_length=8, choices=Risk.choices, blank=True)
    risk_assessment = models.TextField(_("risk assessment"), blank=True)
    impact_assessment = models.TextField(_("impact on services and customers"), blank=True)
    business_benefit = models.TextField(_("business benefit"), blank=True)
    technical_feasibility = models.TextField(_("technical feasibility"), blank=True)
    cost = models.TextField(_("cost and financial impact"), blank=True)
    continuity_availability_impact = models.TextField(
        _("impact on continuity and availability plans"), blank=True
    )
    security_impact = models.TextField(_("information security impact"), blank=True)
    capacity_impact = models.TextField(_("capacity impact"), blank=True)
    # plans
    implementation_plan = models.TextField(_("implementation plan"), blank=True)
    remediation_plan = models.TextField(_("remediation (backout) plan"), blank=True)
    test_plan = models.TextField(_("test plan"), blank=True)
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    # decisions and implementation
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    blackout_override_reason = models.TextField(_("reason for working in a blackout window"), blank=True)
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    failure_reason = models.TextField(_("why it failed or was backed out"), blank=True)
    retrospective_review_required = models.BooleanField(
        _("retrospective review required"),
        default=False,
        help_text=_(
            "An emergency change implemented before its board decided; set until the board records it."
        ),
    )
    retrospective_decision = models.CharField(
        _("retrospective decision"),
        max_length=8,
        blank=True,
        help_text=_("The emergency board's decision recorded after implementation (approve or reject)."),
    )
    routed_to_design = models.BooleanField(_("routed to service design and transition"), default=False)
    design_reference = models.CharField(
        _("design and transition reference"),
        max_length=64,
        blank=True,
        help_text=_("The service design and transition record that takes this major change forward."),
    )
    # investigation of an unsuccessful change, and the post-implementation review
    investigation_cause = models.TextField(_("investigation: cause"), blank=True)
    investigation_actions = models.TextField(_("investigation: actions"), blank=True)
    objectives_met = models.BooleanField(_("objectives met"), null=True, blank=True)
    unexpected_effects = models.TextField(_("unexpected effects"), blank=True)
    review_notes = models.TextField(_("review notes"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    reference_prefix = "CHG"

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("change")
        indexes = [
            models.Index(fields=["status", "-created"], name="change_status_idx"),
            models.Index(fields=["category", "status"], name="change_category_idx"),
            models.Index(fields=["planned_start", "planned_end"], name="change_window_idx"),
            models.Index(fields=["actual_end"], name="change_actual_end_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_end__gt=models.F("planned_start")),
                name="change_window_ordered",
                violation_error_message=_("The planned end must be after the planned start."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.change_type in ALWAYS_MAJOR_TYPES and self.category != Category.MAJOR:
            errors["category"] = [
                _(
                    "A %(type)s always counts as a major change: raise it as major, so it goes through "
                    "service design and transition."
                )
                % {"type": self.get_change_type_display()}
            ]
        if self.category == Category.STANDARD and self.template_id is None:
            errors["template"] = [_("A standard change is raised from a standard change template.")]
        if self.planned_start and self.planned_end and self.planned_end <= self.planned_start:
            errors["planned_end"] = [_("The planned end must be after the planned start.")]
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            errors["actual_end"] = [_("The actual end cannot be before the actual start.")]
        if errors:
            raise ValidationError(errors)


class ChangeApproval(BaseModel):
    """One approver's decision on a change (before implementation, or afterwards for an emergency change)."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("approve")
        REJECT = "reject", _("reject")
        ABSTAIN = "abstain", _("abstain")

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="change_approvals"
    )
    board = models.ForeignKey(
        ChangeAdvisoryBoard, null=True, blank=True, on_delete=models.PROTECT, related_name="approvals"
    )
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    decided_at = models.DateTimeField(_("decided at"))
    retrospective = models.BooleanField(
        _("retrospective"), default=False, help_text=_("Decided after an emergency change was implemented.")
    )

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name = _("change approval")
        constraints = [
            models.UniqueConstraint(
                fields=["change", "approver"],
                name="changeapproval_once",
                violation_error_message=_("This approver has already decided on this change."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.change.reference}: {self.get_decision_display()} by {self.approver}"


class ChangeConfigurationUpdate(BaseModel):
    """A planned update of a configuration record, applied when the change completes successfully."""

    class Field(models.TextChoices):
        VERSION = "version", _("version")
        STATUS = "status", _("status")
        ATTRIBUTE = "attribute", _("attribute")

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="configuration_updates")
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        on_delete=models.CASCADE,
        related_name="planned_updates",
        verbose_name=_("CI"),
    )
    field = models.CharField(_("what changes"), max_length=10, choices=Field.choices, default=Field.VERSION)
    attribute = models.CharField(
        _("attribute"), max_length=100, blank=True, help_text=_("For attribute updates: its name.")
    )
    new_value = models.JSONField(_("new value"))
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        ordering = ["change", "id"]
        verbose_name = _("configuration update")
        indexes = [models.Index(fields=["ci", "applied_at"], name="changecfg_ci_idx")]

    def __str__(self) -> str:
        what = self.attribute if self.field == self.Field.ATTRIBUTE else self.field
        return f"{self.ci_id}: {what} -> {self.new_value}"

    def clean(self) -> None:
        if self.field == self.Field.ATTRIBUTE and not self.attribute.strip():
            raise ValidationError({"attribute": [_("Name the attribute to update.")]})
        if self.field != self.Field.ATTRIBUTE and self.attribute:
            raise ValidationError({"attribute": [_("Only attribute updates name an attribute.")]})
        if self.field in (self.Field.VERSION, self.Field.STATUS) and not isinstance(self.new_value, str):
            raise ValidationError({"new_value": [_("A version or status is given as text.")]})


class BlackoutWindow(BaseModel):
    """A period in which changes should not be made (for some services or customers, or for all)."""

    name = models.CharField(_("name"), max_length=150)
    reason = models.TextField(_("reason"), blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    services = models.ManyToManyField(
        "catalog.Service",
        blank=True,
        related_name="blackout_windows",
        help_text=_("Only changes affecting these services (none: every change)."),
    )
    customers = models.ManyToManyField(
        "parties.Organization",
        blank=True,
        related_name="blackout_windows",
        help_text=_("Only changes affecting these customers (none: every change)."),
    )

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("blackout window")
        indexes = [models.Index(fields=["start", "end"], name="blackout_window_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="blackout_window_ordered",
                violation_error_message=_("The end must be after the start."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": [_("The end must be after the start.")]})
