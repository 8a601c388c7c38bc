"""The problem lifecycle and the known-error lifecycle, each in one transition table."""

from django.utils.translation import gettext_lazy as _

from servitium.core.workflow import Transition, Workflow

from .models import KnownError, Problem

S = Problem.Status
WORKING = frozenset({S.NEW, S.UNDER_INVESTIGATION, S.ROOT_CAUSE_KNOWN, S.KNOWN_ERROR})
CAUSE_KNOWN = frozenset({S.ROOT_CAUSE_KNOWN, S.KNOWN_ERROR})


def _needs_root_cause(problem) -> str | None:
    if not (problem.root_cause or "").strip():
        return str(_("Record the root cause first."))
    return None


def _needs_resolution(problem) -> str | None:
    if not (problem.resolution or "").strip():
        return str(_("Resolution notes are needed to resolve the problem."))
    return None


PROBLEM_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition("investigate", frozenset({S.NEW}), S.UNDER_INVESTIGATION, _("Start investigation")),
        Transition(
            "record_root_cause",
            frozenset({S.UNDER_INVESTIGATION}),
            S.ROOT_CAUSE_KNOWN,
            _("Root cause found"),
            needs=("root_cause",),
            guard=_needs_root_cause,
        ),
        Transition(
            "record_known_error",
            frozenset({S.ROOT_CAUSE_KNOWN}),
            S.KNOWN_ERROR,
            _("Record known error"),
            guard=_needs_root_cause,
        ),
        Transition(
            "resolve",
            CAUSE_KNOWN,
            S.RESOLVED,
            _("Resolve"),
            needs=("resolution",),
            guard=_needs_resolution,
        ),
        Transition("close", frozenset({S.RESOLVED}), S.CLOSED, _("Close")),
        Transition("cancel", WORKING, S.CANCELLED, _("Cancel")),
        Transition("reopen", frozenset({S.RESOLVED, S.CLOSED}), S.UNDER_INVESTIGATION, _("Reopen")),
    ],
)

K = KnownError.Status
KNOWN_ERROR_WORKFLOW = Workflow(
    states=K.values,
    transitions=[
        Transition("retire", frozenset({K.ACTIVE}), K.RETIRED, _("Retire")),
        Transition("reactivate", frozenset({K.RETIRED}), K.ACTIVE, _("Reactivate")),
    ],
)
