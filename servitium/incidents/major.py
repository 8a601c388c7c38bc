"""Major incidents, escalation and security-incident priority (2011 8.1 / 2018 8.6.1, 6.6.3 / 8.7.3.3).

A major incident is declared with a named major-incident manager; top management hears of it at once, every
update given afterwards is kept in its communications log, and it cannot be closed before its post-incident
review is recorded (see `services.incident_transition`). Escalation is functional (another assignment
group) or hierarchical (the next management level is told); SLA warnings and breaches escalate on their own.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import changelog
from servitium.core import services as core_services
from servitium.core.errors import TransitionNotAllowed
from servitium.core.models import ChangeRecord
from servitium.core.permissions import TOP_MANAGEMENT
from servitium.improvement import services as improvement_services
from servitium.improvement.models import ImprovementOpportunity, SourceKind
from servitium.parties.models import Organization, Person, Team, User

from .mail import outbound
from .models import Incident, MajorIncidentDefinition, MajorIncidentUpdate, PostIncidentReview


def top_management_addresses() -> list[str]:
    """Mail addresses of active users holding the top-management role (few; filtered in Python so the
    query is the same on SQLite and PostgreSQL)."""
    users = User.objects.filter(is_active=True).exclude(email="").only("email", "roles")
    return sorted({u.email for u in users if TOP_MANAGEMENT in (u.roles or [])})


def matching_definition(incident: Incident) -> MajorIncidentDefinition | None:
    """The customer's agreed major-incident definition this ticket meets by priority, if any."""
    scope = Q(service__isnull=True)
    if incident.service_id:
        scope |= Q(service_id=incident.service_id)
    candidates = MajorIncidentDefinition.objects.filter(
        scope, customer_id=incident.customer_id, priority_at_or_above__gte=incident.priority
    )
    return candidates.order_by("service_id").first()


def _locked(incident: Incident) -> Incident:
    return (
        Incident.objects.select_for_update(of=("self",))
        .select_related("customer", "caller")
        .get(pk=incident.pk)
    )


@transaction.atomic
def major_declare(*, actor: Any, incident: Incident, manager: Person, note: str = "") -> Incident:
    """Declare a major incident: a named manager, top management told at once, the log opened."""
    incident = _locked(incident)
    if not incident.is_open:
        raise TransitionNotAllowed(_("Only an open ticket can be declared a major incident."))
    if incident.is_major:
        raise TransitionNotAllowed(_("%(ref)s is already a major incident.") % {"ref": incident.reference})
    if manager is None:
        raise ValidationError({"major_manager": [_("Name the major-incident manager.")]})
    incident = core_services.record_update(
        instance=incident,
        actor=actor,
        data={},
        derived={"is_major": True, "major_manager": manager, "major_declared_at": timezone.now()},
    )
    definition = matching_definition(incident)
    body = _(
        "%(ref)s %(title)s was declared a major incident for %(customer)s. Major-incident manager: "
        "%(manager)s.%(criteria)s%(note)s"
    ) % {
        "ref": incident.reference,
        "title": incident.title,
        "customer": incident.customer,
        "manager": manager,
        "criteria": (" " + _("Agreed definition met: %s") % definition.criteria) if definition else "",
        "note": ("\n\n" + note) if note else "",
    }
    update_add(
        actor=actor, incident=incident, audience=MajorIncidentUpdate.Audience.TOP_MANAGEMENT, body=body
    )
    return incident


