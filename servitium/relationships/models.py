"""Business relationship management (20000-1:2011 7.1 / 2018 8.3.2): relationship managers, interested
parties, communications, complaints and customer satisfaction."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servitium.core.models import BaseModel


def _is_customer(org) -> bool:
    return org is not None and org.kind == "customer"


class CustomerRelationship(BaseModel):
    """The provider's relationship with one customer and the person who manages it."""

    customer = models.OneToOneField(
        "parties.Organization", on_delete=models.PROTECT, related_name="relationship"
    )
    relationship_manager = models.ForeignKey(
        "parties.Person",
        on_delete=models.PROTECT,
        related_name="managed_relationships",
        verbose_name=_("relationship manager"),
    )
    business_context = models.TextField(_("business context and needs"), blank=True)
    next_review_due = models.DateField(_("next relationship review"), null=True, blank=True)

    class Meta:
        ordering = ["customer__name"]
        verbose_name = _("customer relationship")

    def __str__(self) -> str:
        return str(self.customer)

    def clean(self) -> None:
        errors = {}
        if self.customer_id and not _is_customer(self.customer):
            errors["customer"] = [_("Relationships are kept with customer organizations.")]
        if self.relationship_manager_id and self.relationship_manager.organization.kind not in (
            "provider",
            "internal",
        ):
            errors["relationship_manager"] = [
                _("The relationship manager is one of the provider's own people.")
            ]
        if errors:
            raise ValidationError(errors)


