"""The cloud checks, both ways: a well-kept subscription meets every one; each planted gap fails the
check bound to the right leaf and names the record; subscriptions not yet live are no evidence."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

import servitium
from servitium.cloud import services
from servitium.cloud.models import ResourceRequest, Subscription, UsageRecord
from servitium.core.checks import MET, NOT_APPLICABLE, NOT_MET, PARTLY_MET, REGISTRY
from tests import factories
from tests.cloud.builders import last_month_row, well_kept_subscription
from tests.cloud.conftest import live, quota, subscription

FAILING = (NOT_MET, PARTLY_MET)


def run(check_id: str):
    return REGISTRY[check_id].run()


def ours():
    return sorted(c.id for c in REGISTRY.values() if c.id.startswith("cloud."))


def test_requirements_are_leaves_of_the_catalogues():
    leaves = set()
    for edition in ("2011", "2018"):
        path = Path(servitium.__file__).parent / "conformity" / "frameworks" / f"iso20000-1-{edition}.yaml"
        data = yaml.safe_load(path.read_text())

        def walk(nodes, slug=data["slug"]):
            for node in nodes:
                if node.get("children"):
                    walk(node["children"])
                else:
                    leaves.add(f"{slug}#{node['id']}")

        walk(data["requirements"])
    assert len(ours()) == 9
    for check_id in ours():
        check = REGISTRY[check_id]
        assert set(check.requirements) <= leaves, check.id
        assert any(r.startswith("iso20000-1:2011#") for r in check.requirements), check.id
        assert any(r.startswith("iso20000-1:2018#") for r in check.requirements), check.id


@pytest.fixture
def well_kept(ctx):
    return well_kept_subscription(
        ctx.org_a,
        requester=factories.user("req", ctx.org_a, ["customer"]),
        manager=factories.user("mgr", ctx.provider, ["cloud-manager"]),
    )


def test_not_live_subscriptions_are_no_evidence(ctx):
    subscription(ctx.org_a, agreement=False, tenant_identifier="", account_identifiers=[])
    for check_id in ours():
        assert run(check_id).status == NOT_APPLICABLE, check_id


def test_a_well_kept_subscription_meets_every_check(well_kept):
    for check_id in ours():
        result = run(check_id)
        assert result.status == MET, (check_id, result.message)


def _fails_naming(check_id: str, record) -> None:
    result = run(check_id)
    assert result.status in FAILING, (check_id, result.message)
    assert str(record) in result.message or record.pk in [g.object_id for g in result.gaps], result.message


def test_no_agreed_agreement(well_kept):
    from servitium.agreements import services as agreement_services

    agreement_services.agreement_transition(actor=None, instance=well_kept.agreement, transition="reopen")
    _fails_naming("cloud.subscriptions_agreed", well_kept)


def test_live_without_accepted_onboarding(ctx, well_kept):
    planted = subscription(ctx.org_a)
    Subscription.objects.filter(pk=planted.pk).update(status="live", live_on=timezone.localdate())
    _fails_naming("cloud.onboarding_accepted", planted)


def test_no_tenant_or_accounts_and_no_quota(ctx, well_kept):
    planted = live(ctx.org_a, account_identifiers=[])
    _fails_naming("cloud.subscriptions_identify_accounts", planted)
    _fails_naming("cloud.subscriptions_have_quotas", planted)


def test_beyond_quota_fulfilled_without_approval_and_without_cost(well_kept):
    fulfilled = ResourceRequest.objects.get(subscription=well_kept)
    ResourceRequest.objects.filter(pk=fulfilled.pk).update(decided_at=None, total_cost=None)
    _fails_naming("cloud.beyond_quota_approved", fulfilled)
    _fails_naming("cloud.fulfilled_requests_costed", fulfilled)


def test_approved_request_left_unfulfilled(well_kept):
    waiting = services.request_create(
        actor=None,
        data={"subscription": well_kept, "resource": "vCPU", "change": Decimal(-1), "justification": "Less"},
    )
    assert run("cloud.approved_requests_fulfilled").status == MET  # approved today: not late yet
    ResourceRequest.objects.filter(pk=waiting.pk).update(created=timezone.now() - dt.timedelta(days=40))
    _fails_naming("cloud.approved_requests_fulfilled", waiting)


def test_month_without_usage(ctx, well_kept):
    planted = live(ctx.org_a, today=timezone.localdate() - dt.timedelta(days=70))
    quota(planted)
    _fails_naming("cloud.usage_recorded", planted)


def test_use_above_quota_without_request_or_note(ctx, well_kept):
    planted = live(ctx.org_a, today=timezone.localdate() - dt.timedelta(days=70))
    quota(planted, limit="4", allocated="4")
    used = services.usage_record(actor=None, rows=[last_month_row(planted, "7")], subscriptions=[planted])[0]
    _fails_naming("cloud.usage_over_quota_handled", used)
    UsageRecord.objects.filter(pk=used.pk).update(
        note="Burst during the migration, agreed with the customer."
    )
    assert run("cloud.usage_over_quota_handled").status == MET
