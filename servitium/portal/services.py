"""What a customer user does in the portal, each through the owning process's services: raising an
incident or a request, replying, attaching, deciding approvals, confirming a solution, complaining,
answering a survey; and what staff do here: publishing a known error as a help article."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servitium.catalog.models import Service
from servitium.core import permissions
from servitium.core import services as core_services
from servitium.core.approval import refuse_self_approval
from servitium.core.errors import NotPermitted, TransitionNotAllowed
from servitium.incidents import fulfilment
from servitium.incidents import services as incident_services
from servitium.incidents.models import Incident
from servitium.problems.models import KnownError
from servitium.relationships import services as relationship_services
from servitium.relationships.models import SurveyInvitation

from . import selectors, wording
from .models import HelpArticle, NotificationPreference

INCIDENT_TYPE = "incidents.incident"


def _own_service(actor: Any, service: Service | None) -> Service:
    """The service must be one the actor's organization receives; anything else is named as wrong."""
    if service is None:
        raise ValidationError({"service": [_("Choose the service this is about.")]})
    if not selectors.my_services(actor).filter(pk=service.pk).exists():
        raise ValidationError({"service": [_("Choose one of the services your organization receives.")]})
    return service


def problem_report(*, actor: Any, service: Service | None, title: str, details: str, effect: str) -> Incident:
    """Raise an incident for the actor's organization: on one of its services, classified by how badly it
    affects them (wording.EFFECTS)."""
    service = _own_service(actor, service)
    try:
        classification = wording.effect_classification(effect)
    except KeyError:
        raise ValidationError({"effect": [_("Say how badly this affects you.")]}) from None
    data = {"title": title, "description": details, "service": service, **classification}
    return incident_services.incident_create(actor=actor, data=data, derived={"kind": Incident.Kind.INCIDENT})


def request_raise(
    *, actor: Any, entry: selectors.CatalogueEntry, choices: dict[str, str], details: str
) -> Incident:
    """Raise a service request for a catalogue entry with the options chosen (one per kind, listed in the
    request's description). An entry with a request item follows it: approval step, fulfilment group."""
    _own_service(actor, entry.service)
    lines = []
    for group in entry.option_groups:
        if choices.get(group["kind"]) not in {o.name for o in group["options"]}:
            raise ValidationError({"options": [_("Choose one %(kind)s.") % {"kind": group["label"]}]})
        lines.append(f"{group['label']}: {choices[group['kind']]}")
    description = "\n".join([*lines, "", details.strip()] if lines else [details.strip()]).strip()
    data: dict[str, Any] = {"title": entry.name, "description": description, "service": entry.service}
    if entry.item is not None:
        data["request_item"] = entry.item
    return incident_services.incident_create(actor=actor, data=data, derived={"kind": Incident.Kind.REQUEST})


def ticket_reply(*, actor: Any, incident: Incident, body: str):
    """A public reply on the ticket (the customer's words reach the service desk)."""
    return core_services.comment_create(
        actor=actor, object_type=INCIDENT_TYPE, object_id=incident.pk, body=body, visibility="public"
    )


def ticket_attach(*, actor: Any, incident: Incident, upload):
    return core_services.attachment_create(
        actor=actor, object_type=INCIDENT_TYPE, object_id=incident.pk, upload=upload
    )


@transaction.atomic
def ticket_confirm(*, actor: Any, incident: Incident, solved: bool, note: str = "") -> Incident:
    """The customer confirms a solved ticket (it closes) or says it is not solved (it reopens)."""
    if not permissions.is_customer_user(actor) or incident.customer_id != actor.organization_id:
        raise NotPermitted(_("Only the customer confirms its own tickets."))
    if not selectors.can_confirm(incident):
        raise TransitionNotAllowed(_("%(ref)s is not waiting for your confirmation.") % {"ref": incident})
    if not solved and note.strip():
        ticket_reply(actor=actor, incident=incident, body=note)
    return incident_services.incident_transition(
        actor=actor,
        instance=incident,
        transition="close" if solved else "reopen",
        note=_("Confirmed solved by the customer") if solved else _("The customer says it is not solved"),
    )


def approval_decide(*, actor: Any, incident: Incident, approve: bool, note: str = "") -> Incident:
    """Approve or reject a request of the organization; whoever asked for it may not decide on it."""
    refuse_self_approval(
        actor,
        message=_("You asked for this request; another approver of your organization decides."),
        people=[incident.caller_id],
    )
    return fulfilment.request_decide(
        actor=actor, incident=incident, decision="approve" if approve else "reject", note=note
    )


def complaint_raise(*, actor: Any, service: Service | None, title: str, description: str):
    data: dict[str, Any] = {"title": title, "description": description}
    if service is not None:
        data["service"] = _own_service(actor, service)
    return relationship_services.complaint_create(actor=actor, data=data)


def survey_answer(*, actor: Any, invitation: SurveyInvitation, answers: dict[str, Any]):
    return relationship_services.survey_response_submit(
        actor=actor, data={"survey": invitation.survey, "invitation": invitation, "answers": answers}
    )


@transaction.atomic
def preferences_save(*, actor: Any, data: dict[str, bool]) -> NotificationPreference:
    current = selectors.preferences(actor)
    if current is None:
        return core_services.record_create(
            model=NotificationPreference, data=data, derived={"user": actor}, actor=actor
        )
    return core_services.record_update(instance=current, data=data, actor=actor)


@transaction.atomic
def help_article_publish(*, actor: Any, known_error: KnownError, title: str, advice: str) -> HelpArticle:
    """Show a known error to its service's customers, with a title and advice in their words."""
    if known_error.status != KnownError.Status.ACTIVE:
        raise TransitionNotAllowed(_("Only an active known error is published."))
    article = HelpArticle.objects.filter(known_error=known_error).first()
    data = {"title": title.strip(), "advice": advice.strip()}
    if article is None:
        return core_services.record_create(
            model=HelpArticle, data={"known_error": known_error, **data}, actor=actor
        )
    return core_services.record_update(instance=article, data=data, derived={"published": True}, actor=actor)


@transaction.atomic
def help_article_withdraw(*, actor: Any, article: HelpArticle) -> HelpArticle:
    return core_services.record_update(instance=article, data={}, derived={"published": False}, actor=actor)
