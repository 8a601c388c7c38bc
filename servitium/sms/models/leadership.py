"""Leadership (2018 5.1, 5.3; 2011 4.1.1, 4.1.3, 4.1.4): commitments top management gives, who is
responsible, accountable, consulted and informed per process, and the management representative."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel

# The processes a RACI is kept for: the service management processes (2018 clause 8) and the processes of
# the management system itself. A fixed list, so that a gap (a process nobody is accountable for) shows.
SERVICE_PROCESSES = [
    ("service_portfolio", _("service portfolio and planning")),
    ("service_catalogue", _("service catalogue management")),
    ("asset", _("asset management")),
    ("configuration", _("configuration management")),
    ("business_relationship", _("business relationship management")),
    ("service_level", _("service level management")),
    ("supplier", _("supplier management")),
    ("budgeting_accounting", _("budgeting and accounting")),
    ("demand", _("demand management")),
    ("capacity", _("capacity management")),
    ("change", _("change management")),
    ("design_transition", _("service design and transition")),
    ("release_deployment", _("release and deployment management")),
    ("incident", _("incident management")),
    ("service_request", _("service request management")),
    ("problem", _("problem management")),
    ("availability", _("service availability management")),
    ("continuity", _("service continuity management")),
    ("information_security", _("information security management")),
    ("service_reporting", _("service reporting")),
]
MANAGEMENT_PROCESSES = [
    ("context_scope", _("context and scope of the SMS")),
    ("leadership_policy", _("leadership and policy")),
    ("risk", _("risks and opportunities")),
    ("objectives_planning", _("objectives and SMS planning")),
    ("documented_information", _("documented information")),
    ("competence_awareness", _("resources, competence and awareness")),
    ("communication", _("communication")),
    ("monitoring", _("monitoring and measurement")),
    ("internal_audit", _("internal audit")),
    ("management_review", _("management review")),
    ("improvement", _("nonconformity and improvement")),
]
PROCESSES = SERVICE_PROCESSES + MANAGEMENT_PROCESSES


class Commitment(BaseModel):
    """Evidence that top management backs the SMS: who did what, when, and where it shows."""

    class Area(models.TextChoices):
        POLICY_OBJECTIVES = "policy_objectives", _("policy and objectives set")
        PLAN = "plan", _("service management plan in place")
        DECISIONS = "decisions", _("decisions taken at the right level")
        VALUE = "value", _("value for us and our customers defined")
        OTHER_PARTIES = "other_parties", _("other parties kept under control")
        INTEGRATION = "integration", _("SMS built into business processes")
        RESOURCES = "resources", _("resources made available")
        COMMUNICATION = "communication", _("importance of service management communicated")
        OUTCOMES = "outcomes", _("intended outcomes achieved")
        PEOPLE = "people", _("people directed and supported")
        IMPROVEMENT = "improvement", _("continual improvement promoted")
        MANAGERS = "managers", _("other managers supported in leading")
        REQUIREMENTS = "requirements", _("importance of service and legal requirements communicated")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    area = models.CharField(_("what it shows"), max_length=20, choices=Area.choices)
    made_by = models.ForeignKey(
        "parties.Person",
        on_delete=models.PROTECT,
        related_name="sms_commitments",
        verbose_name=_("made by (top management)"),
    )
    description = models.TextField(_("what was done"))
    made_on = models.DateField(_("when"), default=dt.date.today)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_link = models.URLField(_("link to the evidence"), blank=True)

    reference_prefix = "CMT"

    class Meta:
        ordering = ["-made_on", "-id"]
        verbose_name = _("top management commitment")

    def __str__(self) -> str:
        return f"{self.reference} {self.get_area_display()}"


class ProcessRole(BaseModel):
    """One cell of the RACI: for an activity of a process, a person or team is responsible, accountable,
    consulted or informed. Each activity has exactly one accountable."""

    class Raci(models.TextChoices):
        RESPONSIBLE = "R", _("responsible")
        ACCOUNTABLE = "A", _("accountable")
        CONSULTED = "C", _("consulted")
        INFORMED = "I", _("informed")

    process = models.CharField(_("process"), max_length=24, choices=PROCESSES)
    activity = models.CharField(_("activity"), max_length=150, default="(whole process)")
    raci = models.CharField(_("role"), max_length=1, choices=Raci.choices)
    person = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="process_roles",
        verbose_name=_("person"),
    )
    team = models.ForeignKey(
        "parties.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="process_roles",
        verbose_name=_("team"),
    )
    authority = models.CharField(_("authority (what they may decide)"), max_length=300, blank=True)

    class Meta:
        ordering = ["process", "activity", "raci", "id"]
        verbose_name = _("process role")
        indexes = [models.Index(fields=["process", "activity"], name="processrole_activity_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "activity"],
                condition=Q(raci="A"),
                name="processrole_one_accountable",
                violation_error_message=_("This activity already has an accountable person or team."),
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False, team__isnull=True)
                | Q(person__isnull=True, team__isnull=False),
                name="processrole_person_or_team",
                violation_error_message=_("Give either a person or a team."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_process_display()} / {self.activity}: {self.raci} {self.holder}"

    @property
    def holder(self):
        return self.person or self.team

    def clean(self) -> None:
        if self.raci == self.Raci.ACCOUNTABLE and self.team_id:
            raise ValidationError({"team": _("One person is accountable, not a team.")})


class SmsSettings(BaseModel):
    """The SMS's standing appointments: the management representative, who answers for the SMS's
    conformity and reports on it to top management. One record."""

    key = models.CharField(max_length=8, default="sms", editable=False)
    management_representative = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("management representative"),
    )
    appointed_by = models.ForeignKey(
        "parties.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("appointed by (top management)"),
    )
    appointed_on = models.DateField(_("appointed on"), null=True, blank=True)
    duties = models.TextField(
        _("authority and duties"),
        blank=True,
        help_text=_("e.g. keeps the SMS conforming, reports its performance to top management"),
    )
    reports_to_top_management = models.CharField(
        _("how they report to top management"), max_length=300, blank=True
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("SMS appointments")
        verbose_name_plural = _("SMS appointments")
        constraints = [models.UniqueConstraint(fields=["key"], name="smssettings_singleton")]

    def __str__(self) -> str:
        return str(_("SMS appointments"))

    def clean(self) -> None:
        if self.management_representative_id and self.management_representative.organization.kind not in (
            "provider",
            "internal",
        ):
            raise ValidationError(
                {"management_representative": _("The representative is one of the provider's own managers.")}
            )
