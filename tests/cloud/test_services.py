"""The rules of the cloud lifecycle, service by service: the checklist from the template, going live,
notice and termination (and the hook point another app guards them through), resource requests against
the quota and their fulfilment, usage taken in all or nothing, and the selectors the page draws."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from servitium.cloud import selectors, services
from servitium.cloud.models import ResourceRequest, SubscriptionQuota, UsageRecord
from servitium.core import hooks
from servitium.core.approval import SelfApproval
from servitium.core.errors import TransitionNotAllowed
from tests import factories
from tests.agreements.test_agreements import agreed
from tests.cloud.conftest import live, offering, quota, subscription, template


def test_onboarding_lays_out_the_templates_checklist_with_owners_and_due_dates(ctx):
    lead = factories.person("Olga Lead", ctx.provider)
    offer = template(offering()).offering
    step = offer.onboarding_template.tasks.get(kind="accounts")
    step.owner = lead
    step.save()
    sub = subscription(ctx.org_a, offer)
    day = dt.date(2026, 3, 2)
    sub = services.subscription_transition(actor=None, instance=sub, transition="start_onboarding", today=day)
    tasks = list(sub.tasks.order_by("order", "id"))
    assert [(t.kind, t.party, t.due_on) for t in tasks] == [
        ("accounts", "provider", day + dt.timedelta(days=3)),
        ("training", "customer", day + dt.timedelta(days=5)),
        ("acceptance", "customer", day + dt.timedelta(days=7)),  # added: a checklist ends with acceptance
    ]
    assert tasks[0].owner == lead and sub.onboarding_started_on == day


def test_going_live_needs_every_task_done_and_the_customers_acceptance(ctx):
    sub = subscription(ctx.org_a, template(offering()).offering)
    sub = services.subscription_transition(actor=None, instance=sub, transition="start_onboarding")
    with pytest.raises(TransitionNotAllowed, match="not complete"):
        services.subscription_transition(actor=None, instance=sub, transition="go_live")
    accounts, training, acceptance = sub.tasks.order_by("order", "id")
    services.task_complete(actor=None, instance=accounts)
    with pytest.raises(TransitionNotAllowed, match="still open"):
        services.task_complete(actor=ctx.customer_a, instance=acceptance)
    services.task_complete(actor=ctx.customer_a, instance=training)
    staff = factories.user("cm1", ctx.provider, ["cloud-manager"])
    with pytest.raises(TransitionNotAllowed, match="Only the customer"):
        services.task_complete(actor=staff, instance=acceptance)
    with pytest.raises(TransitionNotAllowed, match="provider"):
        services.task_complete(actor=ctx.customer_b, instance=training)
    services.task_complete(actor=ctx.customer_a, instance=acceptance)
    with pytest.raises(TransitionNotAllowed, match="done already"):
        services.task_complete(actor=ctx.customer_a, instance=acceptance)
    sub.refresh_from_db()
    assert sub.accepted_by == ctx.customer_a and sub.accepted_at is not None
    sub = services.subscription_transition(actor=staff, instance=sub, transition="go_live")
    assert sub.status == "live" and sub.live_on == timezone.localdate()
    assert sub.offering.service.customers.filter(pk=ctx.org_a.pk).exists()
    with pytest.raises(ValidationError):
        services.task_create(actor=None, data={"subscription": sub, "title": "Late", "kind": "other"})


def test_notice_and_termination_and_the_guard_hook(ctx):
    sub = live(ctx.org_a)
    with pytest.raises(ValidationError) as missing:
        services.subscription_transition(actor=None, instance=sub, transition="terminate")
    assert "effective_end" in missing.value.message_dict
    with pytest.raises(ValidationError):
        services.subscription_transition(
            actor=None, instance=sub, transition="terminate", data={"effective_end": "2000-01-01"}
        )

    def no_exit_plan(subscription):
        return "An exit plan is needed first."

    hooks.register_guard("cloud.subscription", "terminate", no_exit_plan)
    try:
        with pytest.raises(TransitionNotAllowed, match="exit plan"):
            services.subscription_transition(
                actor=None, instance=sub, transition="terminate", data={"effective_end": "2099-01-31"}
            )
    finally:
        hooks._GUARDS[("cloud.subscription", "terminate")].clear()
    notice = timezone.localdate()
    sub = services.subscription_transition(
        actor=None,
        instance=sub,
        transition="terminate",
        data={"effective_end": str(notice + dt.timedelta(days=90))},
    )
    assert sub.status == "terminating" and sub.notice_given_on == notice
    assert sub.effective_end == notice + dt.timedelta(days=90)
    # It ends only under an exit plan that handed the customer its data (the exits app's guard).
    with pytest.raises(TransitionNotAllowed, match="No exit plan names this subscription"):
        services.subscription_transition(actor=None, instance=sub, transition="complete_termination")
    from servitium.exits.models import ExitPlan

    plan = ExitPlan.objects.create(reference="EXT-T1", customer=sub.customer, kind="termination")
    plan.subscriptions.add(sub)
    with pytest.raises(TransitionNotAllowed, match="EXT-T1 is draft"):
        services.subscription_transition(actor=None, instance=sub, transition="complete_termination")
    ExitPlan.objects.filter(pk=plan.pk).update(status=ExitPlan.Status.HANDED_OVER)
    sub = services.subscription_transition(actor=None, instance=sub, transition="complete_termination")
    assert sub.status == "terminated" and sub.end == timezone.localdate()


def test_cancel_only_before_going_live(ctx):
    sub = subscription(ctx.org_a)
    assert (
        services.subscription_transition(actor=None, instance=sub, transition="cancel").status == "cancelled"
    )
    with pytest.raises(TransitionNotAllowed):
        services.subscription_transition(actor=None, instance=live(ctx.org_a), transition="cancel")


def test_agreement_must_be_the_customers_for_the_offerings_service(ctx):
    offer = offering()
    with pytest.raises(ValidationError) as other_service:
        subscription(ctx.org_a, offer, agreement=agreed(ctx.org_a))
    assert "another service" in str(other_service.value)
    with pytest.raises(ValidationError) as other_customer:
        subscription(ctx.org_a, offer, agreement=agreed(ctx.org_b, offer.service))
    assert "another customer" in str(other_customer.value)


def _ask(sub, change, resource="vCPU", actor=None):
    return services.request_create(
        actor=actor,
        data={"subscription": sub, "resource": resource, "change": Decimal(change), "justification": "j"},
    )


def test_requests_are_judged_against_the_quota_with_what_is_approved_already(ctx):
    sub = live(ctx.org_a)
    quota(sub, limit="16", allocated="8")
    first = _ask(sub, "6")
    assert first.status == "approved" and first.within_quota
    second = _ask(sub, "4")  # 8 allocated + 6 approved + 4 > 16
    assert second.status == "pending" and not second.within_quota
    assert _ask(sub, "-2").within_quota  # releasing is within the quota
    assert _ask(sub, "1", resource="GPU").status == "pending"  # a new resource needs approval
    with pytest.raises(ValidationError) as too_much:
        _ask(sub, "-100")
    assert "change" in too_much.value.message_dict
    with pytest.raises(ValidationError) as not_live:
        _ask(subscription(ctx.org_a), "1")
    assert "subscription" in not_live.value.message_dict


def test_the_requester_does_not_decide_and_fulfilment_updates_quota_and_cost(ctx):
    sub = live(ctx.org_a)
    quota(sub, limit="16", allocated="8", price="10.00")
    requester = factories.user("cm_req", ctx.provider, ["cloud-manager"])
    approver = factories.user("cm_app", ctx.provider, ["cloud-manager"])
    big = _ask(sub, "12", actor=requester)
    with pytest.raises(SelfApproval):
        services.request_transition(actor=requester, instance=big, transition="approve")
    big = services.request_transition(actor=approver, instance=big, transition="approve", note="Budget holds")
    assert big.decided_by == approver and big.decision_reason == "Budget holds"
    big = services.request_transition(
        actor=approver, instance=big, transition="fulfil", data={"allocation_note": "vm-1..vm-3"}
    )
    assert big.total_cost == Decimal("120.00") and big.unit_cost == Decimal("10.00")
    vcpu = SubscriptionQuota.objects.get(subscription=sub, resource="vCPU")
    assert vcpu.allocated == Decimal("20") and vcpu.limit == Decimal("20")  # the approved quota is raised
    gpu = _ask(sub, "2", resource="GPU")
    gpu = services.request_transition(actor=approver, instance=gpu, transition="approve")
    with pytest.raises(ValidationError) as no_price:
        services.request_transition(actor=approver, instance=gpu, transition="fulfil")
    assert "unit_cost" in no_price.value.message_dict
    gpu = services.request_transition(
        actor=approver, instance=gpu, transition="fulfil", data={"unit_cost": "250"}
    )
    assert SubscriptionQuota.objects.get(subscription=sub, resource="GPU").allocated == Decimal("2")
    profile = selectors.cost_profile(sub, ctx.admin)
    assert profile["total"] == Decimal("700.00")  # 20 x 10 + 2 x 250
    assert [r.pk for r in profile["fulfilled"]] == [gpu.pk, big.pk]
    rejected = _ask(sub, "50")
    with pytest.raises(ValidationError):
        services.request_transition(actor=approver, instance=rejected, transition="reject")
    rejected = services.request_transition(
        actor=approver, instance=rejected, transition="reject", data={"reason": "Not in budget"}
    )
    assert rejected.status == ResourceRequest.Status.REJECTED and rejected.decision_reason == "Not in budget"


def _row(sub, month=1, quantity="5", resource="vCPU", **extra):
    start = dt.date(2026, month, 1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return {
        "subscription": sub.pk,
        "resource": resource,
        "period_start": str(start),
        "period_end": str(end),
        "quantity": quantity,
        **extra,
    }


def test_usage_is_taken_all_or_nothing_naming_the_bad_row(ctx):
    sub = live(ctx.org_a)
    with pytest.raises(ValidationError) as bad:
        services.usage_record(actor=None, rows=[_row(sub), _row(sub, 2, quantity="-1")], subscriptions=[sub])
    assert "Row 1, quantity" in str(bad.value)
    with pytest.raises(ValidationError) as twice:
        services.usage_record(actor=None, rows=[_row(sub), _row(sub)], subscriptions=[sub])
    assert "Row 1, period_start" in str(twice.value)
    with pytest.raises(ValidationError) as foreign:
        services.usage_record(actor=None, rows=[_row(sub)], subscriptions=[])
    assert "Row 0, subscription" in str(foreign.value)
    with pytest.raises(ValidationError) as extra:
        services.usage_record(actor=None, rows=[_row(sub, colour="red")], subscriptions=[sub])
    assert "Row 0, colour" in str(extra.value)
    assert not UsageRecord.objects.exists()
    stored = services.usage_record(
        actor=None, rows=[_row(sub), {**_row(sub, 2), "subscription": sub.reference}], subscriptions=[sub]
    )
    assert len(stored) == 2
    with pytest.raises(ValidationError) as again:
        services.usage_record(actor=None, rows=[_row(sub, 3), _row(sub, 2)], subscriptions=[sub])
    assert "Row 1, period_start" in str(again.value) and UsageRecord.objects.count() == 2


def test_usage_against_quota_flags_use_above_it(ctx):
    sub = live(ctx.org_a)
    quota(sub, limit="10")
    services.usage_record(
        actor=None,
        rows=[_row(sub, 1, "5"), _row(sub, 2, "12"), _row(sub, 2, "3", resource="Seats")],
        subscriptions=[sub],
    )
    rows = {
        (r.record.resource, r.record.period_start.month): r
        for r in selectors.usage_against_quota(sub, ctx.admin)
    }
    assert rows[("vCPU", 1)].percent == 50.0 and not rows[("vCPU", 1)].over
    assert rows[("vCPU", 2)].percent == 120.0 and rows[("vCPU", 2)].over
    assert rows[("Seats", 2)].limit is None and rows[("Seats", 2)].percent is None
    charted = selectors.usage_charts(sub, ctx.admin, today=dt.date(2026, 3, 15))
    assert len(charted) == 1 and "<svg" in charted[0]["svg"] and charted[0]["latest"] == Decimal("12")
    assert "<svg" in selectors.quota_bars(charted)


def test_csv_usage_names_the_line(ctx):
    sub = live(ctx.org_a)
    text = (
        "subscription,resource,period_start,period_end,quantity\n"
        f"{sub.reference},vCPU,2026-01-01,2026-01-31,x\n"
    )
    with pytest.raises(ValidationError) as bad:
        services.usage_from_csv(actor=None, content=text.encode())
    assert "Line 2, quantity" in str(bad.value)
    with pytest.raises(ValidationError) as header:
        services.usage_from_csv(actor=None, content=b"a,b\n1,2\n")
    assert "file" in header.value.message_dict
    with pytest.raises(ValidationError):
        services.usage_from_csv(actor=None, content=b"\xff\xfe")
    stored = services.usage_from_csv(actor=None, content=text.replace(",x", ",4").encode(), name="jan.csv")
    assert stored[0].source == "CSV upload jan.csv"
