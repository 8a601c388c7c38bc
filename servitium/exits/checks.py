"""Conformity checks evidenced by exit and transfer records (ISO/IEC 20000-9 S13, S14).

Bound to the leaf obligations they show: the removal or transfer of a customer's service is planned with
what happens to its data, documents and components (2011 5.2.s4; 2018 8.5.2.1.s2 removal, 8.5.2.1.s3
transfer) — every plan past agreement has an inventory, every closed plan records its handovers and
disposals; what is handed over reaches the customer and is acknowledged (2011 5.2.s4; 2018 8.5.2.1.s2,
8.5.2.1.s3); nothing is disposed of before the plan allows it (2011 4.3.3.s2; 2018 7.5.3.s6, retention and
disposal controlled); the plan is agreed with the customer (2011 5.2.s2; 2018 8.3.2.s3, communication with
customers on their changing needs).
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext as _

from servitium.core.checks import CheckResult, record_rule, register, tally

from .models import DataExport, DisposalRecord, ExitItem, ExitPlan, HandoverRecord

S = ExitPlan.Status
PAST_AGREEMENT = (S.AGREED, S.HANDING_OVER, S.HANDED_OVER, S.DISPOSED, S.CLOSED)


@register(
    "exits.plans_have_inventory",
    requirements=["iso20000-1:2011#5.2.s4", "iso20000-1:2018#8.5.2.1.s2", "iso20000-1:2018#8.5.2.1.s3"],
    title=_("Every exit plan past agreement lists what is handed over, archived, transferred or disposed of"),
)
def plans_have_inventory() -> CheckResult:
    plans = ExitPlan.objects.filter(status__in=PAST_AGREEMENT).annotate(
        listed=Exists(ExitItem.objects.filter(plan=OuterRef("pk")))
    )
    return CheckResult.from_tally(
        tally(plans, Q(listed=True)),
        met=_("All %(n)d exit plans past agreement have an inventory."),
        not_met=_("%(bad)d of %(n)d exit plans past agreement list nothing to hand over or dispose of."),
        none=_("No exit plan has been agreed."),
    )


@register(
    "exits.handed_over_exports_acknowledged",
    requirements=["iso20000-1:2011#5.2.s4", "iso20000-1:2018#8.5.2.1.s2", "iso20000-1:2018#8.5.2.1.s3"],
    title=_("Every data export handed over to a customer was acknowledged as received"),
)
def handed_over_exports_acknowledged() -> CheckResult:
    exports = DataExport.objects.filter(
        status__in=(DataExport.Status.HANDED_OVER, DataExport.Status.ACKNOWLEDGED)
    )
    return CheckResult.from_tally(
        tally(exports, Q(status=DataExport.Status.ACKNOWLEDGED)),
        met=_("All %(n)d handed-over exports were acknowledged by the customer."),
        not_met=_("%(bad)d of %(n)d handed-over exports have no acknowledgement of receipt."),
        none=_("No export has been handed over."),
    )


@register(
    "exits.no_early_disposal",
    requirements=["iso20000-1:2011#4.3.3.s2", "iso20000-1:2018#7.5.3.s6", "iso20000-1:2011#5.2.s4"],
    title=_("Nothing of a customer's was disposed of before its exit plan allowed it"),
)
def no_early_disposal() -> CheckResult:
    acknowledged = DataExport.objects.filter(
        plan=OuterRef("plan"),
        status=DataExport.Status.ACKNOWLEDGED,
        acknowledged_at__lte=OuterRef("disposed_at"),
    )
    disposals = DisposalRecord.objects.annotate(acknowledged=Exists(acknowledged))
    early = Q(plan__dispose_not_before__isnull=True) | Q(plan__dispose_not_before__gt=F("disposed_at__date"))
    return CheckResult.from_tally(
        tally(disposals, ~early & Q(acknowledged=True)),
        met=_("All %(n)d disposals came after the plan's date and the customer's acknowledgement."),
        not_met=_(
            "%(bad)d of %(n)d disposals came before the plan allowed them or before the customer "
            "acknowledged its export."
        ),
        none=_("Nothing has been disposed of under an exit plan."),
    )


@register(
    "exits.closed_plans_recorded",
    requirements=["iso20000-1:2011#5.2.s4", "iso20000-1:2018#8.5.2.1.s2", "iso20000-1:2018#8.5.2.1.s3"],
    title=_("Every closed exit plan records its handovers and disposals, and every item is done"),
)
def closed_plans_recorded() -> CheckResult:
    plans = ExitPlan.objects.filter(status=S.CLOSED).annotate(
        handed=Exists(HandoverRecord.objects.filter(plan=OuterRef("pk"))),
        disposed=Exists(DisposalRecord.objects.filter(plan=OuterRef("pk"))),
        open_items=Exists(ExitItem.objects.filter(plan=OuterRef("pk"), done_at__isnull=True)),
    )
    return CheckResult.from_tally(
        tally(plans, Q(handed=True, disposed=True, open_items=False)),
        met=_("All %(n)d closed exit plans record their handovers and disposals."),
        not_met=_("%(bad)d of %(n)d closed exit plans lack a handover, a disposal or a done item."),
        none=_("No exit plan is closed."),
    )


record_rule(
    "exits.plans_agreed_with_customer",
    requirements=["iso20000-1:2011#5.2.s2", "iso20000-1:2018#8.3.2.s3"],
    title=_("Every exit plan past draft was agreed with a named person of the customer"),
    model="exits.ExitPlan",
    where={"status__in": PAST_AGREEMENT},
    every=Q(agreed_by__isnull=False, agreed_on__isnull=False),
)


@register(
    "exits.inventory_on_time",
    requirements=["iso20000-1:2011#5.2.s4", "iso20000-1:2018#8.5.2.1.s2", "iso20000-1:2018#8.5.2.1.s3"],
    title=_("The inventory items of open exit plans are done by their due date"),
)
def inventory_on_time() -> CheckResult:
    from django.utils import timezone

    today = timezone.localdate()
    # Drafts count too: an item past its date in a plan not yet agreed is as late for the customer.
    items = ExitItem.objects.filter(
        plan__status__in=(S.DRAFT, S.AGREED, S.HANDING_OVER, S.HANDED_OVER, S.DISPOSED), due_on__isnull=False
    )
    late = Q(done_at__isnull=True, due_on__lt=today) | Q(done_at__date__gt=F("due_on"))
    return CheckResult.from_tally(
        tally(items, ~late),
        met=_("All %(n)d items with a due date are done on time or not yet due."),
        not_met=_("%(bad)d of %(n)d inventory items are overdue or were done late."),
        none=_("No open exit plan has items with a due date."),
    )
