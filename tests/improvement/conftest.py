"""Fixtures of the improvement tests: SMS staff with their person records, and builders for entries of
the register at each stage of their lifecycle."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from servitium.improvement import services
from servitium.improvement.models import ImprovementOpportunity, Nonconformity
from tests import factories

DUE = dt.date(2026, 12, 31)


@pytest.fixture
def staff(ctx):
    manager = factories.user("sms_mgr", ctx.provider, ["sms-manager"])
    agent = factories.user("sms_agent", ctx.provider, ["sms-agent"])
    return SimpleNamespace(
        manager=manager,
        agent=agent,
        manager_person=factories.person("Sam Manager", ctx.provider, user=manager),
        agent_person=factories.person("Alex Agent", ctx.provider, user=agent),
        owner=factories.person("Olga Owner", ctx.provider),
    )


def nonconformity(**extra) -> Nonconformity:
    return services.nonconformity_open(
        kind=extra.pop("kind", "internal_audit"),
        description=extra.pop("description", "Two changes went live without CAB approval."),
        actor=None,
        **extra,
    )


def to_action_done(nc: Nonconformity, owner) -> Nonconformity:
    """Walk a nonconformity to 'action done' through the services (as the system)."""
    for name, data in (
        ("record_correction", {"correction": "Both changes reviewed after the fact."}),
        ("analyse_cause", {"root_cause": "Emergency path used for normal changes."}),
    ):
        nc = services.nonconformity_transition(actor=None, instance=nc, transition=name, data=data)
    action = services.corrective_action_create(
        actor=None,
        data={
            "nonconformity": nc,
            "description": "Restrict the emergency path",
            "owner": owner,
            "due_date": DUE,
        },
    )
    nc = services.nonconformity_transition(actor=None, instance=nc, transition="plan_action")
    services.corrective_action_transition(actor=None, instance=action, transition="complete")
    return services.nonconformity_transition(actor=None, instance=nc, transition="complete_action")


def opportunity(**extra) -> ImprovementOpportunity:
    return services.opportunity_raise(
        kind=extra.pop("kind", "other"),
        description=extra.pop("description", "Self-service password reset"),
        actor=None,
        **extra,
    )
