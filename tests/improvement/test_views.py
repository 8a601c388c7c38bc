"""The pages of the improvement register (generated suites), the panel with the source link and the steps
that take input, the SMS home tile and the review inputs."""

from __future__ import annotations

import datetime as dt

from servitium.core.panels import LIST, panels
from servitium.core.reviewinputs import review_inputs
from servitium.improvement import services
from servitium.improvement.models import CorrectiveAction, ImprovementOpportunity, Nonconformity
from tests.base import RecordUISuite, browser

from .conftest import DUE, nonconformity, opportunity, to_action_done


class TestNonconformityPages(RecordUISuite):
    model = Nonconformity
    writer_roles = ["sms-agent"]

    def make(self, ctx):
        return nonconformity()


class TestCorrectiveActionPages(RecordUISuite):
    model = CorrectiveAction
    writer_roles = ["sms-agent"]

    def make(self, ctx):
        return services.corrective_action_create(
            actor=None,
            data={"nonconformity": nonconformity(), "description": "Train the CAB", "due_date": DUE},
        )


class TestOpportunityPages(RecordUISuite):
    model = ImprovementOpportunity
    writer_roles = ["sms-agent"]

    def make(self, ctx):
        return opportunity()


def test_detail_shows_the_source_as_a_link_and_takes_steps_with_input(ctx, staff):
    source = nonconformity(kind="other", description="A source record with a page")
    nc = nonconformity(source=source, kind="internal_audit")
    page = browser(staff.agent).get(f"/sms/improvement/{nc.pk}/").content.decode()
    assert f'href="/sms/improvement/{source.pk}/"' in page and "internal audit" in page
    assert 'name="correction"' in page  # the step that needs input offers its field
    response = browser(staff.agent).post(
        f"/sms/improvement/{nc.pk}/", {"transition": "record_correction", "correction": "Fixed at once"}
    )
    assert response.status_code == 302
    nc.refresh_from_db()
    assert nc.status == "corrected" and nc.correction == "Fixed at once"


def test_closing_early_in_the_ui_says_why(ctx, staff):
    nc = nonconformity()
    response = browser(staff.agent).post(f"/sms/improvement/{nc.pk}/", {"transition": "close"}, follow=True)
    assert "cannot close before its effectiveness check" in response.content.decode()
    nc.refresh_from_db()
    assert nc.status == "open"


def test_home_tile_and_review_inputs(ctx, staff):
    nc = to_action_done(nonconformity(grade="major"), staff.owner)
    CorrectiveAction.objects.update(status="planned", due_date=dt.date(2020, 1, 1))
    opportunity()
    [tile] = [p for p in panels("sms.home", None, staff.agent, page=LIST) if "improvement" in p["template"]]
    assert tile["context"]["open"] == 1 and tile["context"]["major"] == 1
    assert tile["context"]["overdue_actions"] == 1 and tile["context"]["awaiting_decision"] == 1
    inputs = {i.key: i for i in review_inputs()}
    assert {"nonconformities", "improvement"} <= set(inputs)
    today = dt.date.today()
    figures = inputs["nonconformities"].context(today - dt.timedelta(days=365), today, staff.agent)
    assert figures["raised"] == 1 and figures["overdue_count"] == 1 and figures["open"] == 1
    assert ("internal audit", 1) in figures["sources"]
    figures = inputs["improvement"].context(today - dt.timedelta(days=365), today, staff.agent)
    assert figures["raised"] == 1 and [o.pk for o in figures["open"]] == [
        ImprovementOpportunity.objects.get().pk
    ]
    from django.template.loader import render_to_string

    html = render_to_string(inputs["improvement"].template, figures)
    assert "Self-service password reset" in html or "OFI" in html
    assert nc.reference in render_to_string(
        inputs["nonconformities"].template,
        inputs["nonconformities"].context(today - dt.timedelta(days=365), today, staff.agent),
    )
