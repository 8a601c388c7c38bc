"""Fixtures of the change management tests: change staff, a small CMDB stack, a policy with a CAB and an
emergency board, and a change builder."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from servitium.changes import services
from servitium.changes.models import Change, ChangeAdvisoryBoard
from servitium.core import services as core_services
from tests import factories
from tests.cmdb.conftest import ci, ci_type, relate

HOUR = dt.timedelta(hours=1)


def board(name: str, members, quorum: int = 2, kind: str = "cab") -> ChangeAdvisoryBoard:
    return core_services.record_create(
        model=ChangeAdvisoryBoard,
        data={"name": name, "kind": kind, "quorum": quorum},
        actor=None,
        m2m={"members": [m.person for m in members]},
    )


def member(username: str, org, roles=("change-agent",)):
    user = factories.user(username, org, list(roles))
    person = factories.person(username.title(), org)
    core_services.record_update(instance=person, data={"user": user}, actor=None)
    user.refresh_from_db()
    return user


def change(title: str = "Patch", *, cis=(), services_=(), start=None, hours: int = 2, **data) -> Change:
    start = start or (timezone.now() + dt.timedelta(days=7)).replace(microsecond=0)
    return services.change_create(
        actor=None,
        data={"title": title, "planned_start": start, "planned_end": start + hours * HOUR, **data},
        m2m={"affected_cis": list(cis), **({"affected_services": list(services_)} if services_ else {})},
    )


@pytest.fixture
def chg(ctx):
    manager = member("chgmgr", ctx.provider, ["change-manager"])
    agent = member("chgagent", ctx.provider, ["change-agent"])
    alice, bob, carol = (member(n, ctx.provider) for n in ("alice", "bob", "carol"))
    ed = member("ed", ctx.provider)
    cab = board("Weekly CAB", [alice, bob, carol], quorum=2)
    ecab = board("Emergency CAB", [ed], quorum=1, kind="ecab")
    server_type = ci_type("chg server", {})
    app_type = ci_type("chg application", {"tier": {"type": "string"}})
    svc = factories.service("Mail", customers=[ctx.org_a])
    other_svc = factories.service("Compute", customers=[ctx.org_b])
    host = ci("host-1", server_type, customers=[ctx.org_a], service=other_svc)
    vm = ci("vm-1", server_type, customers=[ctx.org_a])
    app = ci("mail-app", app_type, customers=[ctx.org_a], service=svc)
    lone = ci("lone-1", server_type)
    relate(app, "runs_on", vm)
    relate(vm, "runs_on", host)
    policy = services.policy_create(
        actor=None,
        data={
            "name": "Change policy",
            "normal_authority": "cab",
            "major_authority": "cab",
            "emergency_authority": "ecab",
            "cab": cab,
            "emergency_board": ecab,
            "major_customer_threshold": 3,
        },
        m2m={"controlled_ci_types": [server_type, app_type]},
    )
    return SimpleNamespace(
        manager=manager,
        agent=agent,
        alice=alice,
        bob=bob,
        carol=carol,
        ed=ed,
        cab=cab,
        ecab=ecab,
        server_type=server_type,
        app_type=app_type,
        svc=svc,
        other_svc=other_svc,
        host=host,
        vm=vm,
        app=app,
        lone=lone,
        policy=policy,
    )
