"""The lifecycle of a management review and of a review action, each in one transition table.

planned -> pack prepared -> held -> minutes approved -> closed. A review is held only with a prepared pack
(holding freezes it as a PDF); its minutes are approved by its chair (checked in the service, which knows
the actor); actions are done or cancelled with a note.
"""

from django.utils.translation import gettext_lazy as _

from servitium.core.workflow import Transition, Workflow

from .models import ManagementReview, ReviewAction

S = ManagementReview.Status


def _needs_pack(review) -> str | None:
    if review.pack_prepared_at is None:
        return str(_("Prepare the review pack before holding the review."))
    return None


def _needs_minutes(review) -> str | None:
    missing = [
        str(label)
        for label, value in ((_("minutes"), review.minutes), (_("decisions"), review.decisions))
        if not (value or "").strip()
    ]
    if missing:
        return str(_("Record the %(what)s before approving them.") % {"what": _(" and ").join(missing)})
    return None


REVIEW_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition(
            "prepare_pack", frozenset({S.PLANNED, S.PACK_PREPARED}), S.PACK_PREPARED, _("Prepare pack")
        ),
        # From "planned" too, so that trying it says what is missing rather than "not from this state".
        Transition(
            "hold", frozenset({S.PLANNED, S.PACK_PREPARED}), S.HELD, _("Mark as held"), guard=_needs_pack
        ),
        Transition(
            "approve_minutes",
            frozenset({S.HELD}),
            S.MINUTES_APPROVED,
            _("Approve minutes"),
            action="approve",  # the chair, who may belong to top management only
            guard=_needs_minutes,
        ),
        Transition("close", frozenset({S.MINUTES_APPROVED}), S.CLOSED, _("Close")),
        Transition("cancel", frozenset({S.PLANNED, S.PACK_PREPARED}), S.CANCELLED, _("Cancel")),
    ],
)

A = ReviewAction.Status


def _needs_note(action) -> str | None:
    if not (action.completion_note or "").strip():
        return str(_("Say in a completion note what was done (or why the action is dropped)."))
    return None


ACTION_WORKFLOW = Workflow(
    states=A.values,
    transitions=[
        Transition(
            "complete", frozenset({A.OPEN}), A.DONE, _("Done"), needs=("completion_note",), guard=_needs_note
        ),
        Transition(
            "cancel",
            frozenset({A.OPEN}),
            A.CANCELLED,
            _("Cancel"),
            needs=("completion_note",),
            guard=_needs_note,
        ),
        Transition("reopen", frozenset({A.DONE, A.CANCELLED}), A.OPEN, _("Reopen")),
    ],
)
