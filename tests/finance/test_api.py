"""The REST resources of budgeting and accounting: generated suites for the five record types, budget
approval by a second person, statements per customer, budget against actual, and the cost of changes and
requests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from servitium.finance import services
from servitium.finance.models import ApportionmentRule, Budget, ChargeRule, ChargingStatement, CostItem
from servitium.incidents import services as incident_services
from tests import factories
from tests.base import RecordAPISuite, client
from tests.finance.conftest import budget, charge, cost, rule


class FinanceSuite(RecordAPISuite):
    """Finance agents write these records (managers also delete them); customers see none."""

    writer_roles = ["finance-agent"]
    foreign_roles = ["incident-manager", "catalog-manager"]
    customer_visible = False
    deletable = False


def _service(ctx):
    return factories.service(factories.unique("Svc"), customers=[ctx.org_a])


class TestBudgetAPI(FinanceSuite):
    endpoint = "budgets"
    model = Budget

    def make(self, ctx):
        return budget(_service(ctx))

    def create_payload(self, ctx):
        lines = [{"category": "personnel", "amount": "5000.00"}, {"category": "licences", "amount": "250.50"}]
        return {"service": _service(ctx).pk, "year": 2026, "lines": lines, "notes": "Two engineers"}

    def invalid_payload(self, ctx):
        return {"service": _service(ctx).pk, "year": 2026, "lines": [{"category": "snacks", "amount": "1"}]}

    def update_payload(self, ctx):
        return {"notes": "Forecast reviewed in March"}


class TestCostItemAPI(FinanceSuite):
    endpoint = "cost-items"
    model = CostItem

    def make(self, ctx):
        return cost("125.50", service=_service(ctx), description="Storage licences")

    def create_payload(self, ctx):
        return {
            "date": "2026-02-03",
            "description": "Mail gateway licence",
            "amount": "480.00",
            "category": "licences",
            "expense": "operating",
            "service": _service(ctx).pk,
        }

    def invalid_payload(self, ctx):
        return {"date": "2026-02-03", "description": "No service", "amount": "1.00", "category": "other"}

    def update_payload(self, ctx):
        return {"description": "Mail gateway licence (annual)"}


class TestApportionmentRuleAPI(FinanceSuite):
    endpoint = "apportionment-rules"
    model = ApportionmentRule

    def make(self, ctx):
        return rule(factories.unique("Rule"), shares=[{"service": _service(ctx).pk, "percent": "100"}])

    def create_payload(self, ctx):
        return {"name": "Service desk", "kind": "customers", "services": [_service(ctx).pk]}

    def invalid_payload(self, ctx):
        return {"name": "Half", "kind": "fixed", "shares": [{"service": _service(ctx).pk, "percent": "50"}]}

    def update_payload(self, ctx):
        return {"description": "Shared by how many customers each service has"}


class TestChargeRuleAPI(FinanceSuite):
    endpoint = "charge-rules"
    model = ChargeRule

    def make(self, ctx):
        return charge(_service(ctx), "9.90", description="Mailbox bundle")

    def create_payload(self, ctx):
        return {"service": _service(ctx).pk, "description": "Standard plan", "monthly_price": "49.00"}

    def invalid_payload(self, ctx):
        return {"service": _service(ctx).pk, "description": "Negative", "monthly_price": "-1.00"}

    def update_payload(self, ctx):
        return {"monthly_price": "52.00"}


_PERIODS = iter(range(1, 10_000))


def issued_statement(customer, year=2026, month=None):
    month = month or 1
    start = dt.date(year + next(_PERIODS), month, 1)
    statement = services.statement_create(
        actor=None,
        data={"customer": customer, "period_start": start, "period_end": dt.date(start.year, month + 1, 1)},
    )
    statement = services.statement_transition(actor=None, instance=statement, transition="approve")
    return services.statement_transition(actor=None, instance=statement, transition="issue")


class TestChargingStatementAPI(FinanceSuite):
    endpoint = "charging-statements"
    model = ChargingStatement
    customer_visible = True

    def make(self, ctx):
        return issued_statement(ctx.org_a)

    def create_payload(self, ctx):
        return {"customer": ctx.org_a.pk, "period_start": "2031-05-01", "period_end": "2031-06-01"}

    def invalid_payload(self, ctx):
        return {"customer": ctx.org_a.pk, "period_start": "2031-05-01", "period_end": "2031-04-01"}

    def update_payload(self, ctx):
        return {"notes": "Prices as agreed in the contract"}


# --- approval by a second person ----------------------------------------


def test_a_budget_is_approved_by_someone_other_than_its_author(ctx, fin):
    author = client(fin.agent)
    lines = [{"category": "personnel", "amount": "1000.00"}, {"category": "facilities", "amount": "200.25"}]
    created = author.post(
        "/api/v1/budgets/", {"service": fin.mail.pk, "year": 2026, "lines": lines}, format="json"
    ).json()
    assert created["total"] == "1200.25" and created["status"] == "draft"
    assert created["author"] == fin.agent.pk
    own = client(fin.agent).post(f"/api/v1/budgets/{created['id']}/transitions/", {"transition": "approve"})
    assert own.status_code == 400 and own.json()["code"] == "approver_is_author"
    other = client(fin.manager).post(
        f"/api/v1/budgets/{created['id']}/transitions/", {"transition": "approve"}
    )
    assert other.status_code == 200, other.json()
    assert other.json()["status"] == "approved" and other.json()["approved_by"] == fin.manager.pk
    # An approved budget is revised before it changes.
    changed = author.patch(f"/api/v1/budgets/{created['id']}/", {"notes": "More"}, format="json")
    assert changed.status_code == 409


def test_one_budget_per_service_and_period(ctx, fin):
    budget(fin.mail, 2026)
    response = client(fin.agent).post(
        "/api/v1/budgets/", {"service": fin.mail.pk, "year": 2026, "lines": []}, format="json"
    )
    assert response.status_code == 400


# --- statements ----------------------------------------


def test_a_statement_charges_each_service_the_customer_receives(ctx, fin):
    charge(fin.mail, "10.00", description="Mailbox")
    charge(fin.web, "25.50", description="Web plan")
    charge(fin.backup, "99.00", description="Vault")  # org_a does not receive Backup
    api = client(fin.agent)
    body = api.post(
        "/api/v1/charging-statements/",
        {"customer": ctx.org_a.pk, "period_start": "2026-01-01", "period_end": "2026-04-01"},
        format="json",
    ).json()
    assert [(line["description"], line["quantity"], line["amount"]) for line in body["lines"]] == [
        ("Mailbox", 3, "30.00"),
        ("Web plan", 3, "76.50"),
    ]
    assert body["total"] == "106.50" and body["currency"] == "EUR"
    approve = client(fin.manager).post(
        f"/api/v1/charging-statements/{body['id']}/transitions/", {"transition": "approve"}
    )
    assert approve.status_code == 200
    issue = api.post(f"/api/v1/charging-statements/{body['id']}/transitions/", {"transition": "issue"})
    assert issue.json()["status"] == "issued" and issue.json()["issued_on"]


def test_customers_see_only_their_own_issued_statements(ctx, fin):
    mine = issued_statement(ctx.org_a)
    theirs = issued_statement(ctx.org_b)
    draft = services.statement_create(
        actor=None,
        data={"customer": ctx.org_a, "period_start": dt.date(2026, 7, 1), "period_end": dt.date(2026, 8, 1)},
    )
    listed = client(ctx.customer_a).get("/api/v1/charging-statements/").json()
    assert [row["id"] for row in listed["results"]] == [mine.pk]
    assert client(ctx.customer_a).get(f"/api/v1/charging-statements/{theirs.pk}/").status_code == 404
    assert client(ctx.customer_a).get(f"/api/v1/charging-statements/{draft.pk}/").status_code == 404


# --- budget against actual ----------------------------------------


def test_budget_against_actual_flags_the_overspent_service(ctx, fin):
    budget(fin.mail, 2026, lines=[{"category": "personnel", "amount": "1200.00"}], approved=True)
    budget(fin.web, 2026, lines=[{"category": "personnel", "amount": "6000.00"}], approved=True)
    budget(fin.backup, 2026, lines=[{"category": "personnel", "amount": "999.00"}])  # a draft counts nothing
    cost("1000.00", service=fin.mail, date=dt.date(2026, 3, 1))
    cost("50.00", service=fin.web, date=dt.date(2026, 3, 2))
    cost("999.00", service=fin.web, date=dt.date(2025, 12, 31))  # last year
    shares = [{"service": fin.mail.pk, "percent": "75"}, {"service": fin.web.pk, "percent": "25"}]
    cost("400.00", rule_=rule("Platform", shares=shares), date=dt.date(2026, 3, 3))
    api = client(fin.agent)
    body = api.get("/api/v1/budget-vs-actual/", {"year": 2026}).json()
    rows = {r["service_name"]: r for r in body["services"]}
    assert rows["Hosted Mail"] == {
        "service": fin.mail.pk,
        "service_name": "Hosted Mail",
        "budget": "1200.00",
        "direct": "1000.00",
        "indirect": "300.00",
        "actual": "1300.00",
        "variance": "-100.00",
        "overspent": True,
        "used_percent": "108.3",
    }
    assert rows["Web Hosting"]["actual"] == "150.00" and rows["Web Hosting"]["overspent"] is False
    assert "Backup" not in rows  # no approved budget and no cost
    march = {
        r["service_name"]: r
        for r in api.get("/api/v1/budget-vs-actual/", {"year": 2026, "month": 3}).json()["services"]
    }
    assert march["Hosted Mail"]["budget"] == "100.00"  # a twelfth of the year
    assert march["Web Hosting"]["budget"] == "500.00"


def test_budget_against_actual_refuses_bad_parameters(ctx, fin):
    api = client(fin.agent)
    assert "month" in api.get("/api/v1/budget-vs-actual/", {"month": 13}).json()
    assert "year" in api.get("/api/v1/budget-vs-actual/", {"year": "x"}).json()
    assert client(ctx.customer_a).get("/api/v1/budget-vs-actual/").status_code == 403


# --- the cost of changes and requests ----------------------------------------


def test_cost_items_link_to_changes_and_service_requests(ctx, fin):
    from servitium.finance import selectors
    from tests.changes.conftest import change

    rfc = change("Upgrade mail cluster", services_=[fin.mail])
    request = incident_services.incident_create(
        actor=None,
        data={"customer": ctx.org_a, "title": "Extra mailbox", "service": fin.mail, "kind": "request"},
    )
    api = client(fin.agent)
    for amount, extra in (
        ("300.00", {"change": rfc.pk}),
        ("120.00", {"change": rfc.pk}),
        ("15.00", {"request": request.pk}),
    ):
        response = api.post(
            "/api/v1/cost-items/",
            {
                "date": "2026-03-01",
                "description": "Work",
                "amount": amount,
                "category": "personnel",
                "service": fin.mail.pk,
                **extra,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
    assert selectors.cost_of_change(rfc) == Decimal("420.00")
    assert selectors.cost_of_request(request) == Decimal("15.00")
    listed = api.get("/api/v1/cost-items/", {"change": rfc.pk}).json()
    assert listed["count"] == 2
    incident = incident_services.incident_create(
        actor=None, data={"customer": ctx.org_a, "title": "Broken", "service": fin.mail}
    )
    refused = api.post(
        "/api/v1/cost-items/",
        {
            "date": "2026-03-01",
            "description": "Work",
            "amount": "1.00",
            "category": "personnel",
            "service": fin.mail.pk,
            "request": incident.pk,
        },
        format="json",
    )
    assert refused.status_code == 400 and "request" in refused.json()


def test_out_of_range_input_is_refused_by_name(ctx, fin):
    api = client(fin.agent)
    huge = [{"category": "personnel", "amount": "1e30"}]
    response = api.post(
        "/api/v1/budgets/", {"service": fin.mail.pk, "year": 2026, "lines": huge}, format="json"
    )
    assert response.status_code == 400 and "lines" in response.json()
    for shares in ([{"service": True, "percent": 100}], [{"service": fin.mail.pk, "percent": "NaN"}], "x"):
        response = api.post(
            "/api/v1/apportionment-rules/", {"name": "Odd", "kind": "fixed", "shares": shares}, format="json"
        )
        assert response.status_code == 400 and "shares" in response.json(), shares
    far = {"customer": ctx.org_a.pk, "period_start": "9999-12-01", "period_end": "9999-12-31"}
    response = api.post("/api/v1/charging-statements/", far, format="json")
    assert response.status_code == 400 and "period_start" in response.json()
