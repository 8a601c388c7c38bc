"""The lifecycle of a request for change, in one transition table.

draft -> submitted -> approved / rejected -> implementing -> completed / failed / backed_out -> reviewed
-> closed; cancel while nothing has been done yet. Standard changes are approved on submit (their template is
pre-approved); emergency changes may be implemented before approval and are then reviewed afterwards.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from servitium.core.workflow import Transition, Workflow

from .models import Category, Change

S = Change.Status
DRAFT, SUBMITTED, APPROVED, REJECTED = S.DRAFT, S.SUBMITTED, S.APPROVED, S.REJECTED
IMPLEMENTING, COMPLETED, FAILED, BACKED_OUT = S.IMPLEMENTING, S.COMPLETED, S.FAILED, S.BACKED_OUT
REVIEWED, CLOSED, CANCELLED = S.REVIEWED, S.CLOSED, S.CANCELLED

# Statuses of a change that has been authorised (releases bundle these; the schedule shows them).
APPROVED_OR_LATER = (APPROVED, IMPLEMENTING, COMPLETED, FAILED, BACKED_OUT, REVIEWED, CLOSED)
# Implementation has ended; the outcome is known.
IMPLEMENTED = (COMPLETED, FAILED, BACKED_OUT, REVIEWED, CLOSED)
UNSUCCESSFUL = (Change.Outcome.FAILED, Change.Outcome.BACKED_OUT)
# Changes that authorise updates of the CIs they name (cmdb.control).
AUTHORISING = (APPROVED, IMPLEMENTING)
# Changes that still compete for a window on the schedule.
SCHEDULED = (SUBMITTED, APPROVED, IMPLEMENTING)
ENDED = (REJECTED, CLOSED, CANCELLED)
APPROVE_ACTION = "approve"  # a permission action: change managers hold it, change agents do not


def _approved_first(change: Change) -> str | None:
    if change.status == SUBMITTED and change.category != Category.EMERGENCY:
        return str(
            _(
                "A %(category)s change cannot be implemented before it is approved; it is still waiting "
                "for its approval."
            )
            % {"category": change.category}
        )
    return None


def _needs_reason(change: Change) -> str | None:
    if not (change.failure_reason or "").strip():
        return str(_("Say why (failure_reason)."))
    return None


def _review_ready(change: Change) -> str | None:
    if change.outcome in UNSUCCESSFUL and not (
        (change.investigation_cause or "").strip() and (change.investigation_actions or "").strip()
    ):
        return str(
            _(
                "An unsuccessful change is investigated before its review: record investigation_cause and "
                "investigation_actions."
            )
        )
    if not (change.review_notes or "").strip() or change.objectives_met is None:
        return str(_("The post-implementation review needs review_notes and objectives_met (true/false)."))
    return None


def _close_ready(change: Change) -> str | None:
    if change.retrospective_review_required:
        return str(
            _(
                "This emergency change is waiting for the emergency board's retrospective decision; it "
                "cannot be closed before that."
            )
        )
    return None


CHANGE_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition("submit", frozenset({DRAFT}), SUBMITTED, _("Submit")),
        Transition("approve", frozenset({SUBMITTED}), APPROVED, _("Approve"), action=APPROVE_ACTION),
        Transition("reject", frozenset({SUBMITTED}), REJECTED, _("Reject"), action=APPROVE_ACTION),
        Transition("revise", frozenset({REJECTED}), DRAFT, _("Revise")),
        Transition(
            "implement",
            frozenset({SUBMITTED, APPROVED}),
            IMPLEMENTING,
            _("Start implementation"),
            guard=_approved_first,
        ),
        Transition("complete", frozenset({IMPLEMENTING}), COMPLETED, _("Complete (successful)")),
        Transition(
            "fail",
            frozenset({IMPLEMENTING}),
            FAILED,
            _("Failed"),
            needs=("failure_reason",),
            guard=_needs_reason,
        ),
        Transition(
            "back_out",
            frozenset({IMPLEMENTING}),
            BACKED_OUT,
            _("Backed out"),
            needs=("failure_reason",),
            guard=_needs_reason,
        ),
        Transition(
            "review",
            frozenset({COMPLETED, FAILED, BACKED_OUT}),
            REVIEWED,
            _("Record review"),
            needs=("review_notes", "objectives_met"),
            guard=_review_ready,
        ),
        Transition("close", frozenset({REVIEWED}), CLOSED, _("Close"), guard=_close_ready),
        Transition("cancel", frozenset({DRAFT, SUBMITTED, APPROVED}), CANCELLED, _("Cancel")),
    ],
)
# Fields a transition may carry in its payload, e.g. {"transition": "fail", "failure_reason": "..."}.
TRANSITION_FIELDS = {
    "failure_reason": str,
    "investigation_cause": str,
    "investigation_actions": str,
    "review_notes": str,
    "unexpected_effects": str,
    "objectives_met": bool,
    "blackout_override_reason": str,
}