@transaction.atomic
def update_add(*, actor: Any, incident: Incident, audience: str, body: str) -> MajorIncidentUpdate:
    """Give an update on a major incident and keep it in the communications log."""
    if not incident.is_major:
        raise ValidationError({"incident": [_("Updates are logged for major incidents.")]})
    if not (body or "").strip():
        raise ValidationError({"body": [_("An update needs some text.")]})
    if audience == MajorIncidentUpdate.Audience.TOP_MANAGEMENT:
        recipients = top_management_addresses()
    elif audience == MajorIncidentUpdate.Audience.CUSTOMER:
        recipients = outbound.caller_address(incident)
    else:
        recipients = []
    update = core_services.record_create(
        model=MajorIncidentUpdate,
        actor=actor,
        data={"incident": incident, "audience": audience, "body": body},
        derived={
            "sent_to": ", ".join(recipients),
            "author": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )
    if recipients:
        with outbound.speaking_to(recipients):
            subject = _("Major incident update")
        outbound.notify(incident, to=recipients, subject=subject, text=body)
    return update


@transaction.atomic
def review_record(*, actor: Any, data: dict[str, Any], m2m: Any = None) -> PostIncidentReview:
    """Record the post-incident review (one per major incident)."""
    incident = data.get("incident")
    if incident is not None and PostIncidentReview.objects.filter(incident=incident).exists():
        raise ValidationError({"incident": [_("This major incident already has its review.")]})
    review = core_services.record_create(model=PostIncidentReview, actor=actor, data=data)
    # What the review says should improve goes to the one improvement register, where it is owned,
    # planned and evaluated like every other opportunity.
    improvement_services.opportunity_raise(
        kind=SourceKind.INCIDENT,
        source=review,
        source_reference=review.incident.reference,
        description=_("Major incident %(ref)s (%(title)s): %(improve)s")
        % {"ref": review.incident.reference, "title": review.incident.title, "improve": review.to_improve},
        benefit=review.actions,
        priority=ImprovementOpportunity.Priority.HIGH,
        service=review.incident.service,
        customer=review.incident.customer,
        actor=None,
    )
    return review


@transaction.atomic
def escalate(
    *, actor: Any, incident: Incident, kind: str, team: Team | None = None, note: str = "", automatic=False
) -> Incident:
    """Functional escalation hands the ticket to another group; hierarchical escalation raises the
    management level and tells the people at that level (group lead, then top management)."""
    incident = _locked(incident)
    if not incident.is_open:
        raise TransitionNotAllowed(_("Only an open ticket can be escalated."))
    if kind == "functional":
        if team is None or team.organization.kind != Organization.Kind.PROVIDER:
            raise ValidationError({"assignment_group": [_("Name the provider group to escalate to.")]})
        if team.pk == incident.assignment_group_id:
            raise ValidationError({"assignment_group": [_("The ticket is already with that group.")]})
        data: dict[str, Any] = {"assignment_group": team, "assignee": None}
        if incident.status == Incident.Status.NEW:
            data["status"] = Incident.Status.ASSIGNED
        incident = core_services.record_update(instance=incident, actor=actor, data={}, derived=data)
        recipients = [team.email] if team.email else [p.email for p in team.members.all() if p.email]
        message = _("Functional escalation to %(team)s") % {"team": team}
    elif kind == "hierarchical":
        level = incident.escalation_level + 1
        incident = core_services.record_update(
            instance=incident, actor=actor, data={}, derived={"escalation_level": level}
        )
        group = incident.assignment_group
        recipients = [group.lead.email] if group and group.lead and group.lead.email else []
        if level >= 2 or incident.is_major:
            recipients += top_management_addresses()
        message = _("Hierarchical escalation to level %(level)d") % {"level": level}
    else:
        raise ValidationError({"kind": [_("Escalation is 'functional' or 'hierarchical'.")]})
    text = (
        f"{message}{' (' + _('automatic') + ')' if automatic else ''}: {incident.reference} {incident.title}"
    )
    changelog.record(incident, action=ChangeRecord.Action.UPDATE, actor=actor, changes={}, message=text)
    if note:
        text += "\n\n" + note
    outbound.notify(incident, to=recipients, subject=message, text=text, automatic=automatic)
    return incident


def security_priority(priority: int, data: dict[str, Any], instance: Incident | None = None) -> int:
    """A security incident is prioritised by its information security risk: high risk makes it P1, medium
    at least P2; otherwise the matrix priority stands."""

    def value(name):
        return data.get(name, getattr(instance, name, None) if instance else None)

    if not value("is_security"):
        return priority
    risk = value("security_risk")
    if risk == 1:
        return 1
    if risk == 2:
        return min(priority, 2)
    return priority
