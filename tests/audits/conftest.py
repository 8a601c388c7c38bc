"""Fixtures of the internal-audit tests: an audit manager, an independent auditor, a change manager (whose
own work is change management), this year's programme with one item, and a planned audit."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from servitium.audits import services
from servitium.audits.models import Audit, AuditProgramme
from servitium.core import services as core_services
from tests import factories

CLAUSES = "iso20000-1:2018#8.5.1"
START = dt.date(2026, 5, 4)


def _person_with_user(ctx, name: str, username: str, roles: list[str]):
    user = factories.user(username, ctx.provider, roles)
    return user, factories.person(name, ctx.provider, user=user)


@pytest.fixture
def team(ctx):
    manager, owner = _person_with_user(ctx, "Paula Programme", "audit_mgr", ["audit-manager"])
    auditor_user, auditor = _person_with_user(ctx, "Ivan Independent", "auditor_ivan", ["audit-agent"])
    change_user, change_manager = _person_with_user(ctx, "Chris Change", "chg_mgr", ["change-manager"])
    programme = core_services.record_create(
        model=AuditProgramme, data={"year": START.year, "owner": owner, "approach": "Risk based"}, actor=None
    )
    item = services.programme_item_create(
        actor=None,
        data={
            "programme": programme,
            "area": "changes",
            "clauses": CLAUSES,
            "risk_level": "high",
            "planned_month": 5,
        },
    )
    return SimpleNamespace(
        manager=manager,
        owner=owner,
        auditor_user=auditor_user,
        auditor=auditor,
        change_user=change_user,
        change_manager=change_manager,
        programme=programme,
        item=item,
    )


def audit(team, **extra) -> Audit:
    m2m = {"auditors": extra.pop("auditors", []), "auditees": extra.pop("auditees", [team.change_manager])}
    data = {
        "title": "Change management",
        "programme_item": team.item,
        "criteria": "ISO/IEC 20000-1:2018 and the change policy",
        "planned_start": START,
        "planned_end": START + dt.timedelta(days=2),
        "lead_auditor": team.auditor,
        **extra,
    }
    return services.audit_create(actor=None, data=data, m2m=m2m)
