"""The REST resources of capacity and demand: generated suites plus the plan's approval, the bulk intake of
measurements with its 400 naming the bad row, the forecast and demand counted from requests over HTTP."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from servitium.capacity.models import CapacityMetric, CapacityPlan, CapacityPlanLine, Demand, Measurement
from tests import factories
from tests.base import RecordAPISuite, client
from tests.capacity.conftest import FULL_PLAN, line, metric, plan, readings


class CapacitySuite(RecordAPISuite):
    writer_roles = ["capacity-agent"]
    foreign_roles = ["incident-manager", "sms-manager"]
    customer_visible = False
    deletable = False  # agents do not delete


class TestCapacityPlanAPI(CapacitySuite):
    endpoint = "capacity-plans"
    model = CapacityPlan

    def make(self, ctx):
        return plan(factories.service(factories.unique("Svc"), customers=[ctx.org_a]))

    def create_payload(self, ctx):
        service = factories.service(factories.unique("Object Storage"), customers=[ctx.org_a])
        return {
            "service": service.pk,
            "title": "Storage 2027",
            "period_start": "2027-01-01",
            "period_end": "2027-12-31",
            "current_demand": "300 TB",
        }

    def invalid_payload(self, ctx):
        service = factories.service(factories.unique("Bad Storage"))
        return {
            "service": service.pk,
            "title": "Backwards",
            "period_start": "2027-12-31",
            "period_end": "2027-01-01",
        }

    def update_payload(self, ctx):
        return {"forecast_demand": "400 TB by December", "forecast_demand_figure": "400.0000"}


class TestCapacityPlanLineAPI(CapacitySuite):
    endpoint = "capacity-plan-lines"
    model = CapacityPlanLine

    def make(self, ctx):
        return line(plan(factories.service(factories.unique("Svc"))))

    def create_payload(self, ctx):
        made = plan(factories.service(factories.unique("Line Svc")))
        return {
            "plan": made.pk,
            "resource_type": "human",
            "item": "On-call engineers",
            "current_capacity": "4",
            "forecast_need": "6",
            "unit": "FTE",
        }

    def invalid_payload(self, ctx):
        made = plan(factories.service(factories.unique("Bad Line Svc")))
        return {
            "plan": made.pk,
            "resource_type": "magic",
            "item": "x",
            "current_capacity": "-1",
            "forecast_need": "1",
        }

    def update_payload(self, ctx):
        return {"forecast_need": "8.0000", "action": "Hire two"}


class TestCapacityMetricAPI(CapacitySuite):
    endpoint = "capacity-metrics"
    model = CapacityMetric

    def make(self, ctx):
        return metric(factories.service(factories.unique("Svc")))

    def create_payload(self, ctx):
        return {
            "service": factories.service(factories.unique("Metric Svc")).pk,
            "name": "Storage used",
            "unit": "TB",
            "warning_threshold": "80",
            "critical_threshold": "95",
        }

    def invalid_payload(self, ctx):
        return {"name": "Upside down", "warning_threshold": "95", "critical_threshold": "80"}

    def update_payload(self, ctx):
        return {"unit": "percent"}


class TestMeasurementAPI(CapacitySuite):
    endpoint = "capacity-measurements"
    model = Measurement

    def make(self, ctx):
        found = metric(factories.service(factories.unique("Svc")))
        return readings(found, [42])[0]

    def create_payload(self, ctx):
        found = metric(factories.service(factories.unique("Measured Svc")))
        return {"metric": found.pk, "measured_at": "2026-01-05T10:00:00Z", "value": "55.5"}

    def invalid_payload(self, ctx):
        found = metric(factories.service(factories.unique("Bad Measured Svc")))
        return {"metric": found.pk, "measured_at": "yesterday", "value": "x"}

    def update_payload(self, ctx):
        return {"value": "43.0000"}


class TestDemandAPI(CapacitySuite):
    endpoint = "demand-records"
    model = Demand

    def make(self, ctx):
        from servitium.capacity import services

        return services.demand_create(
            actor=None,
            data={
                "customer": ctx.org_a,
                "service": factories.service(factories.unique("Svc"), customers=[ctx.org_a]),
                "period_start": dt.date(2026, 1, 1),
                "period_end": dt.date(2026, 2, 1),
                "measure": "users",
                "measured": Decimal("120"),
                "forecast": Decimal("150"),
            },
        )

    def create_payload(self, ctx):
        service = factories.service(factories.unique("Demand Svc"), customers=[ctx.org_a])
        return {
            "customer": ctx.org_a.pk,
            "service": service.pk,
            "period_start": "2026-03-01",
            "period_end": "2026-04-01",
            "measure": "VMs",
            "measured": "40",
            "forecast": "48",
        }

    def invalid_payload(self, ctx):
        return {"customer": ctx.org_a.pk, "measure": "VMs", "measured": "-4"}

    def update_payload(self, ctx):
        return {"forecast": "60.0000", "notes": "New warehouse opens"}


def test_bulk_measurements_are_stored_and_a_bad_row_is_named(ctx, staff):
    cpu = metric(staff.service)
    api = client(staff.agent)
    now = timezone.now()
    rows = [
        {"metric": cpu.pk, "measured_at": (now - dt.timedelta(hours=3 - i)).isoformat(), "value": 50 + i}
        for i in range(3)
    ]
    bad = [*rows, {"metric": cpu.pk, "measured_at": now.isoformat(), "value": "NaN"}]
    response = api.post("/api/v1/capacity-measurements/bulk/", {"measurements": bad}, format="json")
    assert response.status_code == 400
    assert response.json()["measurements"][0].startswith("Row 3, value")
    assert not Measurement.objects.exists()
    response = api.post("/api/v1/capacity-measurements/bulk/", {"measurements": [*rows, "x"]}, format="json")
    assert response.status_code == 400 and "Row 3" in response.json()["measurements"][0]
    response = api.post("/api/v1/capacity-measurements/bulk/", {"measurements": rows}, format="json")
    assert response.status_code == 201, response.content
    assert response.json() == {"stored": 3, "metrics": [cpu.pk]}
    body = api.get(f"/api/v1/capacity-metrics/{cpu.pk}/").json()
    assert body["state"] == "ok" and Decimal(body["last_value"]) == Decimal("52")
    forecast = api.get(f"/api/v1/capacity-metrics/{cpu.pk}/forecast/").json()
    assert forecast["readings"] == 3 and forecast["slope_per_day"] > 0 and forecast["crossing_at"]


def test_bulk_intake_needs_the_capacity_roles(ctx, staff):
    cpu = metric(staff.service)
    other = factories.user("incm", ctx.provider, ["incident-manager"])
    row = {"metric": cpu.pk, "measured_at": timezone.now().isoformat(), "value": 1}
    response = client(other).post(
        "/api/v1/capacity-measurements/bulk/", {"measurements": [row]}, format="json"
    )
    assert response.status_code == 403
    assert client(ctx.customer_a).post(
        "/api/v1/capacity-measurements/bulk/", {"measurements": [row]}, format="json"
    ).status_code in (403, 404)


def test_approval_through_the_api_refuses_the_author(ctx, staff):
    api = client(staff.manager)
    body = {
        "service": staff.service.pk,
        "title": "Mail capacity",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        **{k: str(v) for k, v in FULL_PLAN.items()},
    }
    created = api.post("/api/v1/capacity-plans/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    line(CapacityPlan.objects.get(pk=pk))
    url = f"/api/v1/capacity-plans/{pk}/transitions/"
    refused = api.post(url, {"transition": "approve"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "approver_is_author"
    assert client(staff.agent).post(url, {"transition": "approve"}, format="json").status_code == 403
    approved = client(staff.manager2).post(url, {"transition": "approve"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    reviewed = api.post(f"/api/v1/capacity-plans/{pk}/review/", {"note": "Still right"}, format="json")
    assert (
        reviewed.status_code == 200 and reviewed.json()["last_reviewed"] == timezone.localdate().isoformat()
    )


def test_demand_from_requests_over_the_api(ctx, staff):
    api = client(staff.agent)
    bad = api.post(
        "/api/v1/demand-records/from-requests/", {"start": "2026-02-01", "end": "2026-01-01"}, format="json"
    )
    assert bad.status_code == 400 and "end" in bad.json()
    ok = api.post(
        "/api/v1/demand-records/from-requests/", {"start": "2026-01-01", "end": "2026-02-01"}, format="json"
    )
    assert ok.status_code == 200 and ok.json() == []
