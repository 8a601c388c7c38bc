"""The events demo: a host failure and its application's alert in one incident, resolved when both
cleared; a repeated alert; a flapping one; an informational one noted; the deliberate gap (a legacy source
whose rule opens no incidents) found by the check; the pages; and it loads twice unchanged."""

from __future__ import annotations

from servitium.core.checks import NOT_MET, PARTLY_MET, REGISTRY
from servitium.events import demo as events_demo
from servitium.events.models import Event
from servitium.parties.models import User
from tests.base import browser


def test_the_demo_holds_monitoring_events_with_their_gap(db):
    host = Event.objects.get(name="HostDown", ci__name="mail-store-01")
    app = Event.objects.get(name="DovecotDown")
    assert host.incident_id == app.incident_id and host.occurrences == 3
    assert host.incident.status == "resolved" and host.incident.channel == "monitoring"
    assert Event.objects.get(name="LinkFlap").flapping
    assert Event.objects.get(name="DiskFillingSlowly").action == "noted"
    gap = Event.objects.get(name="RAID degraded")
    assert gap.incident is None and gap.action == "noted"
    result = REGISTRY["events.alerts_handled"].run()
    assert result.status in (NOT_MET, PARTLY_MET) and "RAID degraded" in result.message
    before = Event.objects.count()
    events_demo.load(actor=None)
    assert Event.objects.count() == before
    page = browser(User.objects.get(username="director")).get(f"/events/{host.pk}/")
    assert page.status_code == 200 and b"mail-store-01" in page.content
