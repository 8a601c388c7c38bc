"""What other apps call: change control of CIs (the CMDB asks through cmdb.control, which change management
fills in), whether a change authorises a CI update, the lifecycle constants; and the lifecycle table covers
every status."""

from __future__ import annotations

import pytest

from servitium.changes import lifecycle as L
from servitium.changes import selectors, services
from servitium.changes.models import Change
from servitium.cmdb import control
from servitium.cmdb.models import CIType
from servitium.core import services as core_services
from tests.changes.conftest import change

pytestmark = pytest.mark.django_db


def test_every_status_is_reachable_and_every_live_status_has_a_way_out():
    targets = {t.target for t in L.CHANGE_WORKFLOW.transitions}
    sources = {s for t in L.CHANGE_WORKFLOW.transitions for s in t.sources}
    assert targets | {L.DRAFT} == set(Change.Status.values)
    assert set(Change.Status.values) - sources == {L.CLOSED, L.CANCELLED}
    names = {t.name for t in L.CHANGE_WORKFLOW.transitions}
    assert {
        "submit",
        "approve",
        "reject",
        "implement",
        "complete",
        "fail",
        "back_out",
        "review",
        "cancel",
    } <= names
    assert L.APPROVED in L.APPROVED_OR_LATER and L.SUBMITTED not in L.APPROVED_OR_LATER


def test_ci_under_change_control(chg, ctx):
    assert control.under_change_control(chg.app)
    core_services.record_update(
        instance=chg.policy, data={}, actor=None, m2m={"controlled_ci_types": [chg.app_type]}
    )
    assert not control.under_change_control(chg.host)
    types = {t.pk: t.controlled for t in control.with_control(CIType.objects.all())}
    assert types[chg.app_type.pk] and not types[chg.server_type.pk]  # one answer for CIs and types
    core_services.record_update(instance=chg.policy, data={"active": False}, actor=None)
    assert not control.under_change_control(chg.app)


def test_change_authorises_ci_update(chg):
    process = control.process()
    core_services.record_update(instance=chg.policy, data={"normal_authority": "manager"}, actor=None)
    c = change(cis=[chg.app])
    assert not process.authorises(c, chg.app)  # draft
    assert c not in control.approved_changes()
    services.change_transition(actor=chg.agent, instance=c, transition="submit")
    services.change_transition(actor=chg.manager, instance=c, transition="approve")
    c.refresh_from_db()
    assert process.authorises(c, chg.app) and c in control.approved_changes()
    assert not process.authorises(c, chg.vm)  # not among its CIs
    services.change_transition(actor=chg.agent, instance=c, transition="implement")
    services.change_transition(actor=chg.agent, instance=c, transition="complete")
    c.refresh_from_db()
    assert not process.authorises(c, chg.app)


def test_new_active_policy_retires_the_previous_one(chg):
    newer = services.policy_create(
        actor=None,
        data={
            "name": "2027 policy",
            "normal_authority": "manager",
            "major_authority": "manager",
            "emergency_authority": "manager",
        },
    )
    assert selectors.active_policy() == newer
    chg.policy.refresh_from_db()
    assert chg.policy.active is False


def test_change_raised_from_a_problem_is_named_on_it(chg, ctx):
    from servitium.problems import services as problem_services

    problem = problem_services.problem_create(actor=None, data={"title": "Mail relay crashes"})
    c = change(cis=[chg.app], problem=problem)
    problem.refresh_from_db()
    assert problem.change_reference == c.reference
    assert list(problem.changes.all()) == [c]
