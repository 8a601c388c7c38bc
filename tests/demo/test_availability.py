"""The demo's availability and continuity: a year of measured availability with a few missed targets,
two tests of one plan (one failed with actions and a nonconformity), one plan overdue for a test, and
the deliberate gaps the checks report."""

from __future__ import annotations

import pytest

from servitium.agreements.models import TargetPerformance
from servitium.availability import demo as availability_demo
from servitium.availability import selectors
from servitium.availability.models import ContinuityTest, Outage
from servitium.catalog.models import Service
from servitium.core.checks import REGISTRY
from servitium.improvement.models import Nonconformity

pytestmark = pytest.mark.django_db


def test_demo_availability_and_continuity(db):
    ids = list(Service.objects.filter(status="live").values_list("pk", flat=True))
    start, end = selectors.year_window()
    figures = selectors.measure(ids, start, end)
    measured = [f for f in figures if f.target is not None and f.availability is not None]
    missed = {(f.service, f.month) for f in measured if f.met is False}
    assert len(measured) >= 12 * 8 and 3 <= len(missed) <= 12
    assert Outage.objects.filter(source="major_incident").exists()
    # the SLA performance figures (and so the "availability" indicator) follow the measurement
    sla = TargetPerformance.objects.filter(target__metric="availability", measured_value__isnull=False)
    assert sla.filter(met=False).exists() and sla.filter(met=True).exists()

    tests = list(ContinuityTest.objects.order_by("tested_on"))
    assert [t.result for t in tests] == ["failed", "passed"] and tests[0].actions
    assert Nonconformity.objects.filter(
        source_id=tests[0].pk, requirement="iso20000-1:2018#8.7.2.s6"
    ).exists()
    late = REGISTRY["continuity.plans_tested_on_time"].run()
    assert late.status == "partly_met" and "Recovery of the identity service" in late.message
    assert REGISTRY["continuity.plans_cover_requirements"].run().status == "partly_met"
    assert REGISTRY["availability.unplanned_outages_investigated"].run().status == "partly_met"
    assert REGISTRY["continuity.reviewed_after_tests"].run().status == "met"
    assert REGISTRY["availability.plan_approved"].run().status == "met"
    assert REGISTRY["availability.risks_assessed"].run().status == "met"
    assert REGISTRY["continuity.risks_assessed"].run().status == "met"

    count = Outage.objects.count()
    availability_demo.load(actor=None)  # idempotent
    assert Outage.objects.count() == count and ContinuityTest.objects.count() == 2
