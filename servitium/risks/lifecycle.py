"""The risk lifecycle and the treatment-action lifecycle, each in one transition table.

identified -> assessed -> treated -> monitored -> closed; a closed risk may be reopened (back to assessed).
The guards carry the rules of the register: a risk is assessed only with a likelihood and an impact; it
is treated only with a treatment option and at least one action, unless it is accepted with a reason;
it is closed only with a residual assessment.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from servitium.core.workflow import Transition, Workflow

from .models import Risk, RiskAction

S = Risk.Status
OPEN = frozenset({S.IDENTIFIED, S.ASSESSED, S.TREATED, S.MONITORED})


def needs_assessment(risk) -> str | None:
    if risk.likelihood is None or risk.impact is None:
        return _("Give the likelihood and the impact first.")
    if risk.owner_id is None:
        return _("Name the risk owner first.")
    return None


def needs_treatment(risk) -> str | None:
    if not risk.treatment_option:
        return _("Choose a treatment option first.")
    if risk.treatment_option == Risk.Treatment.ACCEPT:
        if not (risk.acceptance_reason or "").strip():
            return _("A risk accepted as it is needs the reason for accepting it.")
        return None
    if not risk.pk or not risk.actions.exclude(status=RiskAction.Status.CANCELLED).exists():
        return _("Plan at least one treatment action first (or accept the risk with a reason).")
    return None


def needs_residual(risk) -> str | None:
    if not risk.has_residual:
        return _("Record the residual likelihood and impact before closing.")
    return None


RISK_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition(
            "assess", frozenset({S.IDENTIFIED}), S.ASSESSED, _lazy("Assessed"), guard=needs_assessment
        ),
        Transition(
            "treat", frozenset({S.ASSESSED}), S.TREATED, _lazy("Treatment decided"), guard=needs_treatment
        ),
        Transition("monitor", frozenset({S.TREATED}), S.MONITORED, _lazy("Monitor")),
        Transition(
            "close", frozenset({S.TREATED, S.MONITORED}), S.CLOSED, _lazy("Close"), guard=needs_residual
        ),
        Transition("reassess", frozenset({S.TREATED, S.MONITORED}), S.ASSESSED, _lazy("Reassess")),
        Transition("reopen", frozenset({S.CLOSED}), S.ASSESSED, _lazy("Reopen")),
    ],
)

A = RiskAction.Status
ACTION_WORKFLOW = Workflow(
    states=A.values,
    transitions=[
        Transition("start", frozenset({A.PLANNED}), A.IN_PROGRESS, _lazy("Start")),
        Transition("complete", frozenset({A.PLANNED, A.IN_PROGRESS}), A.DONE, _lazy("Done")),
        Transition("cancel", frozenset({A.PLANNED, A.IN_PROGRESS}), A.CANCELLED, _lazy("Cancel")),
        Transition("reopen", frozenset({A.DONE, A.CANCELLED}), A.IN_PROGRESS, _lazy("Reopen")),
    ],
)
