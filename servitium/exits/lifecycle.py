"""Lifecycles of exit plans and data exports, with their guards in plain words.

Exit plan: draft -> agreed (with the customer, by one of its people: recorded by staff with `agree`, or
acknowledged by a customer user in the portal with `acknowledge`) -> handing over -> handed over (an
export of the plan acknowledged by the customer, every item to hand over or transfer done) -> disposed
(the disposal recorded, not before the plan allows it) -> closed (every item done, handovers recorded);
cancelled from draft or agreed.

Data export: queued -> building -> ready (or failed) are the builder's; ready -> handed over (staff) ->
acknowledged (the customer, or staff recording the customer's receipt) are the users'.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from servitium.core.workflow import Transition, Workflow

from .models import DataExport, ExitItem, ExitPlan

S = ExitPlan.Status
A = ExitItem.Action
HANDED = (A.HAND_OVER, A.TRANSFER)


def agreeable(plan: ExitPlan) -> str | None:
    if not plan.effective_end:
        return _("Give the date the service ends first.")
    if not (plan.exit_terms or "").strip():
        return _("Describe the exit procedure and the contract or agreement clauses it follows first.")
    if not plan.customer_contact_id:
        return _("Name the customer's contact for the exit first.")
    if plan.is_transfer and not plan.receiving_party.strip():
        return _("Name the receiving party of the transfer first.")
    if not plan.pk or not plan.items.exists():
        return _("List what is handed over, archived, transferred or disposed of (the inventory) first.")
    return None


def can_start_handover(plan: ExitPlan) -> str | None:
    if not plan.items.exists():
        return _("The inventory is empty.")
    return None


def handover_complete(plan: ExitPlan) -> str | None:
    if not plan.exports.filter(status=DataExport.Status.ACKNOWLEDGED).exists():
        return _("The customer has not yet acknowledged receipt of an export of its data.")
    open_items = plan.items.filter(action__in=HANDED, done_at__isnull=True).count()
    if open_items:
        return _("%(n)d items to hand over or transfer are not done yet.") % {"n": open_items}
    if not plan.handovers.exists():
        return _("Record the handover (to whom, when, how) first.")
    return None


def disposal_complete(plan: ExitPlan) -> str | None:
    if plan.dispose_not_before and timezone.localdate() < plan.dispose_not_before:
        return _("The plan allows disposal only from %(day)s.") % {"day": plan.dispose_not_before}
    if not plan.disposals.exists():
        return _("Record the disposal (what, how, evidence) first.")
    open_items = plan.items.filter(action=A.DISPOSE, done_at__isnull=True).count()
    if open_items:
        return _("%(n)d items to dispose of are not done yet.") % {"n": open_items}
    return None


# Where the exit stands once the customer holds its data: a subscription may end from here on.
DATA_RECEIVED = (S.HANDED_OVER, S.DISPOSED, S.CLOSED)


def subscription_exit_refusal(subscription) -> str | None:
    """Guard on a cloud subscription's `complete_termination` (registered in apps.ready): it ends only
    under an exit plan whose handover is complete, i.e. the customer acknowledged receipt of its export."""
    plans = list(subscription.exit_plans.exclude(status=S.CANCELLED).order_by("-created"))
    if not plans:
        return _(
            "No exit plan names this subscription: record the exit (inventory, export of the customer's "
            "data, handover) before the subscription ends."
        )
    if any(p.status in DATA_RECEIVED for p in plans):
        return None
    plan = plans[0]
    why = handover_complete(plan) or _("its handover is not complete yet")
    return _("The exit %(ref)s is %(status)s: %(why)s") % {
        "ref": plan.reference,
        "status": plan.get_status_display(),
        "why": why,
    }


def closable(plan: ExitPlan) -> str | None:
    open_items = plan.items.filter(done_at__isnull=True).count()
    if open_items:
        return _("%(n)d items of the inventory are not done yet.") % {"n": open_items}
    return None


# A permission action customers hold on their own exit plans (agreeing a draft) and exports (receipt).
ACKNOWLEDGE = "acknowledge"

PLAN_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition(
            "agree",
            frozenset({S.DRAFT}),
            S.AGREED,
            _lazy("Agreed with the customer"),
            needs=("agreed_by",),
            guard=agreeable,
        ),
        # The customer's own user agrees the plan (the portal); agreed_by is that user's person.
        Transition(
            "acknowledge",
            frozenset({S.DRAFT}),
            S.AGREED,
            _lazy("Acknowledged by the customer"),
            action=ACKNOWLEDGE,
            guard=agreeable,
        ),
        Transition(
            "start_handover",
            frozenset({S.AGREED}),
            S.HANDING_OVER,
            _lazy("Start the handover"),
            guard=can_start_handover,
        ),
        Transition(
            "complete_handover",
            frozenset({S.HANDING_OVER}),
            S.HANDED_OVER,
            _lazy("Handover complete"),
            guard=handover_complete,
        ),
        Transition(
            "complete_disposal",
            frozenset({S.HANDED_OVER}),
            S.DISPOSED,
            _lazy("Disposal complete"),
            guard=disposal_complete,
        ),
        Transition("close", frozenset({S.DISPOSED}), S.CLOSED, _lazy("Close"), guard=closable),
        Transition("cancel", frozenset({S.DRAFT, S.AGREED}), S.CANCELLED, _lazy("Cancel")),
    ],
)

E = DataExport.Status

EXPORT_WORKFLOW = Workflow(
    states=E.values,
    transitions=[
        Transition("hand_over", frozenset({E.READY}), E.HANDED_OVER, _lazy("Handed over")),
        Transition(
            "acknowledge",
            frozenset({E.HANDED_OVER}),
            E.ACKNOWLEDGED,
            _lazy("Receipt acknowledged"),
            action=ACKNOWLEDGE,
        ),
    ],
)
