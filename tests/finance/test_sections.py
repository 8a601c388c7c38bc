"""What finance gives other processes: the cost section of a service report (internal and per customer),
the management review input on resources, and the financial resources of a service for capacity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from servitium.core.reportsections import ReportScope, report_sections
from servitium.core.reviewinputs import review_inputs
from servitium.finance.selectors import Period, financial_resources
from tests.finance.conftest import budget, cost, rule

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 4, 1))


def _books(fin):
    budget(
        fin.mail,
        2026,
        lines=[{"category": "personnel", "amount": "1200.00"}, {"category": "licences", "amount": "120.00"}],
        approved=True,
    )
    cost("90.00", service=fin.mail, date=dt.date(2026, 3, 5))
    cost("40.00", service=fin.web, date=dt.date(2026, 3, 6))
    cost("5.00", service=fin.web, date=dt.date(2026, 4, 6))  # April
    shares = [{"service": fin.mail.pk, "percent": "50"}, {"service": fin.web.pk, "percent": "50"}]
    cost("30.00", rule_=rule("Platform", shares=shares), date=dt.date(2026, 3, 7))


def _section():
    return next(s for s in report_sections() if s.key == "cost")


def test_the_cost_section_gives_cost_per_service(ctx, fin):
    _books(fin)
    section = _section()
    assert section.items == ("cost",)
    found = section.build(ReportScope(None, (), *MARCH))
    assert [(r["service"], r["cost"]) for r in found["rows"]] == [
        ("Hosted Mail", Decimal("105.00")),
        ("Web Hosting", Decimal("55.00")),
    ]
    assert found["rows"][0]["budget"] == Decimal("110.00")  # a twelfth of 1320
    assert found["total"] == Decimal("160.00") and "<svg" in found["chart"]


def test_a_customers_report_shows_its_share_only(ctx, fin):
    _books(fin)
    found = _section().build(ReportScope(ctx.org_b.pk, (), *MARCH))
    # org_b receives only Hosted Mail, with org_a and org_c: a third of 105.00.
    assert [(r["service"], r["cost"]) for r in found["rows"]] == [("Hosted Mail", Decimal("35.00"))]
    assert found["charged"] == Decimal("0.00")
    first = _section().build(ReportScope(ctx.org_a.pk, (), *MARCH))
    assert [(r["service"], r["cost"]) for r in first["rows"]] == [
        ("Hosted Mail", Decimal("35.00")),
        ("Web Hosting", Decimal("55.00")),
    ]


def test_the_review_input_reports_resources(ctx, fin):
    _books(fin)
    found = next(i for i in review_inputs() if i.key == "finance")
    assert "resources" in found.topics
    context = found.context(dt.date(2026, 1, 1), dt.date(2027, 1, 1), fin.manager)
    assert context["actual"] == Decimal("165.00")
    assert [r.service for r in context["unbudgeted"]] == ["Web Hosting"]
    assert found.context(dt.date(2026, 1, 1), dt.date(2027, 1, 1), ctx.customer_a) is None


def test_financial_resources_of_a_service(ctx, fin):
    _books(fin)
    found = financial_resources(fin.mail, Period.year(2026))
    assert found["budget"] == Decimal("1320.00")
    assert found["actual"] == Decimal("105.00") and found["indirect"] == Decimal("15.00")
    assert found["remaining"] == Decimal("1215.00") and found["overspent"] is False
    assert found["budget_by_category"] == {"personnel": Decimal("1200.00"), "licences": Decimal("120.00")}
    assert found["currency"] == "EUR"
