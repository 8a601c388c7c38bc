"""The capacity demo on the demo's services: a year of readings, one metric forecast to breach within 60
days, approved plans for every live service but one, demand per customer; and it loads twice unchanged."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.capacity import demo as capacity_demo
from servitium.capacity.models import CapacityMetric, CapacityPlan, Demand, Measurement
from servitium.catalog.models import Service
from servitium.core.checks import MET, PARTLY_MET, REGISTRY
from servitium.parties.models import User
from tests.base import browser


def test_the_demo_holds_the_capacity_process_with_its_gaps(db):
    live = Service.objects.filter(status="live")
    metrics = CapacityMetric.objects.all()
    assert metrics.count() >= live.count()
    storage = metrics.get(name="Object storage used")
    first = storage.measurements.order_by("measured_at").first().measured_at
    assert timezone.now() - first > dt.timedelta(days=360)
    assert storage.state == "warning" and storage.breach_incident is None
    assert timezone.now() < storage.forecast_breach_at < timezone.now() + dt.timedelta(days=60)
    soon = metrics.filter(forecast_breach_at__lt=timezone.now() + dt.timedelta(days=60))
    assert list(soon) == [storage]
    unplanned = live.exclude(capacity_plans__status="approved")
    assert [s.name for s in unplanned] == [capacity_demo.UNPLANNED]
    plan = CapacityPlan.objects.filter(status="approved").first()
    assert set(plan.lines.values_list("resource_type", flat=True)) == {
        "human",
        "technical",
        "information",
        "financial",
    }
    assert plan.lines.filter(resource_type="financial", budget__isnull=False).exists()
    assert Demand.objects.values("customer").distinct().count() >= 4
    assert REGISTRY["capacity.live_services_planned"].run().status == PARTLY_MET
    assert REGISTRY["capacity.demand_determined"].run().status == PARTLY_MET
    assert REGISTRY["capacity.plans_cover_resource_types"].run().status == MET
    # two revised plans: one under an approved change, one from before changes were named
    revisions = REGISTRY["capacity.revisions_under_change"].run()
    assert revisions.status == PARTLY_MET and len(revisions.gaps) == 1, revisions.message
    admin = User.objects.get(username="admin")
    home = browser(admin).get("/assurance/").content.decode()
    assert "Object storage used" in home and capacity_demo.UNPLANNED in home
    storage_plan = CapacityPlan.objects.get(service__name="Block and Object Storage")
    page = browser(admin).get(storage_plan.get_absolute_url())
    assert page.status_code == 200 and page.content.decode().count("capacity-chart") == 1
    assert browser(admin).get(f"/assurance/capacity/metrics/{storage.pk}/").status_code == 200
    counts = (Measurement.objects.count(), CapacityPlan.objects.count(), Demand.objects.count())
    capacity_demo.load(actor=None)
    assert (Measurement.objects.count(), CapacityPlan.objects.count(), Demand.objects.count()) == counts
