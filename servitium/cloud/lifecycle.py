"""Lifecycles of the cloud records.

A subscription: ordered -> onboarding -> live -> terminating -> terminated, or cancelled before it went
live. Going live needs the onboarding checklist done and accepted by the customer. The two termination
steps are kept plain here: another app (the exit plan) adds its own rule to them through core.hooks
(`register_guard("cloud.subscription", "terminate" | "complete_termination", ...)`).

A resource request: created as approved (within the quota) or awaiting approval (beyond it); a cloud
manager approves or rejects one awaiting approval; an approved one is fulfilled.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from servitium.core.workflow import Transition, Workflow

from .models import ResourceRequest, Subscription, TaskKind

S = Subscription.Status
R = ResourceRequest.Status


def ready_to_go_live(subscription: Subscription) -> str | None:
    """Why the subscription cannot go live yet (None: it can)."""
    if not subscription.pk:
        return _("Start onboarding first.")
    open_titles = list(subscription.tasks.filter(done_at__isnull=True).values_list("title", flat=True)[:5])
    if open_titles:
        return _("The onboarding checklist is not complete: %(titles)s.") % {"titles": "; ".join(open_titles)}
    if not subscription.tasks.filter(kind=TaskKind.ACCEPTANCE).exists() or subscription.accepted_at is None:
        return _("The customer has not accepted the onboarding yet.")
    return None


SUBSCRIPTION_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition("start_onboarding", frozenset({S.ORDERED}), S.ONBOARDING, _lazy("Start onboarding")),
        Transition("go_live", frozenset({S.ONBOARDING}), S.LIVE, _lazy("Go live"), guard=ready_to_go_live),
        Transition(
            "terminate",
            frozenset({S.LIVE}),
            S.TERMINATING,
            _lazy("Give notice of termination"),
            needs=("effective_end",),
        ),
        Transition(
            "complete_termination", frozenset({S.TERMINATING}), S.TERMINATED, _lazy("Complete termination")
        ),
        Transition("cancel", frozenset({S.ORDERED, S.ONBOARDING}), S.CANCELLED, _lazy("Cancel")),
    ],
)

REQUEST_WORKFLOW = Workflow(
    states=R.values,
    transitions=[
        Transition("approve", frozenset({R.PENDING}), R.APPROVED, _lazy("Approve"), action="approve"),
        Transition(
            "reject", frozenset({R.PENDING}), R.REJECTED, _lazy("Reject"), action="approve", needs=("reason",)
        ),
        Transition("fulfil", frozenset({R.APPROVED}), R.FULFILLED, _lazy("Fulfil")),
    ],
)
