"""Writes of business relationship management: complaints (with escalation), surveys and responses."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import services as core_services
from servitium.core.approval import person_of
from servitium.core.errors import TransitionNotAllowed
from servitium.improvement import services as improvement_services
from servitium.improvement.models import ImprovementOpportunity, SourceKind
from servitium.parties.models import Organization, Person

from .lifecycle import COMPLAINT_WORKFLOW, SURVEY_WORKFLOW
from .models import (
    Communication,
    Complaint,
    CustomerRelationship,
    Survey,
    SurveyInvitation,
    SurveyResponse,
)

TEXT_FIELDS = ("findings", "actions_taken", "resolution")
PROVIDER_SIDE = (Organization.Kind.PROVIDER, Organization.Kind.INTERNAL)


def escalation_days() -> int:
    return int(getattr(settings, "COMPLAINT_ESCALATION_DAYS", 10))


@transaction.atomic
def complaint_create(
    *,
    actor: Any,
    data: dict[str, Any],
    m2m: dict[str, Any] | None = None,
    derived: dict[str, Any] | None = None,
) -> Complaint:
    """Record a complaint. `data` is what the actor said (the declared input rules apply to it). A customer
    user always complains for their own organization, as themselves."""
    values = dict(derived or {})
    if permissions.is_customer_user(actor):
        values["customer"] = actor.organization
        values["raised_by"] = person_of(actor)
    return core_services.record_create(model=Complaint, data=data, derived=values, actor=actor)


@transaction.atomic
def complaint_update(
    *, actor: Any, instance: Complaint, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> Complaint:
    if instance.status == Complaint.Status.CLOSED:
        raise TransitionNotAllowed(_("A closed complaint is kept as it was closed; reopen it first."))
    return core_services.record_update(instance=instance, data=data, actor=actor)


@transaction.atomic
def complaint_transition(
    *, actor: Any, instance: Complaint, transition: str, note: str = "", data: dict | None = None
) -> Complaint:
    """Move a complaint on; the findings, actions or resolution the step needs may come with it."""
    complaint = Complaint.objects.select_for_update().get(pk=instance.pk)
    extra = {k: str(v) for k, v in (data or {}).items() if k in TEXT_FIELDS and v is not None}
    for key, value in extra.items():
        setattr(complaint, key, value)
    step = COMPLAINT_WORKFLOW.check(complaint, complaint.status, transition)
    now = timezone.now()
    if step.name == "resolve":
        extra["resolved_at"] = now
    elif step.name == "close":
        extra["closed_at"] = now
    elif step.name == "reopen":
        extra["resolved_at"] = None
    complaint = core_services.record_transition(
        instance=complaint,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )
    if step.name == "resolve":
        _complaint_to_improvement(complaint)
    return complaint


def _complaint_to_improvement(complaint: Complaint) -> None:
    """Every resolved complaint goes to the improvement register, so that what customers complain about is
    looked at beyond the single case (once per complaint, however often it is reopened and resolved)."""
    priority = ImprovementOpportunity.Priority
    improvement_services.opportunity_raise(
        kind=SourceKind.COMPLAINT,
        source=complaint,
        source_reference=complaint.reference,
        description=_("Complaint %(ref)s from %(customer)s: %(title)s. Found: %(findings)s")
        % {
            "ref": complaint.reference,
            "customer": complaint.customer,
            "title": complaint.title,
            "findings": complaint.findings or "-",
        },
        priority=priority.HIGH if complaint.escalation_level else priority.MEDIUM,
        service=complaint.service,
        customer=complaint.customer,
        actor=None,
    )


@transaction.atomic
def complaint_escalate(
    *, actor: Any, instance: Complaint, reason: str, to: Person | None = None
) -> Complaint:
    """Escalate a complaint that normal channels have not resolved: one level up, to a named person."""
    complaint = Complaint.objects.select_for_update().get(pk=instance.pk)
    if not complaint.is_open:
        raise TransitionNotAllowed(_("Only open complaints are escalated."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the complaint is escalated.")})
    if to is not None and to.organization.kind not in PROVIDER_SIDE:
        raise ValidationError({"to": _("A complaint is escalated to one of the provider's own people.")})
    if to is None:
        relationship = (
            CustomerRelationship.objects.filter(customer=complaint.customer)
            .select_related("relationship_manager")
            .first()
        )
        to = relationship.relationship_manager if relationship else None
    # What the escalation writes is this service's to decide (the actor gave a reason and maybe a person).
    return core_services.record_update(
        instance=complaint,
        data={},
        derived={
            "escalation_level": complaint.escalation_level + 1,
            "escalated_at": timezone.now(),
            "escalated_to": to,
            "escalation_reason": reason,
        },
        actor=actor,
    )


def complaints_escalate_overdue(*, actor: Any = None, now: dt.datetime | None = None) -> int:
    """Escalate open complaints waiting one more escalation period since creation or the last escalation."""
    now = now or timezone.now()
    period = dt.timedelta(days=escalation_days())
    count = 0
    for complaint in Complaint.objects.exclude(
        status__in=[Complaint.Status.RESOLVED, Complaint.Status.CLOSED]
    ):
        since = complaint.escalated_at or complaint.created
        if now - since >= period:
            complaint_escalate(
                actor=actor,
                instance=complaint,
                reason=_("Open for more than %(days)d days without resolution.")
                % {"days": escalation_days()},
            )
            count += 1
    return count


@transaction.atomic
def survey_round_send(
    *, actor: Any, survey: Survey, sample_size: int, seed: int, label: str = ""
) -> list[SurveyInvitation]:
    """Pick a representative sample of customer contacts, stratified by customer organization.

    Each customer receiving the survey's services (all customers when it names none) gets a share of the
    sample proportional to its number of contacts, at least one; the choice within a customer is random
    but repeatable for the same seed.
    """
    if survey.status != Survey.Status.OPEN:
        raise TransitionNotAllowed(_("Open the survey before sending a round."))
    if sample_size < 1:
        raise ValidationError({"sample_size": _("The sample needs at least one person.")})
    label = label or timezone.localdate().isoformat()
    people = Person.objects.filter(active=True, organization__kind="customer", organization__active=True)
    service_ids = list(survey.services.values_list("pk", flat=True))
    if service_ids:
        people = people.filter(organization__services__in=service_ids).distinct()
    strata: dict[int, list[Person]] = defaultdict(list)
    for person in people.order_by("organization_id", "pk"):
        strata[person.organization_id].append(person)
    population = sum(len(v) for v in strata.values())
    if population == 0:
        raise ValidationError({"survey": _("No customer contacts receive the services of this survey.")})
    rng = random.Random(seed)
    invitations = []
    for org_id in sorted(strata):
        members = strata[org_id]
        share = max(1, round(sample_size * len(members) / population))
        for person in rng.sample(members, min(share, len(members))):
            if SurveyInvitation.objects.filter(survey=survey, person=person, round_label=label).exists():
                continue
            invitations.append(
                core_services.record_create(
                    model=SurveyInvitation,
                    data={},
                    derived={"survey": survey, "person": person, "customer_id": org_id, "round_label": label},
                    actor=actor,
                )
            )
    return invitations


@transaction.atomic
def survey_response_submit(
    *,
    actor: Any,
    data: dict[str, Any],
    m2m: dict[str, Any] | None = None,
    derived: dict[str, Any] | None = None,
) -> SurveyResponse:
    """Store a response; a score under the survey's threshold raises an improvement opportunity.

    A customer user answers for their own organization, as themselves, and only through their own
    invitation; an invitation names the organization and the respondent unless staff say otherwise."""
    survey = data.get("survey")
    if survey is None:
        raise ValidationError({"survey": _("Name the survey answered.")})
    if survey.status != Survey.Status.OPEN:
        raise TransitionNotAllowed(_("This survey is not open for responses."))
    values = dict(derived or {})
    customer_user = permissions.is_customer_user(actor)
    if customer_user:
        values["customer"] = actor.organization
        values["respondent"] = person_of(actor)
    invitation = data.get("invitation")
    if invitation is not None:
        if invitation.survey_id != survey.pk or invitation.responded:
            raise ValidationError(
                {"invitation": _("This invitation is for another survey or already answered.")}
            )
        if customer_user and invitation.person.user_id != actor.pk:
            raise ValidationError({"invitation": _("This invitation is addressed to someone else.")})
        values.setdefault("customer", data.get("customer") or invitation.customer)
        values.setdefault("respondent", data.get("respondent") or invitation.person)
    response = core_services.record_create(model=SurveyResponse, data=data, derived=values, actor=actor)
    if invitation is not None:
        core_services.record_update(instance=invitation, data={}, derived={"responded": True}, actor=actor)
    if response.score < survey.low_score_threshold:
        comment = "; ".join(str(v) for k, v in response.answers.items() if isinstance(v, str) and v.strip())
        # Raised by the system in consequence of the answer: a customer user has no access to it.
        improvement_services.opportunity_raise(
            kind=SourceKind.SURVEY,
            source=response,
            source_reference=str(survey)[:100],
            description=_("Low satisfaction (%(score)s of 5) from %(customer)s in '%(survey)s'. %(comment)s")
            % {
                "score": response.score,
                "customer": response.customer,
                "survey": survey,
                "comment": comment,
            },
            service=response.service,
            customer=response.customer,
            actor=None if customer_user else actor,
        )
    return response


@transaction.atomic
def survey_update(
    *, actor: Any, instance: Survey, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> Survey:
    """Change a survey; its questions are fixed once it is open (responses are scored against them)."""
    if (
        instance.status != Survey.Status.DRAFT
        and "questions" in data
        and data["questions"] != instance.questions
    ):
        raise ValidationError({"questions": _("The questions are fixed once the survey is open.")})
    return core_services.record_update(instance=instance, data=data, m2m=m2m, actor=actor)


@transaction.atomic
def survey_delete(*, actor: Any, instance: Survey) -> None:
    """Only a draft is deleted: a survey that was open is the evidence of satisfaction measured."""
    if instance.status != Survey.Status.DRAFT:
        raise ValidationError(_("A survey that was open is kept; close it instead."))
    core_services.record_delete(instance=instance, actor=actor)


@transaction.atomic
def survey_transition(
    *, actor: Any, instance: Survey, transition: str, note: str = "", data: dict | None = None
) -> Survey:
    """Open a draft survey for responses, or close an open one."""
    survey = Survey.objects.select_for_update().get(pk=instance.pk)
    step = SURVEY_WORKFLOW.check(survey, survey.status, transition)
    return core_services.record_transition(
        instance=survey, actor=actor, field="status", target=step.target, message=note or str(step.label)
    )


SURVEY_STEPS = {Survey.Status.OPEN: "open", Survey.Status.CLOSED: "close"}


def survey_set_status(*, actor: Any, survey: Survey, status: str) -> Survey:
    """`open` or `closed`: the transition that leads there (the API's open/ and close/ actions)."""
    if status not in SURVEY_STEPS:
        raise TransitionNotAllowed(_("A survey goes from draft to open to closed."))
    return survey_transition(actor=actor, instance=survey, transition=SURVEY_STEPS[status])


def _check_participants(customer: Organization | None, people: Any) -> None:
    """Those in a conversation with a customer are the provider's people or the customer's own."""
    if customer is None:
        return
    organizations = {p.organization_id for p in people} - {customer.pk}
    strangers = Organization.objects.filter(pk__in=organizations).exclude(kind__in=PROVIDER_SIDE)
    if strangers.exists():
        raise ValidationError(
            {"participants": _("Participants are the provider's people or the customer's own.")}
        )


@transaction.atomic
def communication_create(
    *, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> Communication:
    _check_participants(data.get("customer"), (m2m or {}).get("participants", ()))
    return core_services.record_create(model=Communication, data=data, m2m=m2m, actor=actor)


@transaction.atomic
def communication_update(
    *, actor: Any, instance: Communication, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> Communication:
    m2m = m2m or {}
    people = m2m["participants"] if "participants" in m2m else instance.participants.all()
    _check_participants(data.get("customer", instance.customer), people)
    return core_services.record_update(instance=instance, data=data, m2m=m2m, actor=actor)
