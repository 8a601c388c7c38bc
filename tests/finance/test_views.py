"""The web UI of budgeting and accounting: generated page suites, the budget-against-actual page with its
chart and overspend flag, a cost item's apportionment, the assurance tile, and what customers see."""

from __future__ import annotations

import datetime as dt

from servitium.finance.models import ApportionmentRule, Budget, ChargeRule, ChargingStatement, CostItem
from tests import factories
from tests.base import RecordUISuite, browser, client, sent_to_portal
from tests.finance.conftest import budget, charge, cost, rule
from tests.finance.test_api import issued_statement


def _service(ctx):
    return factories.service(factories.unique("Svc"), customers=[ctx.org_a])


class FinancePages(RecordUISuite):
    writer_roles = ["finance-agent"]


class TestBudgetPages(FinancePages):
    model = Budget

    def make(self, ctx):
        return budget(_service(ctx))


class TestCostItemPages(FinancePages):
    model = CostItem

    def make(self, ctx):
        return cost("99.95", service=_service(ctx), description="Storage licences")


class TestApportionmentRulePages(FinancePages):
    model = ApportionmentRule

    def make(self, ctx):
        return rule(factories.unique("Rule"), shares=[{"service": _service(ctx).pk, "percent": "100"}])


class TestChargeRulePages(FinancePages):
    model = ChargeRule

    def make(self, ctx):
        return charge(_service(ctx), "12.00", description="Mailbox bundle")


class TestChargingStatementPages(FinancePages):
    model = ChargingStatement

    def make(self, ctx):
        return issued_statement(ctx.org_a)


def test_budget_against_actual_page_shows_the_overspend_with_a_chart(ctx, fin):
    year = dt.date.today().year
    budget(fin.mail, year, lines=[{"category": "personnel", "amount": "100.00"}], approved=True)
    budget(fin.web, year, lines=[{"category": "personnel", "amount": "1000.00"}], approved=True)
    cost("150.00", service=fin.mail, date=dt.date(year, 1, 5))
    cost("10.00", service=fin.web, date=dt.date(year, 1, 5))
    page = browser(fin.agent).get("/assurance/finance/", {"year": year})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Hosted Mail" in html
    row = html.split('id="budget-table"')[1].split("Hosted Mail")[1].split("</tr>")[0]
    assert "overspent" in row and "-50.00" in row
    web = html.split('id="budget-table"')[1].split("Web Hosting")[1].split("</tr>")[0]
    assert "overspent" not in web
    assert (
        browser(fin.agent).get("/assurance/finance/", {"year": "nonsense", "month": "99"}).status_code == 200
    )


def test_customers_and_other_roles_do_not_see_the_finance_pages(ctx, fin):
    assert sent_to_portal(browser(ctx.customer_a).get("/assurance/finance/"))
    other = factories.user("inc_m", ctx.provider, ["incident-manager"])
    assert browser(other).get("/assurance/finance/").status_code == 403


def test_the_cost_item_page_shows_how_it_is_shared(ctx, fin):
    shares = [{"service": fin.mail.pk, "percent": "70"}, {"service": fin.web.pk, "percent": "30"}]
    item = cost("10.00", rule_=rule("Platform", shares=shares))
    html = browser(fin.agent).get(f"/assurance/finance/costs/{item.pk}/").content.decode()
    section = html.split('id="apportionment"')[1]
    assert "7.00" in section and "3.00" in section and "Suite Customer A" in section


def test_the_assurance_tile_names_the_service_over_budget(ctx, fin):
    year = dt.date.today().year
    budget(fin.mail, year, lines=[{"category": "personnel", "amount": "100.00"}], approved=True)
    cost("150.00", service=fin.mail, date=dt.date(year, 1, 5))
    html = browser(fin.manager).get("/assurance/").content.decode()
    tile = html.split('id="assurance-tile-finance"')[1]
    assert "1 service over budget" in tile and "Hosted Mail" in tile


def test_a_customer_reads_its_issued_statement_and_not_a_draft(ctx, fin):
    from servitium.finance import services

    charge(fin.mail, "10.00", description="Mailbox")
    issued = issued_statement(ctx.org_a)
    draft = services.statement_create(
        actor=None,
        data={"customer": ctx.org_a, "period_start": dt.date(2026, 2, 1), "period_end": dt.date(2026, 3, 1)},
    )
    # The staff page sends customers to the portal; they read issued statements through the API.
    assert sent_to_portal(browser(ctx.customer_a).get(f"/assurance/finance/statements/{issued.pk}/"))
    customer = client(ctx.customer_a)
    page = customer.get(f"/api/v1/charging-statements/{issued.pk}/")
    assert page.status_code == 200 and "Mailbox" in page.content.decode()
    assert customer.get(f"/api/v1/charging-statements/{draft.pk}/").status_code == 404
    assert client(ctx.customer_b).get(f"/api/v1/charging-statements/{issued.pk}/").status_code == 404


def test_a_changes_page_shows_its_cost_and_a_services_page_its_finances(ctx, fin):
    from django.urls import reverse

    from tests.changes.conftest import change

    year = dt.date.today().year
    rfc = change("Upgrade mail cluster", services_=[fin.mail])
    cost("300.00", service=fin.mail, change=rfc, date=dt.date(year, 1, 2))
    cost("120.50", service=fin.mail, change=rfc, date=dt.date(year, 1, 3))
    budget(fin.mail, year, lines=[{"category": "personnel", "amount": "400.00"}], approved=True)
    page = browser(fin.manager).get(reverse("changes:change_detail", args=[rfc.pk])).content.decode()
    assert "420.50 EUR" in page.split('id="finance-costs"')[1]
    page = browser(fin.manager).get(reverse("catalog:service_detail", args=[fin.mail.pk])).content.decode()
    panel = page.split('id="service-finances"')[1]
    assert "400.00" in panel and "420.50" in panel and "over budget" in panel
    # Roles outside finance see neither panel.
    other = factories.user("cat_m", ctx.provider, ["catalog-manager"])
    page = browser(other).get(reverse("catalog:service_detail", args=[fin.mail.pk])).content.decode()
    assert 'id="service-finances"' not in page
