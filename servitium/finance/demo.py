"""Demo records of budgeting and accounting for Nimbus Cloud Services: an approved budget per live service
for this year and last, twelve months of direct and indirect costs with the four kinds of apportionment
rule, costs linked to changes and a service request, charge rules and monthly charging statements.

Deliberate gaps (they show in `servitium assess` and on the budget-against-actual page):
- Block and Object Storage is overspent this year (a storage expansion bought outside the budget)
  -> finance.costs_within_budget (2018 8.4.1.s3; 2011 6.4.s3);
- the budget of Identity and Access for this year is still a draft, not approved
  -> finance.live_services_budgeted (2018 8.4.1.s1, 8.4.1.s2; 2011 6.4.s2) and
  finance.budgets_approved_by_a_second_person (2011 6.4.c).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from servitium.catalog.models import Offering, Service
from servitium.changes.models import Change
from servitium.core import services as core_services
from servitium.incidents.models import Incident
from servitium.parties.models import Organization
from servitium.suppliers.models import SupplierContract

from . import services
from .models import ApportionmentRule, Budget, ChargeRule, ChargingStatement, CostItem
from .selectors import Period

OVERSPENT = "Block and Object Storage"
DRAFT_BUDGET = "Identity and Access"
# Direct monthly running costs per live service: personnel, licences, external (by name; others get the
# default). Budgets are these twelve times over with some headroom.
MONTHLY: dict[str, tuple[int, int, int]] = {
    "Data Centre Facilities": (6000, 400, 9000),
    "Network Connectivity": (5000, 1200, 3500),
    "Identity and Access": (3500, 2200, 0),
    "Virtual Compute": (9000, 4800, 1500),
    "Block and Object Storage": (4500, 1800, 2500),
}
DEFAULT = (3000, 900, 600)
D = Decimal


def _months(today: dt.date) -> list[dt.date]:
    """The first days of the last twelve months, this one included, oldest first."""
    found, day = [], dt.date(today.year, today.month, 1)
    for _i in range(12):
        found.append(day)
        day = dt.date(day.year - 1, 12, 1) if day.month == 1 else dt.date(day.year, day.month - 1, 1)
    return sorted(found)


def load(*, actor: Any) -> None:
    """Create the demo records (idempotent: nothing is added once the demo's rules exist)."""
    live = list(Service.objects.filter(status=Service.Status.LIVE).order_by("name"))
    if not live or ApportionmentRule.objects.filter(name="Data centre overheads").exists():
        return
    today = timezone.localdate()
    with transaction.atomic():
        rules = _rules(actor, live)
        _costs(actor, live, rules, today)
        _budgets(actor, live, today)
        _charging(actor, live, today)


def _rules(actor: Any, live: list[Service]) -> dict[str, ApportionmentRule]:
    by_name = {s.name: s for s in live}
    facilities = [s for s in live if s.name != "Data Centre Facilities"] or live
    shares, left = [], D(100)
    for i, service in enumerate(facilities):
        percent = left if i == len(facilities) - 1 else (D(100) / len(facilities)).quantize(D("0.01"))
        shares.append({"service": service.pk, "percent": str(percent)})
        left -= percent
    made = {
        "fixed": services.rule_create(
            actor=actor,
            data={
                "name": "Data centre overheads",
                "kind": "fixed",
                "description": "Rent, power and insurance of the two sites, in equal fixed shares agreed "
                "with the finance department each year.",
                "shares": shares,
            },
        ),
        "cis": services.rule_create(
            actor=actor,
            data={
                "name": "Platform engineering by configuration items",
                "kind": "cis",
                "description": "The platform team's time follows the number of configuration items it runs.",
            },
            m2m={"services": [s.pk for s in live if s.name in by_name]},
        ),
        "tickets": services.rule_create(
            actor=actor,
            data={
                "name": "Service desk by ticket volume",
                "kind": "tickets",
                "description": "The service desk's cost follows the tickets each service raised that month.",
            },
        ),
        "customers": services.rule_create(
            actor=actor,
            data={
                "name": "Account management by customers",
                "kind": "customers",
                "description": "Service delivery managers look after customers; each service bears its "
                "share by the customers it has.",
            },
        ),
    }
    return made


def _cost(actor: Any, **data: Any) -> CostItem:
    return services.cost_create(actor=actor, data=data)


def _costs(actor: Any, live: list[Service], rules: dict[str, ApportionmentRule], today: dt.date) -> None:
    contracts = {
        s.pk: c
        for c in SupplierContract.objects.filter(status="active").prefetch_related("services")
        for s in c.services.all()
    }
    for month in _months(today):
        day = min(dt.date(month.year, month.month, 5), today)
        for service in live:
            personnel, licences, external = MONTHLY.get(service.name, DEFAULT)
            _cost(
                actor,
                date=day,
                description=f"{service.name}: staff time",
                amount=D(personnel),
                category="personnel",
                service=service,
            )
            _cost(
                actor,
                date=day,
                description=f"{service.name}: software subscriptions",
                amount=D(licences),
                category="licences",
                service=service,
            )
            if external:
                contract = contracts.get(service.pk)
                _cost(
                    actor,
                    date=day,
                    description=f"{service.name}: supplied services",
                    amount=D(external),
                    category="external",
                    service=service,
                    contract=contract,
                    supplier=contract.supplier if contract else None,
                )
        _cost(
            actor,
            date=day,
            description="Data centre rent, power and insurance",
            amount=D("18500.00"),
            category="facilities",
            allocation="indirect",
            rule=rules["fixed"],
        )
        _cost(
            actor,
            date=day,
            description="Platform engineering team",
            amount=D("14250.00"),
            category="shared",
            allocation="indirect",
            rule=rules["cis"],
        )
        _cost(
            actor,
            date=day,
            description="Service desk",
            amount=D("9800.00"),
            category="overheads",
            allocation="indirect",
            rule=rules["tickets"],
        )
        _cost(
            actor,
            date=day,
            description="Service delivery managers",
            amount=D("6400.00"),
            category="personnel",
            allocation="indirect",
            rule=rules["customers"],
        )
    storage = next((s for s in live if s.name == OVERSPENT), None)
    if storage is not None:  # the deliberate overspend: bought this year, outside the budget
        _cost(
            actor,
            date=max(dt.date(today.year, 1, 1), today - dt.timedelta(days=40)),
            description="Storage expansion: 2 PB of object storage nodes",
            amount=D("160000.00"),
            category="assets",
            expense="capital",
            service=storage,
        )
    compute = next((s for s in live if s.name == "Virtual Compute"), live[0])
    _cost(
        actor,
        date=max(dt.date(today.year, 1, 1), today - dt.timedelta(days=75)),
        description="Hypervisor hosts refresh (6 servers)",
        amount=D("54000.00"),
        category="assets",
        expense="capital",
        service=compute,
    )
    for change in Change.objects.order_by("-created")[:3]:
        service = change.affected_services.order_by("name").first() or compute
        _cost(
            actor,
            date=min(today, timezone.localtime(change.created).date()),
            description=f"{change.reference}: engineering effort",
            amount=D("1850.00"),
            category="personnel",
            service=service,
            change=change,
        )
    request = Incident.objects.filter(kind="request", service__isnull=False).order_by("-created").first()
    if request is not None:
        _cost(
            actor,
            date=min(today, timezone.localtime(request.created).date()),
            description=f"{request.reference}: extra capacity licence",
            amount=D("240.00"),
            category="licences",
            service=request.service,
            request=request,
        )


def _budgets(actor: Any, live: list[Service], today: dt.date) -> None:
    for year in sorted({today.year - 1, today.year}):
        actual = {}
        period = Period.year(year)
        from .selectors import service_costs

        costs = service_costs(period)
        for service in live:
            personnel, licences, external = MONTHLY.get(service.name, DEFAULT)
            spent = costs.get(service.pk, {}).get("total", D(0))
            indirect = costs.get(service.pk, {}).get("indirect", D(0))
            months = len([m for m in _months(today) if m.year == year]) or 12
            factor = D("1.15") * 12 / months  # the year's budget, from the months the demo holds
            lines = [
                {"category": "personnel", "amount": str((D(personnel) * 12 * D("1.05")).quantize(D("1")))},
                {"category": "licences", "amount": str((D(licences) * 12 * D("1.05")).quantize(D("1")))},
                {"category": "external", "amount": str((D(external) * 12 * D("1.05")).quantize(D("1")))},
                {"category": "shared", "amount": str((indirect * factor).quantize(D("1")))},
            ]
            if service.name != OVERSPENT:
                lines.append({"category": "assets", "amount": "60000"})
            actual[service.pk] = spent
            budget = services.budget_create(
                actor=None,
                data={
                    "service": service,
                    "year": year,
                    "lines": lines,
                    "notes": "Running costs of last year plus 5 %, and this service's share of the "
                    "shared teams and sites.",
                },
            )
            if not (year == today.year and service.name == DRAFT_BUDGET):
                services.budget_transition(
                    actor=None,
                    instance=budget,
                    transition="approve",
                    note="Approved by the finance controller",
                )


def _charging(actor: Any, live: list[Service], today: dt.date) -> None:
    prices = {
        "Identity and Access": D("4.50"),
        "Virtual Compute": D("2400.00"),
        "Block and Object Storage": D("1100.00"),
    }
    for service in live:
        if not service.customers.exists():
            continue  # internal supporting services are not charged
        offering = Offering.objects.filter(service=service).order_by("name").first()
        core_services.record_create(
            model=ChargeRule,
            data={
                "service": service,
                "offering": offering,
                "description": f"{service.name} — standard subscription",
                "monthly_price": prices.get(service.name, D("850.00")),
            },
            actor=actor,
        )
    months = _months(today)[-4:-1]  # the last three complete months
    for i, month in enumerate(months):
        end = dt.date(month.year + 1, 1, 1) if month.month == 12 else dt.date(month.year, month.month + 1, 1)
        for customer in (
            Organization.objects.filter(kind="customer", services__isnull=False).distinct().order_by("name")
        ):
            if ChargingStatement.objects.filter(customer=customer, period_start=month).exists():
                continue
            statement = services.statement_create(
                actor=None, data={"customer": customer, "period_start": month, "period_end": end}
            )
            if i < len(months) - 1:
                statement = services.statement_transition(
                    actor=None, instance=statement, transition="approve"
                )
                services.statement_transition(actor=None, instance=statement, transition="issue")
            elif customer.name.startswith(("A", "B")):
                services.statement_transition(actor=None, instance=statement, transition="approve")


__all__ = ["Budget", "load"]
