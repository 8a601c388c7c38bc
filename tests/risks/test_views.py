"""The web UI of risk management: generated page suites, the heat map with its toggle and click-through,
the detail page's review form and next-step hints, and what customers get (nothing)."""

from __future__ import annotations

from servitium.risks import services
from servitium.risks.models import Risk, RiskAction, RiskMatrix
from tests import factories
from tests.base import RecordUISuite, browser, sent_to_portal
from tests.risks.conftest import assessed, risk


class TestRiskPages(RecordUISuite):
    model = Risk
    writer_roles = ["sms-agent"]

    def make(self, ctx):
        owner = factories.person(factories.unique("Owner"), ctx.provider)
        return services.risk_create(
            actor=None, data={"title": "Cooling failure", "owner": owner, "likelihood": 3, "impact": 4}
        )


class TestRiskActionPages(RecordUISuite):
    model = RiskAction
    writer_roles = ["sms-agent"]

    def make(self, ctx):
        return services.action_create(actor=None, data={"risk": risk(), "description": "Second chiller"})


class TestRiskMatrixPages(RecordUISuite):
    model = RiskMatrix
    writer_roles = ["sms-manager"]

    def make(self, ctx):
        return services.matrix_ensure()


def test_heat_map_counts_and_links(ctx, staff):
    assessed(staff.owner, 5, 4)
    assessed(staff.owner, 5, 4, title="Second")
    closed = assessed(staff.owner, 1, 1, title="Gone", treatment_option="accept", acceptance_reason="Small")
    services.risk_transition(actor=None, instance=closed, transition="treat")
    services.risk_transition(
        actor=None, instance=closed, transition="close", data={"residual_likelihood": 1, "residual_impact": 1}
    )
    page = browser(staff.agent).get("/sms/risks/heat-map/")
    assert page.status_code == 200
    cell = next(c for row in page.context["rows"] for c in row["cells"] if (c.likelihood, c.impact) == (5, 4))
    assert cell.count == 2 and cell.band["name"] == "critical"
    assert page.context["total"] == 2  # the closed one is not on the map
    assert b"text-bg-dark" in page.content and cell.url.encode().replace(b"&", b"&amp;") in page.content
    listed = browser(staff.agent).get(cell.url)
    assert listed.status_code == 200 and len(listed.context["rows"]) == 2
    residual = browser(staff.agent).get("/sms/risks/heat-map/", {"residual": "1"})
    assert residual.context["residual"] is True and residual.context["total"] == 0
    assert sent_to_portal(browser(ctx.customer_a).get("/sms/risks/heat-map/"))


def test_detail_review_and_hints(ctx, staff):
    found = assessed(staff.owner, 4, 4)
    page = browser(staff.agent).get(found.get_absolute_url())
    assert page.status_code == 200
    assert any("treatment option" in reason for _label, reason in page.context["blocked"])
    response = browser(staff.agent).post(found.get_absolute_url(), {"action": "review", "note": "Checked"})
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.last_reviewed is not None
    bad = browser(staff.agent).post(found.get_absolute_url(), {"action": "review", "next_review": "soon"})
    assert bad.status_code == 302  # the message names the problem; nothing changed
    assert sent_to_portal(browser(ctx.customer_a).get(found.get_absolute_url()))


def test_list_filters_of_the_register(ctx, staff):
    late = assessed(staff.owner, 2, 2)
    Risk.objects.filter(pk=late.pk).update(review_date="2000-01-01")
    page = browser(staff.agent)
    for query in (
        {"overdue_review": "true"},
        {"band": "low"},
        {"open": "true"},
        {"overdue_actions": "false"},
    ):
        response = page.get("/sms/risks/", query)
        assert response.status_code == 200, query
        assert late.get_absolute_url().encode() in response.content, query
    assert page.get("/sms/risks/", {"band": "purple"}).status_code == 400
