"""The demo's books: an approved budget per live service, a year of costs that add up, the deliberate
overspend and draft budget found by the checks, and statements for the customers."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from servitium.core.checks import REGISTRY
from servitium.finance import demo as finance_demo
from servitium.finance.models import ApportionmentRule, Budget, ChargingStatement, CostItem
from servitium.finance.selectors import Period, budget_vs_actual


def test_the_demo_books(db):
    year = timezone.localdate().year
    kinds = set(ApportionmentRule.objects.values_list("kind", flat=True))
    assert kinds == {"fixed", "customers", "cis", "tickets"}
    assert CostItem.objects.filter(allocation="indirect").count() == 48
    assert CostItem.objects.filter(change__isnull=False).exists()
    rows = {r.service: r for r in budget_vs_actual(Period.year(year))}
    assert rows["Block and Object Storage"].overspent
    assert [name for name, r in rows.items() if r.overspent] == ["Block and Object Storage"]
    assert rows["Identity and Access"].budget is None  # its budget is a draft
    assert Budget.objects.get(service__name="Identity and Access", year=year).status == "draft"
    assert REGISTRY["finance.costs_within_budget"].run().status == "partly_met"
    assert REGISTRY["finance.live_services_budgeted"].run().status == "partly_met"
    assert REGISTRY["finance.indirect_costs_apportioned"].run().status == "met"
    assert ChargingStatement.objects.filter(status="issued").exists()
    assert ChargingStatement.objects.filter(status="draft").exists()
    assert all(s.total > Decimal(0) for s in ChargingStatement.objects.all())
    before = CostItem.objects.count()
    finance_demo.load(actor=None)
    assert CostItem.objects.count() == before