class InterestedParty(BaseModel):
    """A customer contact, service user or other interested party, and what they care about."""

    class Kind(models.TextChoices):
        CUSTOMER_CONTACT = "contact", _("customer contact")
        USER = "user", _("service user")
        INTERESTED_PARTY = "interested", _("other interested party")

    customer = models.ForeignKey(
        "parties.Organization", on_delete=models.CASCADE, related_name="interested_parties"
    )
    person = models.ForeignKey(
        "parties.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.CUSTOMER_CONTACT)
    interest = models.TextField(_("needs and expectations"), blank=True)

    class Meta:
        ordering = ["customer__name", "name"]
        verbose_name = _("interested party")
        verbose_name_plural = _("interested parties")

    def __str__(self) -> str:
        return f"{self.name} ({self.customer})"

    def clean(self) -> None:
        if self.person_id and self.customer_id and self.person.organization_id != self.customer_id:
            raise ValidationError({"person": _("The person belongs to another organization.")})


class Communication(BaseModel):
    """One entry of the communication log with a customer."""

    class Channel(models.TextChoices):
        MEETING = "meeting", _("meeting")
        CALL = "call", _("call")
        EMAIL = "email", _("email")
        PORTAL = "portal", _("portal")
        LETTER = "letter", _("letter")

    customer = models.ForeignKey(
        "parties.Organization", on_delete=models.PROTECT, related_name="communications"
    )
    occurred_on = models.DateField(_("date"), default=timezone.localdate)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    summary = models.TextField(_("summary"))
    participants = models.ManyToManyField("parties.Person", blank=True, related_name="communications")
    follow_up = models.TextField(_("follow-up"), blank=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("communication")

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.customer} ({self.get_channel_display()})"


class ComplaintDefinition(BaseModel):
    """What counts as a service complaint, as agreed with one customer."""

    customer = models.OneToOneField(
        "parties.Organization", on_delete=models.PROTECT, related_name="complaint_definition"
    )
    definition = models.TextField(_("definition"))
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    agreed_with = models.ForeignKey(
        "parties.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["customer__name"]
        verbose_name = _("complaint definition")

    def __str__(self) -> str:
        return f"{self.customer}"

    def clean(self) -> None:
        if self.agreed_with_id and self.customer_id and self.agreed_with.organization_id != self.customer_id:
            raise ValidationError(
                {"agreed_with": _("The definition is agreed with one of the customer's people.")}
            )


class Complaint(BaseModel):
    """A service complaint: recorded, investigated, acted upon, reported, closed — escalated when stuck."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        INVESTIGATING = "investigating", _("investigating")
        ACTION_TAKEN = "action_taken", _("action taken")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed")

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    customer = models.ForeignKey("parties.Organization", on_delete=models.PROTECT, related_name="complaints")
    raised_by = models.ForeignKey(
        "parties.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    service = models.ForeignKey(
        "catalog.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    received_via = models.CharField(
        _("received via"), max_length=10, choices=Communication.Channel.choices, default="portal"
    )
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.NEW, db_index=True
    )
    findings = models.TextField(_("investigation findings"), blank=True)
    actions_taken = models.TextField(_("actions taken"), blank=True)
    resolution = models.TextField(_("resolution reported to the customer"), blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        "parties.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalation_reason = models.TextField(_("escalation reason"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    reference_prefix = "CMP"

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("complaint")
        indexes = [models.Index(fields=["status", "created"], name="complaint_status_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def clean(self) -> None:
        if self.customer_id and not _is_customer(self.customer):
            raise ValidationError({"customer": _("Complaints come from customer organizations.")})
        if self.raised_by_id and self.customer_id and self.raised_by.organization_id != self.customer_id:
            raise ValidationError({"raised_by": _("The person raising it belongs to another organization.")})

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.RESOLVED, self.Status.CLOSED)


def validate_questions(value) -> list[str]:
    problems: list[str] = []
    if not isinstance(value, list) or not value:
        return [str(_("A survey needs a list of questions."))]
    ids = set()
    for q in value:
        if not isinstance(q, dict) or not str(q.get("id", "")).strip() or not str(q.get("text", "")).strip():
            problems.append(str(_("Each question needs an id and a text.")))
            continue
        if q["id"] in ids:
            problems.append(str(_("Question id %(id)s is used twice.") % {"id": q["id"]}))
        ids.add(q["id"])
        if q.get("type", "scale") not in ("scale", "text"):
            problems.append(str(_("Question %(id)s: type is 'scale' (1-5) or 'text'.") % {"id": q["id"]}))
    if not any(q.get("type", "scale") == "scale" for q in value if isinstance(q, dict)):
        problems.append(str(_("At least one question must be on the 1-5 scale, to compute a score.")))
    return problems


class Survey(BaseModel):
    """A customer satisfaction survey: after ticket resolution, or periodic to a representative sample."""

    class Kind(models.TextChoices):
        TRANSACTIONAL = "transactional", _("after ticket resolution")
        PERIODIC = "periodic", _("periodic")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, default=Kind.PERIODIC)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    questions = models.JSONField(
        _("questions"),
        default=list,
        help_text=_('[{"id": "overall", "text": "How satisfied are you overall?", "type": "scale"}]'),
    )
    services = models.ManyToManyField("catalog.Service", blank=True, related_name="surveys")
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    low_score_threshold = models.DecimalField(
        _("low score below"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("3.00"),
        help_text=_("A response scoring below this raises an improvement opportunity."),
    )

    class Meta:
        ordering = ["-created"]
        verbose_name = _("satisfaction survey")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        problems = validate_questions(self.questions)
        if problems:
            raise ValidationError({"questions": problems})

    @property
    def scale_ids(self) -> list[str]:
        return [q["id"] for q in self.questions if q.get("type", "scale") == "scale"]


class SurveyInvitation(BaseModel):
    """A person picked for a survey round (the sample), and whether they answered."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey("parties.Person", on_delete=models.CASCADE, related_name="survey_invitations")
    customer = models.ForeignKey("parties.Organization", on_delete=models.CASCADE, related_name="+")
    round_label = models.CharField(_("round"), max_length=50)
    responded = models.BooleanField(_("responded"), default=False)

    class Meta:
        ordering = ["survey", "customer", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "person", "round_label"], name="invitation_unique_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.person}"


class SurveyResponse(BaseModel):
    """One respondent's answers; the score is the mean of the 1-5 answers."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    invitation = models.OneToOneField(
        SurveyInvitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    respondent = models.ForeignKey(
        "parties.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer = models.ForeignKey(
        "parties.Organization", on_delete=models.PROTECT, related_name="survey_responses"
    )
    service = models.ForeignKey(
        "catalog.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(_("answers"), default=dict)
    score = models.DecimalField(_("score"), max_digits=3, decimal_places=2, editable=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("survey response")

    def __str__(self) -> str:
        return f"{self.survey}: {self.customer} {self.score}"

    def clean(self) -> None:
        errors = {}
        if self.customer_id and self.respondent_id and self.respondent.organization_id != self.customer_id:
            errors["respondent"] = [_("The respondent belongs to another organization.")]
        if self.invitation_id and self.customer_id and self.invitation.customer_id != self.customer_id:
            errors["invitation"] = [_("The invitation went to another organization.")]
        if self.invitation_id and self.survey_id and self.invitation.survey_id != self.survey_id:
            errors["invitation"] = [_("The invitation is for another survey.")]
        if errors:
            raise ValidationError(errors)
        if not self.survey_id:
            return
        answers = self.answers if isinstance(self.answers, dict) else None
        if answers is None:
            raise ValidationError({"answers": _("Answers map question ids to values.")})
        known = {q["id"]: q.get("type", "scale") for q in self.survey.questions}
        problems = [str(_("Unknown question %(id)s.") % {"id": k}) for k in answers if k not in known]
        scores = []
        for qid, kind in known.items():
            value = answers.get(qid)
            if kind == "scale":
                if value is None:
                    problems.append(str(_("Question %(id)s needs an answer from 1 to 5.") % {"id": qid}))
                elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
                    problems.append(
                        str(_("Question %(id)s is answered with a whole number from 1 to 5.") % {"id": qid})
                    )
                else:
                    scores.append(value)
            elif value is not None and not isinstance(value, str):
                problems.append(str(_("Question %(id)s takes text.") % {"id": qid}))
        if problems:
            raise ValidationError({"answers": problems})
        self.score = (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01"))
