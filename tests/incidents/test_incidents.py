"""Incidents and SLA clocks: priority matrix, lifecycle, clocks computed on the agreement's calendar
(hours, holidays, time zone) and checked by hand, pauses, re-targeting, reopening, warnings, tenancy."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from servitium.agreements import services as sla_services
from servitium.agreements.models import TargetPerformance
from servitium.incidents import services
from servitium.incidents.jobs import sla_clock_check
from servitium.incidents.models import Incident, PriorityRule, SlaClock
from tests.base import RecordAPISuite, RecordUISuite, client, sent_to_portal
from tests.incidents.conftest import BERLIN, H, berlin  # noqa: F401


def new_incident(ctx, sla, now, **extra):
    data = {
        "customer": ctx.org_a,
        "service": sla.service,
        "title": "Mail bounces",
        "impact": 2,
        "urgency": 2,
        **extra,
    }
    return services.incident_create(actor=None, data=data, now=now)


def clock(incident, metric="resolution_time") -> SlaClock:
    return SlaClock.objects.get(incident=incident, metric=metric)


def step(incident, name, now, **data):
    return services.incident_transition(actor=None, instance=incident, transition=name, now=now, data=data)


class TestIncidentAPI(RecordAPISuite):
    endpoint = "incidents"
    model = Incident
    writer_roles = ["incident-agent"]
    foreign_roles = ["catalog-manager", "supplier-manager"]
    deletable = False

    def make(self, ctx):
        return services.incident_create(actor=None, data={"customer": ctx.org_a, "title": "Printer on fire"})

    def create_payload(self, ctx):
        return {"customer": ctx.org_a.pk, "title": "VPN down", "impact": 1, "urgency": 2}

    def invalid_payload(self, ctx):
        return {"customer": ctx.org_a.pk, "title": "Bad", "impact": 7}

    def update_payload(self, ctx):
        return {"description": "Since 9 am"}

    def test_customer_of_the_organization(self, ctx):
        obj = self.make(ctx)
        api = client(ctx.customer_a)
        assert api.get(self.url(obj)).status_code == 200
        assert api.patch(self.url(obj), self.update_payload(ctx), format="json").status_code == 403


def test_priority_from_the_configurable_matrix(ctx):
    api = client(ctx.admin)
    created = api.post(
        "/api/v1/incidents/",
        {"customer": ctx.org_a.pk, "title": "x", "impact": 1, "urgency": 1},
        format="json",
    )
    assert created.json()["priority"] == 1
    PriorityRule.objects.create(impact=3, urgency=3, priority=4)
    low = api.post(
        "/api/v1/incidents/",
        {"customer": ctx.org_a.pk, "title": "y", "impact": 3, "urgency": 3},
        format="json",
    )
    assert low.json()["priority"] == 4  # configured cell instead of the default 5
    refused = api.patch(f"/api/v1/incidents/{created.json()['id']}/", {"priority": 5}, format="json")
    # priority is derived: setting it is refused by name, not ignored; nothing changes
    assert refused.status_code == 400 and refused.json() == {"priority": ["You may not set this field."]}
    assert api.get(f"/api/v1/incidents/{created.json()['id']}/").json()["priority"] == 1


def test_clock_results_agree_with_a_hand_computation(ctx, sla):
    """Friday 20 Nov 2026 15:00 Berlin, P3 (resolution 8 business hours on Mon-Fri 09-17):
    Fri 15-17 = 2 h; Mon 23 09-10 = 1 h, then pending customer (paused) until Tue 24 09:00;
    Tue 09-13 = 4 h -> resolved after 7 h of business time: met."""
    incident = new_incident(ctx, sla, berlin(2026, 11, 20, 15))
    assert incident.priority == 3
    res, resp = clock(incident), clock(incident, "response_time")
    assert resp.due_at == berlin(2026, 11, 20, 17)
    assert res.due_at == berlin(2026, 11, 23, 15)  # 2 h Friday + 6 h Monday
    incident = step(incident, "start_work", berlin(2026, 11, 20, 15, 30))
    resp.refresh_from_db()
    assert resp.met is True and resp.elapsed_before_s == 30 * 60
    incident = step(incident, "await_customer", berlin(2026, 11, 23, 10))
    res.refresh_from_db()
    assert res.paused and res.elapsed_before_s == 3 * H and res.due_at is None
    incident = step(incident, "resume", berlin(2026, 11, 24, 9))
    res.refresh_from_db()
    assert res.due_at == berlin(2026, 11, 24, 14)  # 5 h left from Tuesday 09:00
    incident = step(
        incident, "resolve", berlin(2026, 11, 24, 13), resolution_code="fixed", resolution_notes="Rule fixed"
    )
    res.refresh_from_db()
    assert (res.met, res.elapsed_before_s) == (True, 7 * H)
    body = client(ctx.admin).get(f"/api/v1/incidents/{incident.pk}/").json()
    states = {c["metric"]: c for c in body["sla_clocks"]}
    assert states["resolution_time"] == {
        "metric": "resolution_time",
        "target_s": 8 * H,
        "due_at": None,
        "elapsed_business_s": 7 * H,
        "paused": False,
        "met": True,
    }


def test_holiday_and_breach(ctx, sla):
    """Thu 24 Dec 2026 16:00: 25 and 26 Dec are public holidays, 27 a Sunday -> due Mon 28 at 16:00."""
    incident = new_incident(ctx, sla, berlin(2026, 12, 24, 16))
    assert clock(incident).due_at == berlin(2026, 12, 28, 16)
    step(incident, "start_work", berlin(2026, 12, 24, 16, 5))
    incident = step(
        Incident.objects.get(pk=incident.pk),
        "resolve",
        berlin(2026, 12, 29, 9, 30),
        resolution_code="fixed",
        resolution_notes="done",
    )
    c = clock(incident)
    assert c.met is False and c.elapsed_before_s == 8 * H + 90 * 60


def test_retarget_keeps_elapsed_and_paused_time(ctx, sla):
    incident = new_incident(ctx, sla, berlin(2026, 11, 23, 9))  # Monday, P3: 8 h
    step(incident, "start_work", berlin(2026, 11, 23, 9, 10))
    step(Incident.objects.get(pk=incident.pk), "await_customer", berlin(2026, 11, 23, 11))  # 2 h counted
    step(Incident.objects.get(pk=incident.pk), "resume", berlin(2026, 11, 23, 15))  # paused 4 h
    # 16:00: urgency raised -> P2 (4 h). 3 h counted so far (the 4 paused hours are not): 1 h left.
    services.incident_update(
        actor=None,
        instance=Incident.objects.get(pk=incident.pk),
        data={"urgency": 1},
        now=berlin(2026, 11, 23, 16),
    )
    c = clock(incident)
    assert c.target_s == 4 * H and c.elapsed_before_s == 3 * H
    assert c.due_at == berlin(2026, 11, 23, 17)


def test_reopen_resumes_the_resolution_clock(ctx, sla):
    incident = new_incident(ctx, sla, berlin(2026, 11, 23, 9))
    incident = step(incident, "start_work", berlin(2026, 11, 23, 9))
    incident = step(
        incident, "resolve", berlin(2026, 11, 23, 11), resolution_code="fixed", resolution_notes="ok"
    )
    assert clock(incident).met is True
    incident = step(incident, "reopen", berlin(2026, 11, 24, 9))
    c = clock(incident)
    assert c.met is None and c.elapsed_before_s == 2 * H and c.due_at == berlin(2026, 11, 24, 15)
    assert incident.reopen_count == 1


def test_pending_supplier_does_not_pause_under_this_sla(ctx, sla):
    incident = new_incident(ctx, sla, berlin(2026, 11, 23, 9))
    incident = step(incident, "start_work", berlin(2026, 11, 23, 9))
    step(incident, "await_supplier", berlin(2026, 11, 23, 10))
    c = clock(incident)
    assert not c.paused and c.due_at == berlin(2026, 11, 23, 17)


def test_warning_and_breach_checks_run_at_their_instants(ctx, sla, django_capture_on_commit_callbacks):
    """Checks are scheduled (not polled) at the 75 % and 100 % instants; a stale check does nothing."""
    from django.utils import timezone

    from servitium.parties.models import Person

    sla.calendar.holiday_country = ""  # the dates below are computed, so keep holidays out of this test
    sla.calendar.save()
    today = timezone.localdate()
    monday = today + dt.timedelta(days=7 + (7 - today.weekday()) % 7)  # a Monday at least a week ahead
    start = dt.datetime.combine(monday, dt.time(9), tzinfo=BERLIN)
    caller = Person.objects.create(name="Caller", email="caller@a.example", organization=ctx.org_a)
    with django_capture_on_commit_callbacks(execute=True):
        incident = new_incident(ctx, sla, start, caller=caller)
    c = clock(incident)

    def scheduled():
        return sorted({berlin_naive(t.eta).time() for t in HUEY.scheduled() if t.args == (c.pk, c.version)})

    assert scheduled() == [dt.time(15)]  # one job, at the warning instant: 6 h of the 8 h target
    assert sla_clock_check.call_local(c.pk, c.version - 1, now=start + dt.timedelta(hours=6)) == "stale"
    assert sla_clock_check.call_local(c.pk, c.version, now=start + dt.timedelta(hours=5)) == "early"
    with django_capture_on_commit_callbacks(execute=True):  # the e-mails go out after commit
        assert sla_clock_check.call_local(c.pk, c.version, now=start + dt.timedelta(hours=6)) == "warned"
        assert sla_clock_check.call_local(c.pk, c.version, now=start + dt.timedelta(hours=8)) == "breached"
    assert dt.time(17) in scheduled()  # the warning scheduled the breach check
    assert [m.to for m in mail.outbox] == [["caller@a.example"], ["caller@a.example"]]
    assert "at risk" in mail.outbox[0].subject and incident.reference in mail.outbox[0].subject


def berlin_naive(eta: dt.datetime) -> dt.datetime:
    """Huey stores etas as naive UTC; read them back as Berlin wall-clock time."""
    return eta.replace(tzinfo=dt.UTC).astimezone(BERLIN).replace(tzinfo=None)


def test_performance_measures_come_from_clocks(ctx, sla):
    incident = new_incident(ctx, sla, berlin(2026, 11, 23, 9))
    incident = step(incident, "start_work", berlin(2026, 11, 23, 9, 30))
    step(incident, "resolve", berlin(2026, 11, 23, 12), resolution_code="fixed", resolution_notes="ok")
    sla_services.performance_record(period_start=berlin(2026, 11, 1), period_end=berlin(2026, 12, 1))
    rows = {
        (p.target.metric, p.target.priority): p for p in TargetPerformance.objects.select_related("target")
    }
    resolution = rows[("resolution_time", 3)]
    assert (resolution.measured_value, resolution.samples, resolution.met) == (3 * H, 1, True)
    assert rows[("response_time", 3)].measured_value == 30 * 60
    assert rows[("resolution_time", 2)].met is None  # no P2 ticket in the period


def test_resolve_needs_code_and_notes_and_customer_isolation(ctx, sla):
    incident = new_incident(ctx, sla, berlin(2026, 11, 23, 9))
    api = client(ctx.admin)
    url = f"/api/v1/incidents/{incident.pk}/transitions/"
    offered = {t["name"] for t in api.get(url).json()}
    assert "resolve" in offered and "close" not in offered
    assert api.post(url, {"transition": "resolve"}, format="json").status_code == 409
    done = api.post(
        url,
        {"transition": "resolve", "resolution_code": "fixed", "resolution_notes": "Restarted"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    assert client(ctx.customer_a).get(f"/api/v1/incidents/{incident.pk}/").json()["sla_clocks"]
    assert client(ctx.customer_b).get(f"/api/v1/incidents/{incident.pk}/").status_code == 404


def test_customer_raises_for_own_organization_and_requests_are_separate(ctx):
    api = client(ctx.customer_a)
    created = api.post(
        "/api/v1/service-requests/", {"customer": ctx.org_b.pk, "title": "New laptop"}, format="json"
    )
    assert created.status_code == 400  # another organization: invisible, so refused
    created = api.post("/api/v1/service-requests/", {"title": "New laptop"}, format="json")
    assert (
        created.status_code == 201
        and created.json()["customer"] == ctx.org_a.pk
        and created.json()["kind"] == "request"
    )
    assert api.get("/api/v1/incidents/").json()["count"] == 0
    assert api.get("/api/v1/service-requests/").json()["count"] == 1


def test_queue_and_detail_pages(ctx, sla):
    from django.test import Client

    incident = new_incident(ctx, sla, berlin(2026, 11, 23, 9))
    browser = Client()
    browser.force_login(ctx.admin)
    for view in ("", "mine", "team", "breaching"):
        assert browser.get("/incidents/", {"view": view}).status_code == 200
    assert incident.reference.encode() in browser.get("/incidents/", {"view": "breaching"}).content
    page = browser.get(f"/incidents/{incident.pk}/").content.decode()
    assert 'id="sla-clocks"' in page
    browser.force_login(ctx.customer_b)
    assert sent_to_portal(browser.get(f"/incidents/{incident.pk}/"))
    assert browser.get(f"/portal/tickets/{incident.pk}/").status_code == 404


def test_monthly_sla_compliance_per_service_and_priority(ctx, sla):
    """Two P3 tickets resolved in March (one within 8 h, one after), one in April: the March report counts
    exactly the March clocks; customers of another organization see nothing."""
    quick = new_incident(ctx, sla, berlin(2026, 3, 2, 9))
    step(quick, "resolve", berlin(2026, 3, 2, 11), resolution_code="fixed", resolution_notes="ok")
    slow = new_incident(ctx, sla, berlin(2026, 3, 3, 9))
    step(slow, "resolve", berlin(2026, 3, 4, 12), resolution_code="fixed", resolution_notes="late")
    april = new_incident(ctx, sla, berlin(2026, 3, 31, 16))
    step(april, "resolve", berlin(2026, 4, 1, 10), resolution_code="fixed", resolution_notes="ok")
    rows = client(ctx.admin).get("/api/v1/incidents/sla-compliance/", {"month": "2026-03"}).json()
    resolution = next(r for r in rows if r["metric"] == "resolution_time")
    assert (resolution["priority"], resolution["clocks"], resolution["met"]) == (3, 2, 1)
    assert resolution["compliance"] == 0.5 and resolution["worst_business_s"] == 11 * H
    assert resolution["service"] == sla.service.pk
    assert client(ctx.customer_b).get("/api/v1/incidents/sla-compliance/", {"month": "2026-03"}).json() == []
    bad = client(ctx.admin).get("/api/v1/incidents/sla-compliance/", {"month": "March"})
    assert bad.status_code == 400 and "month" in bad.json()


class TestIncidentPages(RecordUISuite):
    model = Incident
    writer_roles = ["incident-agent"]

    def make(self, ctx):
        return services.incident_create(
            actor=None, data={"customer": ctx.org_a, "title": "Printer on fire", "category": "hardware"}
        )


def test_a_breached_clock_reads_breached_in_red_not_due_in_blue(ctx, sla):
    """A ticket left unanswered for days: both clocks still run, yet each reads "breached" with the time over
    target in hours (not thousands of minutes); a fresh ticket's clocks read "on track" with the time left."""
    from django.test import Client

    old = new_incident(ctx, sla, berlin(2026, 11, 23, 9))
    browser = Client()
    browser.force_login(ctx.admin)
    page = browser.get(f"/incidents/{old.pk}/").content.decode()
    assert page.count('data-tone="breached"') == 2 and page.count("breached ") >= 2 and " ago" in page
    minutes = [int(n) for n in re.findall(r"(\d+) min\b", page)]
    assert all(n < 60 for n in minutes), minutes  # hours read as hours, never "8112 / 120 min"
    fresh = new_incident(ctx, sla, timezone.now())
    page = browser.get(f"/incidents/{fresh.pk}/").content.decode()
    assert (
        'data-tone="breached"' not in page
        and page.count('data-tone="on_track"')
        + page.count('data-tone="at_risk"')
        + page.count('data-tone="paused"')
        == 2
    )


