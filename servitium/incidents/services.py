"""Writes of incident and service request management: create, update (priority, assignment), transitions.
SLA clocks follow every step (see clocks.py)."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import services as core_services
from servitium.core.errors import ApplicationError, TransitionNotAllowed
from servitium.core.vocabulary import Metric
from servitium.parties.models import Person, Team

from . import clocks, fulfilment
from .lifecycle import INCIDENT_WORKFLOW, PENDING
from .major import security_priority
from .models import DEFAULT_MATRIX, Approval, Incident, PriorityRule, SavedFilter

EDITABLE_WHEN_CLOSED: set[str] = set()
RESOLUTION_FIELDS = ("resolution_code", "resolution_notes", "closure_code")


_MATRIX: dict[tuple[int, int], int] = {}
_MATRIX_READ_AT = 0.0
MATRIX_TTL_S = 5.0  # another process's change to the matrix applies within this time


def priority_for(impact: int, urgency: int) -> int:
    """The priority the configured impact x urgency matrix gives (the default table where a cell is unset).
    The nine cells are read once and kept for a few seconds: this is on every ticket's hot path."""
    global _MATRIX_READ_AT
    if time.monotonic() - _MATRIX_READ_AT > MATRIX_TTL_S:
        _MATRIX.clear()
        _MATRIX.update(DEFAULT_MATRIX)
        _MATRIX.update({(r.impact, r.urgency): r.priority for r in PriorityRule.objects.all()})
        _MATRIX_READ_AT = time.monotonic()
    return _MATRIX[(impact, urgency)]


def forget_matrix(**kwargs) -> None:
    """Signal receiver: a change to the matrix in this process applies at once."""
    global _MATRIX_READ_AT
    _MATRIX_READ_AT = 0.0


@transaction.atomic
def incident_create(
    *,
    actor: Any,
    data: dict[str, Any],
    m2m: dict[str, Any] | None = None,
    derived: dict[str, Any] | None = None,
    now=None,
) -> Incident:
    """Record a ticket, derive its priority and start its SLA clocks. `data` is what the actor asked for
    (the declared input rules apply to it); `derived` what the caller decided (its kind). A customer user
    always raises it for their own organization, as themselves."""
    values = {**data, **(derived or {})}
    if permissions.is_customer_user(actor):
        values["customer"] = actor.organization
        values["caller"] = Person.objects.filter(user=actor).first()
    values = fulfilment.apply_request_item(values)
    if values.get("affected_ci") is not None and not values.get("affected_ci_name"):
        values["affected_ci_name"] = values["affected_ci"].name[:200]
    values["priority"] = security_priority(
        priority_for(values.get("impact", 3), values.get("urgency", 3)), values
    )
    if (values.get("assignment_group") or values.get("assignee")) and values.get(
        "approval"
    ) != Approval.PENDING:
        values["status"] = Incident.Status.ASSIGNED
    incident = core_services.create_in_transaction(model=Incident, data=data, derived=values, actor=actor)
    started = clocks.clocks_start(incident, now or incident.created)
    incident.started_clocks = sorted(started, key=lambda c: c.metric)  # as SlaClock.Meta.ordering reads them
    return incident


@transaction.atomic
def incident_update(
    *, actor: Any, instance: Incident, data: dict[str, Any], m2m: dict[str, Any] | None = None, now=None
) -> Incident:
    """Change fields; a new impact/urgency re-derives the priority, a new service or priority re-targets the
    clocks (keeping the business time already elapsed and paused)."""
    if instance.status == Incident.Status.CLOSED:
        raise TransitionNotAllowed(_("A closed ticket is kept as it was closed."))
    now = now or timezone.now()
    impact, urgency = data.get("impact", instance.impact), data.get("urgency", instance.urgency)
    derived: dict[str, Any] = {"priority": security_priority(priority_for(impact, urgency), data, instance)}
    retarget = (
        derived["priority"] != instance.priority
        or data.get("service", instance.service) != instance.service
        or (data.get("customer", instance.customer) != instance.customer)
    )
    if (
        instance.status == Incident.Status.NEW
        and instance.approval != Approval.PENDING
        and (data.get("assignment_group") or data.get("assignee"))
    ):
        derived["status"] = Incident.Status.ASSIGNED
    incident = core_services.record_update(instance=instance, data=data, derived=derived, actor=actor)
    if retarget:
        clocks.clocks_retarget(incident, now)
    return incident


