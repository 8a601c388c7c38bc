"""Conformity checks of exit and transfer: each shows "met" on good records and names a planted gap."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.core.checks import MET, NOT_APPLICABLE, NOT_MET, PARTLY_MET, REGISTRY
from servitium.exits import checks, services
from servitium.exits.models import DataExport, DisposalRecord, ExitItem, ExitPlan
from tests.exits.builders import closed_exit
from tests.exits.conftest import item, plan

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def _closed(ctx, staff):
    return closed_exit(ctx, manager=staff.manager, contact=staff.contact)


def test_checks_are_bound_to_leaf_ids():
    ids = [c for c in REGISTRY if c.startswith("exits.")]
    assert len(ids) == 6
    for check_id in ids:
        assert all(r.startswith("iso20000-1:") for r in REGISTRY[check_id].requirements)


def test_nothing_to_judge_is_not_applicable(ctx):
    assert checks.plans_have_inventory().status == NOT_APPLICABLE
    assert checks.no_early_disposal().status == NOT_APPLICABLE


def test_a_closed_exit_meets_every_check(ctx, staff):
    _closed(ctx, staff)
    for check_id in [c for c in REGISTRY if c.startswith("exits.")]:
        result = REGISTRY[check_id].run()
        assert result.status in (MET, NOT_APPLICABLE), (check_id, result.message)
    assert checks.closed_plans_recorded().status == MET
    assert checks.no_early_disposal().status == MET
    assert checks.handed_over_exports_acknowledged().status == MET


def test_planted_gaps_are_found(ctx, staff):
    closed = _closed(ctx, staff)
    good = plan(ctx.org_a, contact=staff.contact)
    services.plan_transition(
        actor=None, instance=good, transition="agree", data={"agreed_by": staff.contact.pk}
    )
    # an agreed plan whose inventory is gone; an export handed over but never acknowledged
    ExitItem.objects.filter(plan=good).delete()
    assert checks.plans_have_inventory().status == PARTLY_MET
    DataExport.objects.filter(plan=closed).update(status="handed_over")
    assert checks.handed_over_exports_acknowledged().status == NOT_MET
    # a disposal dated before the plan allowed it
    DisposalRecord.objects.filter(plan=closed).update(disposed_at=timezone.now() - dt.timedelta(days=30))
    assert checks.no_early_disposal().status == NOT_MET
    # a closed plan with an item never done
    item_ = ExitItem.objects.filter(plan=closed).first()
    ExitItem.objects.filter(pk=item_.pk).update(done_at=None)
    assert checks.closed_plans_recorded().status == NOT_MET
    # an item overdue
    late = plan(ctx.org_a, contact=staff.contact)
    item(late, due_on=YESTERDAY)
    services.plan_transition(
        actor=None, instance=late, transition="agree", data={"agreed_by": staff.contact.pk}
    )
    assert checks.inventory_on_time().status in (NOT_MET, PARTLY_MET)
    ExitPlan.objects.filter(pk=late.pk).update(agreed_by=None)
    assert REGISTRY["exits.plans_agreed_with_customer"].run().status == PARTLY_MET
