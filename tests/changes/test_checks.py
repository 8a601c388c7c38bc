"""Conformity checks of change management on crafted data (met / not met)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from servitium.changes import checks
from servitium.changes.models import Change, ChangePolicy
from servitium.core import services as core_services
from servitium.core.checks import REGISTRY
from tests import factories
from tests.changes.conftest import change
from tests.changes.test_lifecycle import decide, move

pytestmark = pytest.mark.django_db


def _update(obj, **data):
    Change.objects.filter(pk=obj.pk).update(**data)


def test_registered_with_the_obligations_of_both_editions():
    ours = [c for c in REGISTRY.values() if c.id.startswith("changes.") and c.kind == "check"]
    assert len(ours) == 7
    # Catalogue entries altered under change control: the 2011 service-level clause asks it (6.1.s7).
    catalogue = REGISTRY["changes.catalogue_entries_changed_under_control"]
    assert list(catalogue.requirements) == ["iso20000-1:2011#6.1.s7"]
    for check in ours:
        if check is catalogue:
            continue
        assert any(r.startswith("iso20000-1:2011#9.2.") for r in check.requirements), check.id
        assert any(r.startswith("iso20000-1:2018#8.5.1.") for r in check.requirements), check.id


def test_policy_defined(chg):
    assert checks.policy_defined().status == "not_met"  # no emergency procedure yet
    core_services.record_update(
        instance=chg.policy, data={"emergency_procedure": "Call the ECAB on duty."}, actor=None
    )
    result = checks.policy_defined()
    assert result.status == "met" and result.figures["controlled_ci_types"] == 2
    ChangePolicy.objects.update(active=False)
    assert checks.policy_defined().status == "not_met"


def test_approved_before_implementation(chg):
    assert checks.approved_before_implementation().status == "not_applicable"
    good = change(cis=[chg.lone])
    move(chg.agent, good, "submit")
    decide(chg.alice, good)
    decide(chg.bob, good)
    move(chg.agent, good, "implement")
    emergency = change(cis=[chg.lone], category="emergency")
    move(chg.agent, emergency, "submit")
    move(chg.agent, emergency, "implement")
    result = checks.approved_before_implementation()
    assert result.status == "partly_met" and result.figures["awaiting_retrospective_review"] == 1
    assert [g.object_id for g in result.gaps] == [emergency.pk]
    decide(chg.ed, emergency)
    assert checks.approved_before_implementation().status == "met"


def test_unsuccessful_investigated(chg):
    c = change(cis=[chg.lone])
    _update(c, status="failed", outcome="failed", actual_start=timezone.now())
    assert checks.unsuccessful_investigated().status == "not_met"
    _update(c, investigation_cause="Bad config", investigation_actions="Peer review")
    assert checks.unsuccessful_investigated().status == "met"


def test_reviewed_within_the_policy_period(chg):
    now = timezone.now()
    late = change("late", cis=[chg.lone])
    on_time = change("on time", cis=[chg.lone])
    recent = change("recent", cis=[chg.lone])
    _update(
        late,
        status="reviewed",
        actual_end=now - dt.timedelta(days=30),
        reviewed_at=now - dt.timedelta(days=5),
    )
    _update(
        on_time,
        status="reviewed",
        actual_end=now - dt.timedelta(days=30),
        reviewed_at=now - dt.timedelta(days=25),
    )
    _update(recent, status="completed", actual_end=now - dt.timedelta(days=2))  # still within its 10 days
    result = checks.reviewed_after_implementation()
    assert result.status == "partly_met" and result.figures["total"] == 2
    assert [g.object_id for g in result.gaps] == [late.pk]


def test_removals_and_transfers_are_major(chg):
    assert checks.removals_and_transfers_are_major().status == "not_applicable"
    c = change("Retire Mail", change_type="service_removal", category="major", services_=[chg.svc])
    move(chg.agent, c, "submit")
    assert checks.removals_and_transfers_are_major().status == "met"
    sneaked = change("Transfer", cis=[chg.lone])
    _update(sneaked, change_type="service_transfer", status="submitted")  # e.g. imported before the rule
    assert checks.removals_and_transfers_are_major().status == "partly_met"


def test_policy_must_set_its_own_major_impact_criteria(chg):
    ChangePolicy.objects.filter(pk=chg.policy.pk).update(major_customer_threshold=0, major_on_high_risk=False)
    result = checks.major_impact_criteria()
    assert result.status == "not_met" and chg.policy.name in result.message
    ChangePolicy.objects.filter(pk=chg.policy.pk).update(major_customer_threshold=3)
    result = checks.major_impact_criteria()
    assert result.status == "met" and "3 customers" in result.message


def test_approved_changes_name_their_cis_and_tests_and_apply_their_updates(chg):
    from servitium.changes.models import ChangeConfigurationUpdate

    with_cis = change("Patch hosts", cis=[chg.host], category="normal", test_plan="Canary first")
    without = change("Tune network", category="normal")
    for record in (with_cis, without):
        _update(record, approved_at=timezone.now())
    result = REGISTRY["changes.affected_cis_named"].run()
    assert result.status == "partly_met" and [g.object_id for g in result.gaps] == [without.pk]
    assert REGISTRY["changes.tested_before_deployment"].run().status == "partly_met"
    _update(without, test_plan="Try on the lab switch")
    assert REGISTRY["changes.tested_before_deployment"].run().status == "met"

    update = ChangeConfigurationUpdate.objects.create(change=with_cis, ci=chg.host, new_value="2.0")
    _update(with_cis, outcome=Change.Outcome.SUCCESSFUL)
    assert REGISTRY["changes.configuration_updated"].run().status == "not_met"
    ChangeConfigurationUpdate.objects.filter(pk=update.pk).update(applied_at=timezone.now())
    assert REGISTRY["changes.configuration_updated"].run().status == "met"


def test_catalogue_entries_name_an_authorised_change(chg):
    """A live service or available offering altered outside change management (no change named, an
    unknown one, or one never approved) is a gap named by the check; pipeline services are not judged."""
    from servitium.catalog.models import Offering

    factories.service("Planned", status="pipeline")
    offering = core_services.record_create(
        model=Offering, data={"service": chg.svc, "name": "Mailbox", "summary": "A mailbox."}, actor=None
    )
    draft = change(cis=[chg.lone])
    for obj in (chg.svc, chg.other_svc):
        core_services.record_update(instance=obj, data={"change_reference": draft.reference}, actor=None)
    result = checks.catalogue_entries_changed_under_control()
    assert result.status == "not_met" and result.figures == {"total": 3, "conforming": 0}
    assert {(g.object_type, g.object_id) for g in result.gaps} == {
        ("catalog.service", chg.svc.pk),
        ("catalog.service", chg.other_svc.pk),
        ("catalog.offering", offering.pk),
    }
    _update(draft, status="closed", approved_at=timezone.now())
    core_services.record_update(instance=offering, data={"change_reference": draft.reference}, actor=None)
    core_services.record_update(instance=chg.other_svc, data={"change_reference": "CHG9999999"}, actor=None)
    result = checks.catalogue_entries_changed_under_control()
    assert result.status == "partly_met" and [g.object_id for g in result.gaps] == [chg.other_svc.pk]
    core_services.record_update(
        instance=chg.other_svc, data={"change_reference": draft.reference}, actor=None
    )
    assert checks.catalogue_entries_changed_under_control().status == "met"


def test_a_service_that_does_not_fit_the_portfolio_gets_a_change_proposed(chg, ctx):
    """2018 8.2.2.s3: the review is written on the service through the API (a misfit must say where it falls
    short and when it was found); the rule names the live misfit until a change to the service is submitted
    after the review — a draft, a CI change, or a change recorded before the review does not count."""
    from tests.base import client

    rule = REGISTRY["changes.portfolio_misfits_have_changes_proposed"]
    api = client(factories.user("catmgr", ctx.provider, ["catalog-manager"]))
    url = f"/api/v1/services/{chg.svc.pk}/"
    old = change("Older mail change", services_=[chg.svc], change_type="service_change")
    assert move(chg.agent, old, "submit").status_code == 200
    _update(old, created=timezone.now() - dt.timedelta(days=2))  # proposed before the review
    assert rule.run().status == "not_applicable"
    refused = api.patch(url, {"portfolio_fit": "does_not_fit"}, format="json")
    assert refused.status_code == 400 and {"portfolio_reviewed_on", "portfolio_note"} <= set(refused.json())
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    review = {
        "portfolio_fit": "does_not_fit",
        "portfolio_reviewed_on": tomorrow,
        "portfolio_note": "Too dear",
    }
    assert api.patch(url, review, format="json").status_code == 200
    result = rule.run()
    assert result.status == "not_met" and [g.object_id for g in result.gaps] == [chg.svc.pk]
    api.patch(url, {"portfolio_reviewed_on": timezone.localdate().isoformat()}, format="json")
    patch = change("Patch the mail servers", services_=[chg.svc])
    assert move(chg.agent, patch, "submit").status_code == 200
    assert rule.run().status == "not_met"  # a CI change does not answer a misfit
    proposal = change("Move mail to a cheaper platform", services_=[chg.svc], change_type="service_change")
    assert rule.run().status == "not_met"  # still a draft
    assert move(chg.agent, proposal, "submit").status_code == 200
    assert rule.run().status == "met"
    assert api.get("/api/v1/services/", {"portfolio_fit": "does_not_fit"}).json()["count"] == 1