def _record_response(incident: Incident, now) -> dict[str, Any]:
    if incident.responded_at is None:
        clocks.clocks_stop(incident, Metric.RESPONSE_TIME, now)
        return {"responded_at": now}
    return {}


@transaction.atomic
def incident_transition(
    *, actor: Any, instance: Incident, transition: str, note: str = "", data: dict | None = None, now=None
) -> Incident:
    """Move a ticket along its lifecycle; the clocks pause, resume, stop and restart with it."""
    now = now or timezone.now()
    incident = Incident.objects.select_for_update().get(pk=instance.pk)
    for field in RESOLUTION_FIELDS:
        if data and data.get(field) is not None:
            setattr(incident, field, str(data[field]))
    step = INCIDENT_WORKFLOW.check(incident, incident.status, transition)
    extra: dict[str, Any] = {f: getattr(incident, f) for f in RESOLUTION_FIELDS}
    if step.target in (Incident.Status.ASSIGNED, Incident.Status.IN_PROGRESS) and step.name != "reopen":
        extra.update(_record_response(incident, now))
    pausing = clocks.pause_statuses(incident)
    if step.target in PENDING:
        extra.update(_record_response(incident, now))
        if step.target in pausing:
            clocks.clocks_pause(incident, now)
        else:
            clocks.clocks_resume(incident, now)
    elif incident.status in PENDING:
        clocks.clocks_resume(incident, now)
    if step.name == "resolve":
        extra.update(_record_response(incident, now))
        clocks.clocks_stop(incident, Metric.RESOLUTION_TIME, now)
        extra["resolved_at"] = now
    elif step.name == "close":
        extra["closed_at"] = now
    elif step.name == "reopen":
        clocks.clocks_reopen(incident, now)
        extra.update({"resolved_at": None, "reopen_count": incident.reopen_count + 1})
    if step.name == "close" and incident.is_major and not hasattr(incident, "review"):
        raise TransitionNotAllowed(_("A major incident is closed only after its post-incident review."))
    incident = core_services.record_transition(
        instance=incident,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )
    _tell_caller(incident, step.name, note)
    return incident


def _tell_caller(incident: Incident, transition: str, note: str) -> None:
    """The caller hears by mail when we need something from them and when their ticket is resolved."""
    from .mail import outbound

    topic = {"await_customer": "waiting", "resolve": "resolved"}.get(transition)
    if topic is None:
        return
    to = outbound.caller_address(incident, topic)
    with outbound.speaking_to(to):
        if transition == "await_customer":
            text = note or _("We need some information from you to go on; please reply to this message.")
        else:
            text = _(
                "%(ref)s is resolved:\n\n%(notes)s\n\nIf the problem is still there, reply to reopen it."
            ) % {
                "ref": incident.reference,
                "notes": incident.resolution_notes,
            }
    outbound.notify(incident, to=to, text=text)


def default_channel(user: Any) -> str:
    """How a ticket raised by this user most likely reached us: customers raise their own on the portal;
    an agent typing one in is mostly on the phone with the caller."""
    if user is None or permissions.is_customer_user(user):
        return Incident.Channel.PORTAL
    return Incident.Channel.PHONE


# --- bulk work from the queue -------------------------------------------------------------------------


@dataclass
class BulkOutcome:
    """What a bulk action did: the tickets changed and those refused, each with its reason."""

    done: list[Incident] = dataclasses.field(default_factory=list)
    refused: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (reference or id, reason)


