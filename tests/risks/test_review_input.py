"""The risk register's input to the management review, its SMS home tile and the panel on linked records."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone

from servitium.core.panels import LIST, panels
from servitium.core.reviewinputs import review_inputs
from servitium.risks import panels as risk_panels
from servitium.risks import services
from servitium.risks.models import Risk
from tests.base import browser
from tests.risks.conftest import assessed, risk

TODAY = dt.date.today()


def test_review_input_figures(ctx, staff):
    untreated = assessed(staff.owner, 5, 5, title="Untreated")
    low = assessed(staff.owner, 1, 2, title="Low", treatment_option="accept", acceptance_reason="Small")
    services.risk_transition(actor=None, instance=low, transition="treat")
    services.risk_transition(
        actor=None, instance=low, transition="close", data={"residual_likelihood": 1, "residual_impact": 1}
    )
    Risk.objects.filter(pk=untreated.pk).update(review_date=TODAY - dt.timedelta(days=1))
    services.action_create(
        actor=None, data={"risk": untreated, "description": "Late", "due_date": TODAY - dt.timedelta(days=2)}
    )
    risk(kind="opportunity", title="New region")
    entry = next(i for i in review_inputs() if i.key == "risks")
    assert entry.topics == ("risks",)
    figures = entry.context(TODAY.replace(month=1, day=1), TODAY, staff.agent)
    assert figures["open"] == 2 and figures["risks"] == 1 and figures["opportunities"] == 1
    assert figures["new"] == 3 and figures["closed"] == 1
    assert {b["name"]: b["count"] for b in figures["bands"]} == {
        "low": 0,
        "medium": 0,
        "high": 0,
        "critical": 1,
    }
    assert figures["untreated"] == [untreated] and figures["overdue_review_count"] == 1
    assert figures["overdue_action_count"] == 1
    html = render_to_string(entry.template, figures)
    assert "Untreated" in html and "Reviews overdue" in html
    assert entry.context(TODAY, TODAY, ctx.customer_a) is None


def test_sms_home_tile_and_record_panels(ctx, staff):
    found = assessed(staff.owner, 5, 5, services=[staff.service])
    Risk.objects.filter(pk=found.pk).update(review_date=timezone.localdate() - dt.timedelta(days=3))
    shown = panels("sms.home", None, staff.agent, page=LIST)
    tile = next(p for p in shown if p["template"] == "risks/_sms_home_panel.html")["context"]
    assert tile == {"open": 1, "beyond": 1, "opportunities": 0, "untreated": 1, "overdue": 1}
    assert "beyond the appetite" in render_to_string("risks/_sms_home_panel.html", {"panel": tile})
    assert risk_panels.sms_home(None, ctx.customer_a) is None
    page = browser(staff.agent).get(staff.service.get_absolute_url())
    assert page.status_code == 200 and found.reference.encode() in page.content
