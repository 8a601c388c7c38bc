"""The REST resources of availability and continuity: generated suites, plus the outage sync, the
availability figures per service and month, plan approval and review, and bad query parameters."""

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
from tests.availability.conftest import BERLIN, PLAN_TEXT, approved_plan, major_incident, plan
from tests.base import RecordAPISuite, client

WRITERS = ["availability-manager"]
FOREIGN = ["incident-manager", "catalog-manager"]


class _Suite(RecordAPISuite):
    writer_roles = WRITERS
    foreign_roles = FOREIGN
    customer_visible = False


def _service(ctx, name="Mail"):
    return factories.service(factories.unique(name), customers=[ctx.org_a])


class TestAvailabilityRequirementAPI(_Suite):
    endpoint = "availability-requirements"
    model = AvailabilityRequirement

    def make(self, ctx):
        return core_services.record_create(
            model=AvailabilityRequirement,
            data={"service": _service(ctx), "maintenance_allowance_minutes": 30},
            actor=None,
        )

    def create_payload(self, ctx):
        return {
            "service": _service(ctx).pk,
            "maintenance_allowance_minutes": 60,
            "requirement": "Office hours",
        }

    def invalid_payload(self, ctx):
        return {"service": None, "maintenance_allowance_minutes": -5}

    def update_payload(self, ctx):
        return {"maintenance_allowance_minutes": 120}


class TestOutageAPI(_Suite):
    endpoint = "outages"
    model = Outage

    def make(self, ctx):
        return services.outage_create(
            actor=None,
            data={
                "service": _service(ctx),
                "start": dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC),
                "end": dt.datetime(2026, 5, 4, 10, tzinfo=dt.UTC),
                "cause": "Power",
            },
        )

    def create_payload(self, ctx):
        return {
            "service": _service(ctx).pk,
            "start": "2026-05-05T09:00:00Z",
            "end": "2026-05-05T10:30:00Z",
            "kind": "planned",
            "cause": "Storage firmware",
        }

    def invalid_payload(self, ctx):
        return {"service": _service(ctx).pk, "start": "2026-05-05T09:00:00Z", "end": "2026-05-05T08:00:00Z"}

    def update_payload(self, ctx):
        return {"investigated": True, "cause": "Power feed B"}


class TestAvailabilityPlanAPI(_Suite):
    endpoint = "availability-plans"
    model = AvailabilityPlan

    def make(self, ctx):
        return services.availability_plan_create(actor=None, data={"title": "Provider plan"})

    def create_payload(self, ctx):
        return {"title": "Mail plan", "requirements_and_targets": "99.9 %", "review_interval_days": 180}

    def invalid_payload(self, ctx):
        return {"title": "", "review_interval_days": 1}

    def update_payload(self, ctx):
        return {"measures": "Two sites"}


class TestContinuityRequirementAPI(_Suite):
    endpoint = "continuity-requirements"
    model = ContinuityRequirement

    def make(self, ctx):
        return core_services.record_create(
            model=ContinuityRequirement,
            data={"service": _service(ctx), "rto_minutes": 240, "rpo_minutes": 15},
            actor=None,
        )

    def create_payload(self, ctx):
        return {"service": _service(ctx).pk, "rto_minutes": 60, "rpo_minutes": 5, "priority": 1}

    def invalid_payload(self, ctx):
        return {"service": _service(ctx).pk, "rto_minutes": 0, "rpo_minutes": 5, "priority": 9}

    def update_payload(self, ctx):
        return {"rto_minutes": 120}


class TestContinuityPlanAPI(_Suite):
    endpoint = "continuity-plans"
    model = ContinuityPlan

    def make(self, ctx):
        return plan(_service(ctx))

    def create_payload(self, ctx):
        return {"title": "Site loss", "services": [_service(ctx).pk], **PLAN_TEXT}

    def invalid_payload(self, ctx):
        return {"title": "", "test_interval_days": 0}

    def update_payload(self, ctx):
        return {"contacts": "Duty phone +49 69 111"}


