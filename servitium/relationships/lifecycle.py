"""Lifecycles of business relationship management: complaints (new -> investigating -> action taken ->
resolved -> closed, reopen from resolved), surveys (draft -> open -> closed) and improvement opportunities
(open <-> closed)."""

from django.utils.translation import gettext_lazy as _

from servitium.core.workflow import Transition, Workflow

from .models import Complaint, Survey

S = Complaint.Status


def _needs(field: str, message):
    def guard(complaint) -> str | None:
        return None if getattr(complaint, field).strip() else str(message)

    return guard


def _close_guard(complaint) -> str | None:
    if not complaint.findings.strip() or not complaint.resolution.strip():
        return str(
            _("A complaint is closed only with its investigation findings and the resolution reported.")
        )
    return None


COMPLAINT_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition("investigate", frozenset({S.NEW}), S.INVESTIGATING, _("Start investigation")),
        Transition(
            "record_action",
            frozenset({S.INVESTIGATING}),
            S.ACTION_TAKEN,
            _("Record action taken"),
            guard=_needs("actions_taken", _("Describe the actions taken first.")),
        ),
        Transition(
            "resolve",
            frozenset({S.INVESTIGATING, S.ACTION_TAKEN}),
            S.RESOLVED,
            _("Resolve"),
            guard=_needs("resolution", _("Record the resolution reported to the customer first.")),
        ),
        Transition("reopen", frozenset({S.RESOLVED}), S.INVESTIGATING, _("Reopen")),
        Transition("close", frozenset({S.RESOLVED}), S.CLOSED, _("Close"), guard=_close_guard),
    ],
)


SURVEY_WORKFLOW = Workflow(
    states=Survey.Status.values,
    transitions=[
        Transition("open", frozenset({Survey.Status.DRAFT}), Survey.Status.OPEN, _("Open for responses")),
        Transition("close", frozenset({Survey.Status.OPEN}), Survey.Status.CLOSED, _("Close")),
    ],
)
