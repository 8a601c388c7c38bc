"""The checks of budgeting and accounting, both ways: well-kept books meet them, the deliberate kinds of gap
fail them against the right leaf."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

import servitium
from servitium.core.checks import MET, NOT_APPLICABLE, NOT_MET, PARTLY_MET, REGISTRY
from servitium.finance import services
from tests.finance.conftest import budget, cost, rule

TODAY = dt.date.today()
YEAR = TODAY.year


def run(check_id: str):
    return REGISTRY[check_id].run()


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
    ours = [c for c in REGISTRY.values() if c.id.startswith("finance.")]
    bound = {r for c in ours for r in c.requirements}
    assert {"iso20000-1:2018#8.4.1.s1", "iso20000-1:2018#8.4.1.s2", "iso20000-1:2018#8.4.1.s3"} <= bound
    assert {"iso20000-1:2011#6.4.b", "iso20000-1:2011#6.4.c", "iso20000-1:2011#6.4.s3"} <= bound
    for check in ours:
        assert set(check.requirements) <= leaves, check.id


def _well_kept(fin):
    """Every live service budgeted (approved by a second person) and costed within budget, every kind of
    cost recorded, an indirect cost shared by a rule."""
    for service in (fin.mail, fin.web, fin.backup):
        made = services.budget_create(
            actor=fin.agent,
            data={
                "service": service,
                "year": YEAR,
                "lines": [{"category": "personnel", "amount": "100000.00"}],
            },
        )
        services.budget_transition(actor=fin.manager, instance=made, transition="approve")
    day = TODAY - dt.timedelta(days=1)
    if day.year != YEAR:
        day = TODAY
    for category in ("assets", "licences", "external", "personnel", "facilities", "overheads"):
        cost("10.00", service=fin.mail, category=category, date=day)
    cost("10.00", service=fin.web, category="assets", expense="capital", date=day)
    cost("10.00", service=fin.backup, category="personnel", date=day)
    shares = [{"service": fin.mail.pk, "percent": "50"}, {"service": fin.web.pk, "percent": "50"}]
    cost("20.00", rule_=rule("Platform", shares=shares), category="shared", date=day)


WELL_KEPT = (
    "finance.live_services_budgeted",
    "finance.budgets_approved_by_a_second_person",
    "finance.live_services_costed",
    "finance.indirect_costs_apportioned",
    "finance.capital_and_operating_accounted",
    "finance.costs_within_budget",
    "finance.assets_costs_recorded",
    "finance.shared_costs_recorded",
    "finance.overheads_costs_recorded",
    "finance.external_costs_recorded",
    "finance.personnel_costs_recorded",
    "finance.facilities_costs_recorded",
)


def test_well_kept_books_meet_the_checks(ctx, fin):
    _well_kept(fin)
    for check_id in WELL_KEPT:
        assert run(check_id).status == MET, (check_id, run(check_id).message)


def test_empty_books_fail_the_checks(ctx, fin):
    assert run("finance.live_services_budgeted").status == NOT_MET
    assert run("finance.live_services_costed").status == NOT_MET
    assert run("finance.capital_and_operating_accounted").status == NOT_MET
    assert run("finance.personnel_costs_recorded").status == NOT_MET
    assert run("finance.costs_within_budget").status == NOT_APPLICABLE
    assert run("finance.indirect_costs_apportioned").status == NOT_APPLICABLE


def test_a_service_without_an_approved_budget_is_named(ctx, fin):
    budget(fin.mail, YEAR, approved=True)
    budget(fin.web, YEAR)  # a draft
    result = run("finance.live_services_budgeted")
    assert result.status == PARTLY_MET
    assert {g.label for g in result.gaps} == {"Web Hosting", "Backup"}
    assert run("finance.budgets_approved_by_a_second_person").status == PARTLY_MET


def test_an_overspent_service_fails_the_budget_check(ctx, fin):
    budget(fin.mail, YEAR, lines=[{"category": "personnel", "amount": "100.00"}], approved=True)
    budget(fin.web, YEAR, lines=[{"category": "personnel", "amount": "100.00"}], approved=True)
    cost("100.01", service=fin.mail, date=dt.date(YEAR, 1, 1))
    cost("99.00", service=fin.web, date=dt.date(YEAR, 1, 1))
    result = run("finance.costs_within_budget")
    assert result.status == PARTLY_MET
    assert [g.label for g in result.gaps] == ["Hosted Mail"]
    assert "Hosted Mail (100.01 / 100.00)" in result.message


def test_an_indirect_cost_whose_rule_names_no_service_fails(ctx, fin):
    from servitium.catalog.models import Service

    Service.objects.update(status="retired")  # a rule by customers over "every live service": none left
    cost("10.00", rule_=rule("Nobody", kind="customers"), date=TODAY)
    assert run("finance.indirect_costs_apportioned").status == NOT_MET


def test_changes_without_cost_information_are_named(ctx, fin):
    from tests.changes.conftest import change

    costed = change("With a cost statement", cost="Two engineer days, 1,600 EUR")
    linked = change("With a cost item")
    bare = change("Without anything")
    cost("300.00", service=fin.mail, change=linked, date=TODAY)
    result = run("finance.changes_costed")
    assert result.status == PARTLY_MET
    assert [g.object_id for g in result.gaps] == [bare.pk]
    assert costed.pk in {e.object_id for e in result.evidence} and linked.pk in {
        e.object_id for e in result.evidence
    }
