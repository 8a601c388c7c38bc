"""The release lifecycle in one transition table.

planned -> building (build and test) -> accepted (every acceptance criterion passed) -> approved (by a release
manager; every bundled change approved) -> deploying (a deployment record and a CMDB baseline are made) ->
deployed | failed | rolled_back -> reviewed (success measured) -> closed. Cancel is possible until deployment.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servitium.core.workflow import Transition, Workflow

from .models import AcceptanceCriterion, Release

S = Release.Status
APPROVE = "approve"  # a permission action only release managers hold (agents: view, add, change)
BEFORE_DEPLOYMENT = frozenset({S.PLANNED, S.BUILDING, S.ACCEPTED, S.APPROVED})
AFTER_DEPLOYMENT = frozenset({S.DEPLOYED, S.FAILED, S.ROLLED_BACK})
UNSUCCESSFUL = frozenset({S.FAILED, S.ROLLED_BACK})


def _acceptance_passed(release: Release) -> str | None:
    results = list(release.acceptance_criteria.values_list("result", flat=True))
    if not results:
        return _("Record at least one acceptance criterion and its test result first.")
    open_items = sum(1 for r in results if r != AcceptanceCriterion.Result.PASSED)
    if open_items:
        return _("%(n)d of %(total)d acceptance criteria have not passed.") % {
            "n": open_items,
            "total": len(results),
        }
    return None


def _ready_for_approval(release: Release) -> str | None:
    from servitium.changes.lifecycle import APPROVED_OR_LATER

    if not (release.rollback_plan or "").strip():
        return _("A release is approved only with a rollback plan.")
    pending = release.changes.exclude(status__in=APPROVED_OR_LATER)
    if pending.exists():
        refs = ", ".join(pending.order_by("reference").values_list("reference", flat=True)[:10])
        return _("These changes are not approved yet: %(refs)s.") % {"refs": refs}
    if release.planned_start is None:
        return _("Plan the deployment date before approval.")
    return None


def _has_rollback_plan(release: Release) -> str | None:
    if not (release.rollback_plan or "").strip():
        return _("There is no rollback plan to carry out.")
    return None


RELEASE_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition("build", frozenset({S.PLANNED}), S.BUILDING, gettext_lazy("Start build and test")),
        Transition(
            "accept", frozenset({S.BUILDING}), S.ACCEPTED, gettext_lazy("Accept"), guard=_acceptance_passed
        ),
        Transition(
            "approve",
            frozenset({S.ACCEPTED}),
            S.APPROVED,
            gettext_lazy("Approve for deployment"),
            action=APPROVE,
            guard=_ready_for_approval,
        ),
        Transition("deploy", frozenset({S.APPROVED}), S.DEPLOYING, gettext_lazy("Start deployment")),
        Transition("complete", frozenset({S.DEPLOYING}), S.DEPLOYED, gettext_lazy("Deployed successfully")),
        Transition(
            "fail",
            frozenset({S.DEPLOYING}),
            S.FAILED,
            gettext_lazy("Deployment failed"),
            needs=("failure_reason",),
        ),
        Transition(
            "roll_back",
            frozenset({S.DEPLOYING, S.DEPLOYED}),
            S.ROLLED_BACK,
            gettext_lazy("Roll back"),
            needs=("rollback_notes",),
            guard=_has_rollback_plan,
        ),
        Transition("review", AFTER_DEPLOYMENT, S.REVIEWED, gettext_lazy("Review"), needs=("review_notes",)),
        Transition("close", frozenset({S.REVIEWED}), S.CLOSED, gettext_lazy("Close")),
        Transition("cancel", BEFORE_DEPLOYMENT, S.CANCELLED, gettext_lazy("Cancel")),
    ],
)
