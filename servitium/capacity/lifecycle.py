"""The capacity plan's lifecycle: draft -> approved (by a capacity manager other than the author) and back
to draft when it is revised. The guard states what an approvable plan holds."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from servitium.core.workflow import Transition, Workflow

from .models import CapacityPlan

# A revision is under change management once its change was approved (or went on from approval).
CHANGE_AUTHORISED = frozenset({"approved", "implementing", "completed", "reviewed", "closed"})

S = CapacityPlan.Status


def approvable(plan) -> str | None:
    if not (plan.current_demand or "").strip() or not (plan.forecast_demand or "").strip():
        return _("Describe the current and the forecast demand first.")
    if not plan.pk or not plan.lines.exists():
        return _("Add at least one resource line first.")
    if plan.revision and plan.change_id is None:
        return _("This plan was approved before: name the change under which it is revised.")
    if plan.revision and plan.change.status not in CHANGE_AUTHORISED:
        return _("The change named for this revision is %(status)s: it must be approved first.") % {
            "status": plan.change.get_status_display()
        }
    return None


PLAN_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition(
            "approve", frozenset({S.DRAFT}), S.APPROVED, _lazy("Approve"), action="approve", guard=approvable
        ),
        Transition("revise", frozenset({S.APPROVED}), S.DRAFT, _lazy("Revise")),
    ],
)
