"""The record rules of the improvement register, both ways, and the demo's deliberate gaps against the
right leaves (2011 4.5.5; 2018 10.1, 10.2)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.core.checks import FAILED, REGISTRY
from servitium.improvement import demo, services
from servitium.improvement.models import CorrectiveAction, ImprovementOpportunity, Nonconformity
from tests import factories

from .conftest import nonconformity, opportunity, to_action_done


def run(check_id: str):
    return REGISTRY[check_id].run()


def days_ago(days: int):
    return timezone.now() - dt.timedelta(days=days)


def test_every_rule_names_leaves_of_its_clauses():
    ours = {c.id: c for c in REGISTRY.values() if c.id.startswith("improvement.")}
    assert len(ours) == 12
    for check in ours.values():
        for requirement in check.requirements:
            identifier = requirement.split("#")[1]
            assert identifier.startswith(("4.5.4.1.", "4.5.5.", "10.1.", "10.2.")), requirement


def test_nonconformities_corrected_and_analysed(ctx, staff):
    nc = nonconformity()
    assert run("improvement.nonconformities_corrected").status == "not_applicable"  # too young to judge
    Nonconformity.objects.filter(pk=nc.pk).update(created=days_ago(70))
    assert run("improvement.nonconformities_corrected").status == "not_met"
    assert run("improvement.causes_analysed").status == "not_met"
    nc = services.nonconformity_transition(
        actor=None, instance=nc, transition="record_correction", data={"correction": "Done"}
    )
    services.nonconformity_transition(
        actor=None, instance=nc, transition="analyse_cause", data={"root_cause": "x"}
    )
    assert run("improvement.nonconformities_corrected").status == "met"
    assert run("improvement.causes_analysed").status == "met"


def test_nonconformities_are_identified_against_a_requirement(ctx, staff):
    """2011 4.5.4.1.s4: a requirement key of the standard, or the audit, ticket or complaint it came from;
    "other" with neither is named."""
    check = "improvement.nonconformities_identified_against_a_requirement"
    audit = nonconformity(source_reference="Internal audit IA-2026-03")
    keyed = nonconformity(kind="other", description="No CAB minutes", requirement="iso20000-1:2018#8.5.1.3")
    assert run(check).status == "met"
    loose = nonconformity(kind="other", description="Something felt wrong")
    result = run(check)
    assert result.status in FAILED and [g.object_id for g in result.gaps] == [loose.pk]
    assert {audit.pk, keyed.pk}.isdisjoint(g.object_id for g in result.gaps)


def test_actions_on_time_and_effectiveness_checked(ctx, staff):
    nc = to_action_done(nonconformity(), staff.owner)
    assert run("improvement.corrective_actions_on_time").status == "not_applicable"
    CorrectiveAction.objects.update(status="in_progress", due_date=dt.date(2020, 1, 1))
    result = run("improvement.corrective_actions_on_time")
    assert result.status == "not_met" and result.gaps[0].object_type == "improvement.correctiveaction"
    CorrectiveAction.objects.update(status="done")
    # Actions done, no effectiveness check and none planned: a shortfall on 10.1.d.
    assert run("improvement.effectiveness_reviewed").status == "not_met"
    Nonconformity.objects.filter(pk=nc.pk).update(
        effectiveness_due=timezone.localdate() + dt.timedelta(days=9)
    )
    assert run("improvement.effectiveness_reviewed").status == "met"
    nc = services.nonconformity_transition(
        actor=None, instance=nc, transition="effective", data={"effectiveness_method": "Re-audit"}
    )
    services.nonconformity_transition(actor=None, instance=nc, transition="close")
    assert run("improvement.nonconformity_records_complete").status == "met"
    Nonconformity.objects.filter(pk=nc.pk).update(root_cause="")  # imported without its cause
    assert run("improvement.nonconformity_records_complete").status == "not_met"


def test_opportunities_recorded_decided_planned_implemented_evaluated(ctx, staff):
    assert run("improvement.opportunities_recorded").status == "not_met"
    ofi = opportunity()
    assert run("improvement.opportunities_recorded").status == "met"
    ImprovementOpportunity.objects.filter(pk=ofi.pk).update(created=days_ago(90))
    assert run("improvement.opportunities_decided").status == "not_met"
    ofi = services.opportunity_update(
        actor=None,
        instance=ofi,
        data={"owner": staff.owner, "target": "-40 % tickets", "target_date": dt.date(2026, 12, 31)},
    )
    for name in ("approve", "start"):
        ofi = services.opportunity_transition(actor=None, instance=ofi, transition=name)
    assert run("improvement.opportunities_decided").status == "met"
    assert run("improvement.decisions_state_benefit").status == "not_met"  # no benefit stated
    assert run("improvement.improvements_planned").status == "met"
    assert run("improvement.improvements_implemented").status == "not_met"
    long_ago = timezone.localdate() - dt.timedelta(days=60)
    ofi = services.opportunity_transition(actor=None, instance=ofi, transition="implement", today=long_ago)
    assert run("improvement.improvements_implemented").status == "met"
    assert run("improvement.improvements_evaluated").status == "not_met"
    services.opportunity_transition(
        actor=None, instance=ofi, transition="evaluate", data={"evaluation": "-45 %"}
    )
    assert run("improvement.improvements_evaluated").status == "met"


def test_demo_is_idempotent_and_shows_its_gaps_against_the_right_leaves(ctx):
    for name in ("Ewa Nowak", "Sofia Rossi", "Jonas Weber", "Maria Keller"):
        factories.person(name, ctx.provider)
    demo.load(actor=None)
    demo.load(actor=None)
    assert Nonconformity.objects.count() == 3 and ImprovementOpportunity.objects.count() == 5
    assert Nonconformity.objects.filter(status="closed").count() == 1
    gaps = {c.id for c in REGISTRY.values() if c.id.startswith("improvement.") and c.run().status in FAILED}
    assert gaps == {"improvement.corrective_actions_on_time", "improvement.improvements_evaluated"}
    assert "iso20000-1:2018#10.1.c" in REGISTRY["improvement.corrective_actions_on_time"].requirements
    assert "iso20000-1:2011#4.5.5.2.d" in REGISTRY["improvement.improvements_evaluated"].requirements
