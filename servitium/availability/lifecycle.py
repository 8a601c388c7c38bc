"""The lifecycle of availability and continuity plans: draft -> approved -> retired; an approved or
retired plan may be taken back to draft for revision, and is approved again only under an approved change
(changes.revisions). Approval needs the plan's content and someone other than its author (core.approval,
checked in the transition service)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from servitium.changes import revisions
from servitium.core.workflow import Transition, Workflow

from .models import PlanStatus

S = PlanStatus


def continuity_plan_complete(plan) -> str | None:
    missing = [
        str(label)
        for name, label in (
            ("invocation_criteria", _lazy("when the plan is invoked")),
            ("invocation_steps", _lazy("the invocation and recovery steps")),
            ("contacts", _lazy("the contacts")),
            ("return_to_normal", _lazy("how normal working returns")),
        )
        if not (getattr(plan, name) or "").strip()
    ]
    if plan.pk and not plan.services.exists():
        missing.append(str(_lazy("the services covered")))
    if missing:
        return _("Give %(missing)s first.") % {"missing": ", ".join(missing)}
    return revisions.refusal(plan)  # a revised plan: under an approved change (2011 6.3.2.s2)


def availability_plan_complete(plan) -> str | None:
    if not (plan.requirements_and_targets or "").strip():
        return _("State the availability requirements and targets first.")
    return revisions.refusal(plan)


def _workflow(guard) -> Workflow:
    return Workflow(
        states=S.values,
        transitions=[
            Transition("approve", frozenset({S.DRAFT}), S.APPROVED, _lazy("Approve"), guard=guard),
            Transition("retire", frozenset({S.APPROVED}), S.RETIRED, _lazy("Retire")),
            Transition("revise", frozenset({S.APPROVED, S.RETIRED}), S.DRAFT, _lazy("Revise")),
        ],
    )


CONTINUITY_PLAN_WORKFLOW = _workflow(continuity_plan_complete)
AVAILABILITY_PLAN_WORKFLOW = _workflow(availability_plan_complete)