def _each(actor: Any, ids: list[int], apply) -> BulkOutcome:
    """Apply `apply(incident)` to every ticket the actor may change, each in its own transaction (one
    refused ticket leaves the others done and is itself left as it was)."""
    outcome = BulkOutcome()
    wanted = list(dict.fromkeys(int(i) for i in ids))
    found = {
        i.pk: i
        for i in permissions.restrict(Incident.objects.filter(pk__in=wanted), actor, permissions.CHANGE)
    }
    for pk in wanted:
        incident = found.get(pk)
        if incident is None:
            outcome.refused.append((f"#{pk}", str(_("not found, or not yours to change"))))
            continue
        try:
            with transaction.atomic():
                outcome.done.append(apply(incident))
        except ValidationError as exc:
            outcome.refused.append((incident.reference, " ".join(exc.messages)))
        except ApplicationError as exc:
            outcome.refused.append((incident.reference, exc.message))
        except PermissionDenied as exc:
            outcome.refused.append((incident.reference, str(exc) or str(_("You may not do this."))))
    return outcome


def incident_bulk_assign(
    *, actor: Any, ids: list[int], team: Team | None = None, person: Person | None = None
) -> BulkOutcome:
    """Assign many tickets to a provider team and/or person: one `incident_update` per ticket (each in the
    change log, each checked as if done alone)."""
    if team is None and person is None:
        raise ValidationError(_("Choose a team or a person to assign to."))
    refusals = (
        (team, _("Tickets are assigned to the provider's own teams only.")),
        (person, _("Tickets are assigned to the provider's own people only.")),
    )
    for party, refusal in refusals:
        if party is not None and party.organization.kind != "provider":
            raise ValidationError(refusal)
    data: dict[str, Any] = {}
    if team is not None:
        data["assignment_group"] = team
    if person is not None:
        data["assignee"] = person

    def assign(incident: Incident) -> Incident:
        return incident_update(actor=actor, instance=incident, data=dict(data))

    return _each(actor, ids, assign)


def incident_bulk_transition(*, actor: Any, ids: list[int], transition: str, note: str = "") -> BulkOutcome:
    """Apply one lifecycle step to many tickets: one `incident_transition` per ticket, refused where its
    state, a guard or the actor's permission does not allow it."""
    step = INCIDENT_WORKFLOW.get(transition)
    if step.needs:
        raise ValidationError(
            _("%(step)s needs details of each ticket: do it on the ticket.") % {"step": step.label}
        )

    def move(incident: Incident) -> Incident:
        if not permissions.can(actor, step.action, incident):
            raise PermissionDenied(_("You may not do this."))
        return incident_transition(actor=actor, instance=incident, transition=transition, note=note)

    return _each(actor, ids, move)


# --- saved queue filters ------------------------------------------------------------------------------


def saved_filter_save(*, actor: Any, name: str, query: str) -> SavedFilter:
    """Save the queue's current filter under a name (the same name again replaces its filter)."""
    name = (name or "").strip()
    query = "&".join(p for p in (query or "").lstrip("?").split("&") if p and not p.startswith("page="))
    existing = permissions.restrict(SavedFilter.objects.filter(name=name), actor, permissions.CHANGE).first()
    if existing is not None:
        return core_services.record_update(instance=existing, data={"query": query}, actor=actor)
    return core_services.record_create(
        model=SavedFilter, data={"name": name, "query": query}, derived={"owner": actor}, actor=actor
    )


def saved_filter_delete(*, actor: Any, pk: int) -> None:
    """Remove one of the actor's own saved filters (another's is not found)."""
    found = permissions.restrict(SavedFilter.objects.filter(pk=pk), actor, permissions.DELETE).first()
    if found is None:
        raise ValidationError(_("No such saved filter."))
    core_services.record_delete(instance=found, actor=actor)