class TestContinuityTestAPI(_Suite):
    endpoint = "continuity-tests"
    model = ContinuityTest

    def make(self, ctx):
        return services.continuity_test_create(
            actor=None,
            data={
                "plan": approved_plan(_service(ctx)),
                "tested_on": dt.date(2026, 4, 1),
                "scenario": "x",
                "result": "passed",
            },
        )

    def create_payload(self, ctx):
        return {
            "plan": approved_plan(_service(ctx)).pk,
            "tested_on": "2026-05-01",
            "scenario": "Frankfurt lost",
            "result": "passed",
            "recovery_minutes": 150,
        }

    def invalid_payload(self, ctx):
        return {
            "plan": approved_plan(_service(ctx)).pk,
            "tested_on": "2026-05-01",
            "scenario": "x",
            "result": "maybe",
        }

    def update_payload(self, ctx):
        return {"findings": "Runbook step 3 unclear"}


class TestContinuityInvocationAPI(_Suite):
    endpoint = "continuity-invocations"
    model = ContinuityInvocation

    def make(self, ctx):
        return services.invocation_create(
            actor=None,
            data={
                "plan": approved_plan(_service(ctx)),
                "started_at": dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
                "reason": "Flood",
            },
        )

    def create_payload(self, ctx):
        return {
            "plan": approved_plan(_service(ctx)).pk,
            "started_at": "2026-05-01T06:00:00Z",
            "reason": "Fire alarm",
        }

    def invalid_payload(self, ctx):
        return {
            "plan": approved_plan(_service(ctx)).pk,
            "started_at": "2026-05-01T06:00:00Z",
            "ended_at": "2026-05-01T05:00:00Z",
            "reason": "x",
        }

    def update_payload(self, ctx):
        return {"outcome": "Restored in 3 h"}


@pytest.mark.django_db
def test_sync_and_availability_through_the_api(ctx, staff, measured):
    major_incident(
        ctx,
        measured.service,
        dt.datetime(2026, 6, 2, 15, 0, tzinfo=BERLIN),
        dt.datetime(2026, 6, 2, 19, 30, tzinfo=BERLIN),
    )
    api = client(staff.manager)
    assert api.post("/api/v1/outages/sync/").json() == {"created": 1, "updated": 0}
    response = api.get(f"/api/v1/outages/availability/?service={measured.service.pk}&from=2026-06&to=2026-07")
    assert response.status_code == 200
    june, july = response.json()
    assert june["month"] == "2026-06" and june["availability"] == "98.864" and june["met"] is False
    assert june["unplanned_minutes"] == 120 and june["target"] == "99.500" and june["mtrs_minutes"] == 120
    assert july["availability"] == "100.000" and july["met"] is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,field",
    [
        ("from=2026-13", "from"),
        ("from=20x6-01", "from"),
        ("service=abc", "service"),
        ("from=2026-06&to=2026-01", "to"),
        ("from=2020-01&to=2026-01", "to"),
        ("from=2026-0%00", "from"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(ctx, staff, query, field):
    response = client(staff.agent).get(f"/api/v1/outages/availability/?{query}")
    assert response.status_code == 400 and field in response.json()


@pytest.mark.django_db
def test_plan_approval_by_the_author_is_refused_and_review_over_http(ctx, staff):
    author, other = client(staff.manager), client(staff.other)
    created = author.post(
        "/api/v1/continuity-plans/",
        {"title": "Site loss", "services": [_service(ctx).pk], **PLAN_TEXT},
        format="json",
    ).json()
    url = f"/api/v1/continuity-plans/{created['id']}/"
    assert author.post(url + "transitions/", {"transition": "approve"}, format="json").status_code == 400
    approved = other.post(url + "transitions/", {"transition": "approve"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["next_test_due"]
    reviewed = other.post(url + "review/", {"note": "All fine"}, format="json")
    assert reviewed.status_code == 200 and reviewed.json()["review_requested"] is False


@pytest.mark.django_db
def test_customers_and_other_roles_see_nothing(ctx, measured):
    response = client(ctx.customer_a).get("/api/v1/outages/availability/")
    assert response.status_code == 403
