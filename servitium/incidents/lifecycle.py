"""The ticket lifecycle, in one transition table."""

from django.utils.translation import gettext_lazy as _

from servitium.core.workflow import Transition, Workflow

from .models import HeldMail, Incident

S = Incident.Status
OPEN_WORKING = frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS})
PENDING = frozenset({S.PENDING_CUSTOMER, S.PENDING_SUPPLIER, S.PENDING_CHANGE})


def _approved(incident) -> str | None:
    if incident.approval == "pending":
        return str(_("The request is waiting for approval."))
    if incident.approval == "rejected":
        return str(_("The request was rejected."))
    return None


def _needs_assignee_or_group(incident) -> str | None:
    if blocked := _approved(incident):
        return blocked
    if incident.assignment_group_id is None and incident.assignee_id is None:
        return str(_("Set an assignment group or an assignee first."))
    return None


def _needs_resolution(incident) -> str | None:
    if blocked := _approved(incident):
        return blocked
    if not incident.resolution_code or not incident.resolution_notes.strip():
        return str(_("A resolution code and resolution notes are needed to resolve."))
    return None


INCIDENT_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition("assign", frozenset({S.NEW}), S.ASSIGNED, _("Assign"), guard=_needs_assignee_or_group),
        Transition(
            "start_work", frozenset({S.NEW, S.ASSIGNED}), S.IN_PROGRESS, _("Start work"), guard=_approved
        ),
        Transition(
            "await_customer",
            OPEN_WORKING | (PENDING - {S.PENDING_CUSTOMER}),
            S.PENDING_CUSTOMER,
            _("Pending customer"),
        ),
        Transition(
            "await_supplier",
            OPEN_WORKING | (PENDING - {S.PENDING_SUPPLIER}),
            S.PENDING_SUPPLIER,
            _("Pending supplier"),
        ),
        Transition(
            "await_change",
            OPEN_WORKING | (PENDING - {S.PENDING_CHANGE}),
            S.PENDING_CHANGE,
            _("Pending change"),
        ),
        Transition("resume", PENDING, S.IN_PROGRESS, _("Resume work")),
        Transition(
            "resolve",
            OPEN_WORKING | PENDING,
            S.RESOLVED,
            _("Resolve"),
            needs=("resolution_code", "resolution_notes"),
            guard=_needs_resolution,
        ),
        Transition("close", frozenset({S.RESOLVED}), S.CLOSED, _("Close")),
        Transition("reopen", frozenset({S.RESOLVED}), S.IN_PROGRESS, _("Reopen")),
    ],
)


def _organization_named(held) -> str | None:
    if held.organization_id is None:
        return str(_("Choose the organization the sender belongs to first."))
    return None


H = HeldMail.Status
HELD_MAIL_WORKFLOW = Workflow(
    states=H.values,
    transitions=[
        Transition(
            "accept",
            frozenset({H.WAITING}),
            H.ACCEPTED,
            _("Accept: open a ticket"),
            needs=("organization",),
            guard=_organization_named,
        ),
        Transition("reject", frozenset({H.WAITING}), H.REJECTED, _("Reject")),
    ],
)
