"""Lifecycles of the improvement register, each in one transition table.

Nonconformity: open -> correction done -> cause analysed -> action planned -> action done -> effectiveness
verified -> closed; an effectiveness check that finds the actions not effective sends it back to cause
analysis. Corrective action: planned -> in progress -> done (or cancelled). Opportunity: proposed ->
approved -> in progress -> implemented -> evaluated, or rejected."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servitium.core.workflow import Transition, Workflow

from .models import CorrectiveAction, ImprovementOpportunity, Nonconformity

S = Nonconformity.Status
NOT_CLOSED = frozenset(s for s in S.values if s != S.CLOSED)


def _has_live_action(nc: Nonconformity) -> str | None:
    if not nc.actions.exclude(status=CorrectiveAction.Status.CANCELLED).exists():
        return _("Record at least one corrective action (owner and due date) first.")
    return None


def _actions_done(nc: Nonconformity) -> str | None:
    live = nc.actions.exclude(status=CorrectiveAction.Status.CANCELLED)
    pending = list(
        live.exclude(status=CorrectiveAction.Status.DONE).values_list("description", flat=True)[:3]
    )
    if pending:
        return _("Corrective actions still open: %(list)s.") % {"list": "; ".join(p[:60] for p in pending)}
    if not live.exists():
        return _("No corrective action is done yet.")
    return None


def _effective(nc: Nonconformity) -> str | None:
    """The done-when rule: no nonconformity closes before an effectiveness check found its actions
    effective."""
    if nc.status != S.VERIFIED or nc.effectiveness_result != Nonconformity.Result.EFFECTIVE:
        return _(
            "%(ref)s cannot close before its effectiveness check: record the check (transition "
            "'effective') once the corrective actions are done and shown to work."
        ) % {"ref": nc.reference}
    return None


NONCONFORMITY_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition(
            "record_correction",
            frozenset({S.OPEN}),
            S.CORRECTED,
            gettext_lazy("Correction done"),
            needs=("correction",),
        ),
        Transition(
            "analyse_cause",
            frozenset({S.CORRECTED}),
            S.CAUSE_ANALYSED,
            gettext_lazy("Cause analysed"),
            needs=("root_cause",),
        ),
        Transition(
            "plan_action",
            frozenset({S.CAUSE_ANALYSED}),
            S.ACTION_PLANNED,
            gettext_lazy("Action planned"),
            guard=_has_live_action,
        ),
        Transition(
            "complete_action",
            frozenset({S.ACTION_PLANNED}),
            S.ACTION_DONE,
            gettext_lazy("Action done"),
            guard=_actions_done,
        ),
        Transition(
            "effective",
            frozenset({S.ACTION_DONE}),
            S.VERIFIED,
            gettext_lazy("Effectiveness check: effective"),
            needs=("effectiveness_method",),
        ),
        Transition(
            "not_effective",
            frozenset({S.ACTION_DONE}),
            S.CAUSE_ANALYSED,
            gettext_lazy("Effectiveness check: not effective"),
            needs=("effectiveness_method",),
        ),
        # Offered from every open state so that an early attempt is refused with the reason, not as
        # an unknown step.
        Transition("close", NOT_CLOSED, S.CLOSED, gettext_lazy("Close"), guard=_effective),
    ],
)

A = CorrectiveAction.Status
ACTION_WORKFLOW = Workflow(
    states=A.values,
    transitions=[
        Transition("start", frozenset({A.PLANNED}), A.IN_PROGRESS, gettext_lazy("Start")),
        Transition("complete", frozenset({A.PLANNED, A.IN_PROGRESS}), A.DONE, gettext_lazy("Done")),
        Transition("cancel", frozenset({A.PLANNED, A.IN_PROGRESS}), A.CANCELLED, gettext_lazy("Cancel")),
    ],
)

O = ImprovementOpportunity.Status  # noqa: E741


def _has_plan(opportunity: ImprovementOpportunity) -> str | None:
    missing = [
        str(ImprovementOpportunity._meta.get_field(f).verbose_name)
        for f in ("owner", "target", "target_date")
        if not getattr(opportunity, f)
    ]
    if missing:
        return _("An approved improvement needs %(list)s.") % {"list": ", ".join(missing)}
    return None


OPPORTUNITY_WORKFLOW = Workflow(
    states=O.values,
    transitions=[
        Transition("approve", frozenset({O.PROPOSED}), O.APPROVED, gettext_lazy("Approve"), guard=_has_plan),
        Transition(
            "reject",
            frozenset({O.PROPOSED, O.APPROVED}),
            O.REJECTED,
            gettext_lazy("Reject"),
            needs=("decision_note",),
        ),
        Transition("start", frozenset({O.APPROVED}), O.IN_PROGRESS, gettext_lazy("Start")),
        Transition("implement", frozenset({O.IN_PROGRESS}), O.IMPLEMENTED, gettext_lazy("Implemented")),
        Transition(
            "evaluate",
            frozenset({O.IMPLEMENTED}),
            O.EVALUATED,
            gettext_lazy("Evaluated against the target"),
            needs=("evaluation",),
        ),
    ],
)
