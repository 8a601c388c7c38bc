"""The web UI: generated page suites, the availability page per service with its months and chart, the
list of services with "derive outages now", the plan's review form, and the tile on the assurance home."""

from __future__ import annotations

import datetime as dt

import pytest

from servitium.availability import services
from servitium.availability.models import (
    AvailabilityPlan,
    AvailabilityRequirement,
    ContinuityInvocation,
    ContinuityPlan,
    ContinuityRequirement,
    ContinuityTest,
    Outage,
)
from servitium.core import services as core_services
from tests import factories
from tests.availability.conftest import approved_plan, major_incident, plan
from tests.base import RecordUISuite, browser

WRITERS = ["availability-manager"]


def _service(name="Mail"):
    return factories.service(factories.unique(name))


class TestRequirementPages(RecordUISuite):
    model = AvailabilityRequirement
    writer_roles = WRITERS

    def make(self, ctx):
        return core_services.record_create(
            model=AvailabilityRequirement, data={"service": _service()}, actor=None
        )


class TestOutagePages(RecordUISuite):
    model = Outage
    writer_roles = WRITERS

    def make(self, ctx):
        return services.outage_create(
            actor=None,
            data={
                "service": _service(),
                "start": dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC),
                "cause": "Power",
            },
        )


class TestAvailabilityPlanPages(RecordUISuite):
    model = AvailabilityPlan
    writer_roles = WRITERS

    def make(self, ctx):
        return services.availability_plan_create(actor=None, data={"title": "Provider plan"})


class TestContinuityRequirementPages(RecordUISuite):
    model = ContinuityRequirement
    writer_roles = WRITERS

    def make(self, ctx):
        return core_services.record_create(
            model=ContinuityRequirement,
            data={"service": _service(), "rto_minutes": 60, "rpo_minutes": 5},
            actor=None,
        )


class TestContinuityPlanPages(RecordUISuite):
    model = ContinuityPlan
    writer_roles = WRITERS

    def make(self, ctx):
        return plan(_service())


class TestContinuityTestPages(RecordUISuite):
    model = ContinuityTest
    writer_roles = WRITERS

    def make(self, ctx):
        return services.continuity_test_create(
            actor=None,
            data={
                "plan": approved_plan(_service()),
                "tested_on": dt.date(2026, 4, 1),
                "scenario": "x",
                "result": "passed",
            },
        )


class TestInvocationPages(RecordUISuite):
    model = ContinuityInvocation
    writer_roles = WRITERS

    def make(self, ctx):
        return services.invocation_create(
            actor=None,
            data={
                "plan": approved_plan(_service()),
                "started_at": dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
                "reason": "Flood",
            },
        )


@pytest.mark.django_db
def test_service_availability_pages(ctx, staff, measured):
    now = dt.datetime.now(dt.UTC)
    major_incident(ctx, measured.service, now - dt.timedelta(days=3, hours=2), now - dt.timedelta(days=3))
    page = browser(staff.manager)
    listing = page.get("/assurance/availability/")
    assert listing.status_code == 200 and "Email" in listing.content.decode()
    assert page.post("/assurance/availability/").status_code == 302  # derive outages now
    detail = page.get(f"/assurance/availability/services/{measured.service.pk}/")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "<svg" in text and 'id="availability-months"' in text and "99.500" in text
    assert Outage.objects.count() == 1 and Outage.objects.get().reference in text
    # Not a staff page for a customer: sent to the portal.
    assert browser(ctx.customer_a).get("/assurance/availability/")["Location"] == "/portal/"


@pytest.mark.django_db
def test_plan_page_shows_review_request_and_records_a_review(ctx, staff):
    bcp = approved_plan(_service())
    services.invocation_create(
        actor=None,
        data={"plan": bcp, "started_at": dt.datetime(2026, 5, 1, 8, tzinfo=dt.UTC), "reason": "Fire"},
    )
    page = browser(staff.manager)
    url = f"/assurance/availability/continuity/plans/{bcp.pk}/"
    assert 'id="plan-review-requested"' in page.get(url).content.decode()
    assert page.post(url, {"action": "review", "note": "Checked"}).status_code == 302
    assert 'id="plan-review-requested"' not in page.get(url).content.decode()


@pytest.mark.django_db
def test_assurance_tile(ctx, staff, measured):
    page = browser(staff.manager)
    response = page.get("/assurance/")
    assert response.status_code == 200 and 'id="assurance-tile-availability"' in response.content.decode()