@pytest.mark.parametrize(
    "seconds,reads",
    [(0, "0 min"), (45 * 60, "45 min"), (7200, "2 h"), (5 * 3600 + 1200, "5 h 20 min"), (8112 * 60, "135 h")],
)
def test_durations_read_in_hours_and_minutes(seconds, reads):
    from servitium.core.templatetags.servitium import duration

    assert duration(seconds) == reads


def test_listed_and_single_tickets_show_the_clocks_the_records_give(ctx, sla):
    """Through the API, a page of tickets and a ticket read alone show each clock as its record reads at
    that instant (JSON as the renderer writes it: due instants in UTC with `Z`)."""
    import json

    import time_machine
    from rest_framework.renderers import JSONRenderer

    from servitium.incidents.clocks import clock_state

    tickets = [new_incident(ctx, sla, berlin(2026, 11, 20, 9, i)) for i in range(3)]
    api = client(ctx.admin)
    with time_machine.travel(timezone.now(), tick=False):
        now = timezone.now()
        page = api.get("/api/v1/incidents/", {"page_size": 50}).json()["results"]
        listed = {row["id"]: row["sla_clocks"] for row in page}
        for ticket in tickets:
            records = SlaClock.objects.filter(incident=ticket).order_by("metric", "id")
            expected = json.loads(JSONRenderer().render([clock_state(c, now) for c in records]))
            assert expected and all(c["due_at"].endswith("Z") for c in expected)
            assert listed[ticket.pk] == expected
            assert api.get(f"/api/v1/incidents/{ticket.pk}/").json()["sla_clocks"] == expected


def test_a_pages_clocks_are_read_as_the_records_hold_them(ctx, sla):
    """A page of tickets reads its clocks in one statement (prepared on PostgreSQL) and turns the rows
    into their states at one instant: the same states the clock records give, in their order, running
    clocks' business time (weeks of it, on the agreement's calendar), paused and stopped clocks included."""
    from servitium.incidents.clocks import clock_state, clock_states_by_ticket

    tickets = [new_incident(ctx, sla, berlin(2026, 11, 20, 15, i)) for i in range(3)]
    paused = SlaClock.objects.filter(incident=tickets[1]).first()
    paused.paused, paused.stopped_at = True, timezone.now()
    paused.save()
    now = timezone.now()
    read = clock_states_by_ticket([t.pk for t in tickets] + [987654], now)
    assert read[987654] == []
    running = 0
    for ticket in tickets:
        records = SlaClock.objects.filter(incident=ticket).order_by("metric", "id")
        expected = [clock_state(c, now) for c in records]
        assert len(expected) == 2
        assert read[ticket.pk] == expected
        running += sum(1 for c in records if c.segment_start is not None and c.stopped_at is None)
    assert running >= 4 and read[tickets[0].pk][0]["elapsed_business_s"] > 0
