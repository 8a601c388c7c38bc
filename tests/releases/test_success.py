"""Release success: incidents on the affected CIs in early life, the nightly measurement, trends."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from servitium.incidents.models import Incident
from servitium.releases import selectors, services
from servitium.releases.models import Release, ReleasePolicy
from tests.base import client

from .test_api import _approved, new_release


def incident_on(ci, created, priority, customer):
    incident = Incident.objects.create(
        reference=f"INC{Incident.objects.count() + 900000}",
        title="after release",
        affected_ci=ci,
        customer=customer,
        priority=priority,
    )
    Incident.objects.filter(pk=incident.pk).update(created=created)  # auto_now_add: back-date afterwards
    return incident


def deploy(release, when):
    release = services.release_transition(actor=None, instance=release, transition="deploy", now=when)
    return services.release_transition(actor=None, instance=release, transition="complete", now=when)


@pytest.mark.django_db
def test_serious_incidents_in_early_life_make_a_release_unsuccessful(stack):
    ReleasePolicy.objects.create(name="Default", early_life_days=7, max_early_life_incidents=0)
    when = timezone.now() - dt.timedelta(days=10)
    release = deploy(_approved(new_release(services=[stack.service])), when)
    incident_on(stack.app, when + dt.timedelta(days=1), 4, stack.customer)  # minor: counted, tolerated
    incident_on(stack.other, when + dt.timedelta(days=1), 1, stack.customer)  # another CI: not counted
    incident_on(stack.app, when + dt.timedelta(days=8), 1, stack.customer)  # after early life: not counted
    fields = selectors.success_fields(release, now=timezone.now())
    assert fields == {"early_life_incidents": 1, "successful": True}
    incident_on(stack.app, when + dt.timedelta(days=2), 2, stack.customer)
    assert selectors.success_fields(release, now=timezone.now()) == {
        "early_life_incidents": 2,
        "successful": False,
    }


@pytest.mark.django_db
def test_nightly_measurement_records_success_once_early_life_ends(stack):
    ReleasePolicy.objects.create(name="Default", early_life_days=14)
    recent = deploy(_approved(new_release(services=[stack.service])), timezone.now() - dt.timedelta(days=3))
    old = deploy(
        _approved(new_release(title="Old", services=[stack.service])), timezone.now() - dt.timedelta(days=20)
    )
    assert services.measure_early_life() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.successful is True and old.early_life_incidents == 0
    assert recent.successful is None
    assert services.measure_early_life() == 0  # nothing left to measure


@pytest.mark.django_db
def test_trends_count_deployments_per_month(stack, release_staff):
    ReleasePolicy.objects.create(name="Default", early_life_days=1)
    month_ago = timezone.now() - dt.timedelta(days=40)
    deploy(_approved(new_release(services=[stack.service])), month_ago)
    failed = _approved(new_release(title="Broken", services=[stack.service]))
    services.release_transition(actor=None, instance=failed, transition="deploy")
    services.release_transition(actor=None, instance=failed, transition="fail", data={"failure_reason": "x"})
    services.measure_early_life()
    rows = client(release_staff.desk).get("/api/v1/releases/trends/?months=3").data
    by_month = {r["month"]: r for r in rows}
    this_month = timezone.now().strftime("%Y-%m")
    assert by_month[this_month]["failed"] == 1
    assert by_month[this_month]["success_rate"] == 0.0
    assert by_month[month_ago.strftime("%Y-%m")]["success_rate"] == 1.0
    assert sum(r["releases"] for r in rows) == 2
    assert Release.objects.filter(successful=True).count() == 1


@pytest.mark.django_db
def test_the_measurement_is_logged_as_the_systems_once_per_release(stack):
    from servitium.core.models import ChangeRecord

    ReleasePolicy.objects.create(name="Default", early_life_days=1)
    release = deploy(_approved(new_release(services=[stack.service])), timezone.now() - dt.timedelta(days=3))
    before = ChangeRecord.objects.filter(object_type="releases.release", object_id=release.pk).count()
    assert services.measure_early_life() == 1
    entries = ChangeRecord.objects.filter(object_type="releases.release", object_id=release.pk)
    assert entries.count() == before + 1
    entry = entries.order_by("-id").first()
    assert entry.action == "update" and entry.actor_id is None
    assert set(entry.changes) == {"early_life_incidents", "successful"}
