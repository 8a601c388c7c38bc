"""The checks of internal audit, both ways, and the demo's deliberate gap against the right leaves
(2011 4.5.4.2; 2018 9.2)."""

from __future__ import annotations

import datetime as dt

import time_machine

from servitium.audits import demo, services
from servitium.audits.models import Audit, AuditProgramme, ChecklistItem, Finding
from servitium.core.checks import FAILED, REGISTRY
from servitium.improvement.models import Nonconformity
from tests import factories

from .conftest import audit


def run(check_id: str):
    return REGISTRY[check_id].run()


def test_rules_name_leaves_of_the_audit_clauses():
    ours = [c for c in REGISTRY.values() if c.id.startswith("audits.")]
    assert len(ours) == 10
    for check in ours:
        for requirement in check.requirements:
            assert requirement.split("#")[1].startswith(("4.5.4.1.", "4.5.4.2.", "9.2.")), requirement


@time_machine.travel(dt.datetime(2026, 12, 3, 12, 0), tick=False)
def test_programme_carried_out_and_reported(ctx, team):
    assert run("audits.programme_current").status == "met"
    assert run("audits.programme_carried_out").status == "not_met"  # May is past, nothing audited
    planned = audit(team)
    assert run("audits.results_reported").status == "not_met"  # ended in May, never reported
    done = services.audit_transition(actor=None, instance=planned, transition="start")
    ChecklistItem.objects.filter(audit=done).update(verdict="conforms")
    services.audit_transition(actor=None, instance=done, transition="report", data={"summary": "Fine"})
    for check in ("programme_carried_out", "results_reported", "audits_reported_12_months", "evidence_kept"):
        assert run(f"audits.{check}").status == "met", check
    assert run("audits.scope_and_criteria").status == "met"
    Audit.objects.update(criteria="")
    assert run("audits.scope_and_criteria").status == "not_met"


def test_independence_is_checked_against_todays_roles(ctx, team):
    audit(team)
    assert run("audits.auditors_independent").status == "met"
    team.auditor_user.roles = ["change-agent"]
    team.auditor_user.save()
    result = run("audits.auditors_independent")
    assert result.status == "not_met" and result.gaps[0].object_type == "audits.audit"


@time_machine.travel(dt.datetime(2026, 12, 3, 12, 0), tick=False)
def test_findings_owned_and_followed_up(ctx, team):
    running = services.audit_transition(actor=None, instance=audit(team), transition="start")
    services.finding_create(actor=None, data={"audit": running, "grade": "minor_nc", "description": "x"})
    assert run("audits.findings_owned").status == "not_met"  # nobody in the area named
    Finding.objects.update(owner=team.change_manager)
    assert run("audits.findings_owned").status == "met"
    Audit.objects.update(status="reported", reported_on=dt.date(2026, 5, 10))
    assert run("audits.findings_followed_up").status == "not_met"
    Nonconformity.objects.update(status="closed")
    assert run("audits.findings_followed_up").status == "met"


@time_machine.travel(dt.datetime(2026, 12, 3, 12, 0), tick=False)
def test_demo_programme_with_two_audits_done_one_planned_and_a_gap(ctx):
    for name, email in (
        ("Paul Fischer", "paul.fischer@nimbus.example"),
        ("Jonas Weber", ""),
        ("Sofia Rossi", ""),
        ("Aisha Rahman", ""),
        ("Ewa Nowak", ""),
        ("Kenji Tanaka", ""),
    ):
        factories.person(name, ctx.provider, email=email)
    demo.load(actor=None)
    demo.load(actor=None)
    assert AuditProgramme.objects.count() == 1
    statuses = sorted(Audit.objects.values_list("status", flat=True))
    assert statuses == ["closed", "planned", "reported"]
    assert Nonconformity.objects.filter(source_kind="internal_audit").count() == 3
    failed = {c.id for c in REGISTRY.values() if c.id.startswith("audits.") and c.run().status in FAILED}
    # Two deliberate gaps: the suppliers audit never happened; the planned problem audit has no objectives.
    assert failed == {"audits.programme_carried_out", "audits.objectives_written"}
    assert "suppliers" in run("audits.programme_carried_out").message
    assert "Problem management" in run("audits.objectives_written").message
    assert "iso20000-1:2018#9.2.2.a" in REGISTRY["audits.programme_carried_out"].requirements


def test_every_audit_needs_written_objectives(ctx, team):
    assert run("audits.objectives_written").status == "not_applicable"
    silent = audit(team)
    result = run("audits.objectives_written")
    assert result.status == "not_met" and silent.reference in result.message
    services.audit_update(
        actor=None, instance=silent, data={"objectives": "Find out whether emergency changes are approved."}
    )
    assert run("audits.objectives_written").status == "met"
