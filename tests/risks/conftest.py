"""Fixtures of the risk tests: SMS staff, a provider person to own risks, and builders for risks."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from servitium.risks import services
from tests import factories


@pytest.fixture
def staff(ctx):
    return SimpleNamespace(
        manager=factories.user("smsm", ctx.provider, ["sms-manager"]),
        agent=factories.user("smsa", ctx.provider, ["sms-agent"]),
        owner=factories.person("Rita Owner", ctx.provider),
        service=factories.service("Hosted Mail", customers=[ctx.org_a]),
    )


LINKS = ("services", "cis", "suppliers", "changes")


def risk(**data):
    m2m = {name: data.pop(name) for name in LINKS if name in data}
    return services.risk_create(actor=None, data={"title": "Power loss in hall B", **data}, m2m=m2m)


def assessed(owner, likelihood=4, impact=4, **data):
    found = risk(owner=owner, likelihood=likelihood, impact=impact, **data)
    return services.risk_transition(actor=None, instance=found, transition="assess")
