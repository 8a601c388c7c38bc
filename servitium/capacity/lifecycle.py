"""The capacity plan's lifecycle: draft -> approved (by a capacity manager other than the author) and back
to draft when it is revised. The guard states what an approvable plan holds."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from servitium.changes import revisions
from servitium.core.workflow import Transition, Workflow

from .models import CapacityPlan

S = CapacityPlan.Status


def approvable(plan) -> str | None:
    if not (plan.current_demand or "").strip() or not (plan.forecast_demand or "").strip():
        return _("Describe the current and the forecast demand first.")
    if not plan.pk or not plan.lines.exists():
        return _("Add at least one resource line first.")
    return revisions.refusal(plan)  # a revised plan: under an approved change (2011 6.5.s3)


PLAN_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition(
            "approve", frozenset({S.DRAFT}), S.APPROVED, _lazy("Approve"), action="approve", guard=approvable
        ),
        Transition("revise", frozenset({S.APPROVED}), S.DRAFT, _lazy("Revise")),
    ],
)
