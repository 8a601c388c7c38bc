"""The agent workspace: the queue in working order with the time left on each ticket, colours that mean
something, saved filters, bulk assignment and transitions, and the short new-incident form."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from servitium.agreements import services as sla_services
from servitium.core.models import ChangeRecord, ServiceHoursCalendar
from servitium.incidents import selectors, services
from servitium.incidents.clocks import wall_duration
from servitium.incidents.models import Incident, SavedFilter, SlaClock
from servitium.incidents.resources import STAFF_NEW_TICKET
from servitium.parties.models import Team
from tests import factories

MIN = 60
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture
def sla(ctx):
    """A round-the-clock SLA for every priority: response within 2 h, resolution within 8 h."""
    service = factories.service("Email", customers=[ctx.org_a])
    agreement = sla_services.agreement_create(
        actor=None,
        data={
            "customer": ctx.org_a,
            "service": service,
            "title": "Email SLA",
            "calendar": ServiceHoursCalendar.objects.create(
                name="Always", time_zone="UTC", weekly_hours={d: [["00:00", "24:00"]] for d in WEEK}
            ),
            "valid_from": dt.date(2026, 1, 1),
            "workload": {"peak_periods": ["month end"]},
            "exceptions": [{"kind": "force_majeure", "description": "storms"}],
        },
    )
    for metric, seconds in (("response_time", 2 * 3600), ("resolution_time", 8 * 3600)):
        sla_services.target_create(
            actor=None, data={"agreement": agreement, "metric": metric, "target_value": seconds}
        )
    return sla_services.agreement_transition(actor=None, instance=agreement, transition="agree")


@pytest.fixture
def agent(ctx):
    user = factories.user("ws_agent", ctx.provider, ["incident-agent"])
    factories.person("Ada Agent", ctx.provider, user=user)
    return user


def page_for(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def ticket(
    ctx, sla, title: str, *, impact: int = 2, urgency: int = 2, due_in_s: float | None = None, **extra
):
    """A ticket under the SLA whose running clocks fall due `due_in_s` from now (resolution clock; the
    response clock an hour later), or one with no clock at all (no service) when `due_in_s` is None."""
    data = {"customer": ctx.org_a, "title": title, "impact": impact, "urgency": urgency, **extra}
    if due_in_s is not None:
        data["service"] = sla.service
    incident = services.incident_create(actor=None, data=data)
    if due_in_s is not None:
        now = timezone.now()
        due = now + dt.timedelta(seconds=due_in_s)
        incident.sla_clocks.filter(metric="resolution_time").update(
            due_at=due, warn_at=due - dt.timedelta(hours=1)
        )
        incident.sla_clocks.filter(metric="response_time").update(
            due_at=due + dt.timedelta(hours=1), warn_at=due
        )
    return incident


def queue_titles(user, **params) -> list[str]:
    response = page_for(user).get("/incidents/", params)
    assert response.status_code == 200
    return [row["obj"].title for row in response.context["rows"]]


# --- order -----------------------------------------------------------------------------------------------


def test_the_queue_puts_unassigned_p1s_and_major_incidents_first_then_what_is_due_next(ctx, sla, agent):
    ticket(ctx, sla, "due in 3 h", due_in_s=3 * 3600)
    ticket(ctx, sla, "no clock")
    ticket(ctx, sla, "due in 10 min", due_in_s=10 * MIN)
    ticket(ctx, sla, "P1 unassigned, due in 5 h", impact=1, urgency=1, due_in_s=5 * 3600)
    major = ticket(ctx, sla, "major, due in 8 h", due_in_s=8 * 3600)
    Incident.objects.filter(pk=major.pk).update(is_major=True)
    assigned = ticket(ctx, sla, "P1 assigned, due in 1 h", impact=1, urgency=1, due_in_s=3600)
    Incident.objects.filter(pk=assigned.pk).update(assignee=agent.person)
    assert queue_titles(agent) == [
        "P1 unassigned, due in 5 h",
        "major, due in 8 h",
        "due in 10 min",
        "P1 assigned, due in 1 h",
        "due in 3 h",
        "no clock",
    ]
    # Breaching soon: the tickets with a running clock, in the same working order.
    assert queue_titles(agent, view="breaching") == [
        "P1 unassigned, due in 5 h",
        "major, due in 8 h",
        "due in 10 min",
        "P1 assigned, due in 1 h",
        "due in 3 h",
    ]
    # A column the agent sorts by is the order they asked for.
    assert queue_titles(agent, ordering="title")[0] == "P1 assigned, due in 1 h"


def test_breaching_soon_sorts_by_due_time_not_by_creation(ctx, sla, agent):
    ticket(ctx, sla, "later", due_in_s=2 * 3600)
    ticket(ctx, sla, "sooner", due_in_s=20 * MIN)
    ticket(ctx, sla, "overdue", due_in_s=-3600)
    assert queue_titles(agent, view="breaching") == ["overdue", "sooner", "later"]


def test_a_resolved_p1_or_major_incident_is_not_held_on_top(ctx, sla, agent):
    ticket(ctx, sla, "open, due soon", due_in_s=10 * MIN)
    done = ticket(ctx, sla, "P1 resolved", impact=1, urgency=1, due_in_s=3600)
    services.incident_transition(
        actor=None,
        instance=done,
        transition="resolve",
        data={"resolution_code": "fixed", "resolution_notes": "ok"},
    )
    assert queue_titles(agent) == ["open, due soon", "P1 resolved"]


# --- time left and colours -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seconds,reads",
    [
        (0, "0 min"),
        (12 * MIN + 30, "12 min"),
        (2 * 3600, "2 h"),
        (3 * 3600 + 20 * MIN, "3 h 20 min"),
        (47 * 3600 + 59 * MIN, "47 h 59 min"),
        (5 * 86400 + 15 * 3600 + 40 * MIN, "5 d 15 h"),
        (8112 * MIN, "5 d 15 h"),
        (3 * 86400, "3 d"),
    ],
)
def test_clock_time_reads_in_hours_and_minutes_never_thousands_of_minutes(seconds, reads):
    assert wall_duration(seconds) == reads


def test_the_time_left_column_says_left_or_overdue_with_the_clocks_colour(ctx, sla, agent):
    ticket(ctx, sla, "at risk", due_in_s=12 * MIN + 30)  # inside its warning share (warned an hour before)
    ticket(ctx, sla, "breached", due_in_s=-(3 * 3600 + 20 * MIN + 30))
    ticket(ctx, sla, "on track", due_in_s=50 * 3600 + 30)
    ticket(ctx, sla, "no clock")
    response = page_for(agent).get("/incidents/")
    due = {row["obj"].title: row["due"] for row in response.context["rows"]}
    assert (due["at risk"]["tone"], due["at risk"]["text"]) == ("at_risk", "12 min left")
    assert (due["breached"]["tone"], due["breached"]["text"]) == ("breached", "3 h 20 min overdue")
    assert (due["on track"]["tone"], due["on track"]["text"]) == ("on_track", "2 d 2 h left")
    assert due["no clock"] is None
    html = response.content.decode()
    assert '<span class="due due-breached"' in html and "3 h 20 min overdue" in html
    assert '<span class="due due-at_risk"' in html and '<span class="due due-on_track"' in html
    assert not re.search(r"\b\d{3,} min\b", html)


def test_a_paused_clock_reads_paused(ctx, sla, agent):
    incident = ticket(ctx, sla, "waiting for the customer", due_in_s=3600)
    SlaClock.objects.filter(incident=incident).update(paused=True, due_at=None, warn_at=None)
    reading = selectors.queue_clocks([incident.pk], agent, timezone.now())[incident.pk]
    assert reading["tone"] == "paused" and reading["due_at"] is None


def test_priority_status_and_urgent_rows_carry_their_colour_classes(ctx, sla, agent):
    ticket(ctx, sla, "P1 nobody has", impact=1, urgency=1, due_in_s=3600)
    ticket(ctx, sla, "P5 later", impact=3, urgency=3, due_in_s=3600)
    html = page_for(agent).get("/incidents/").content.decode()
    assert 'class="badge prio prio-1"' in html and 'class="badge prio prio-5"' in html
    assert 'class="badge status-badge status-new"' in html
    assert html.count("queue-row queue-urgent") == 1 and "unassigned P1" in html


def test_the_queue_reads_the_clocks_of_a_page_in_one_query(ctx, sla, agent):
    browser = page_for(agent)
    ticket(ctx, sla, "first", due_in_s=3600)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert browser.get("/incidents/").status_code == 200
        return len(queries)

    one = count()
    for n in range(5):
        ticket(ctx, sla, f"more {n}", impact=1 + n % 3, due_in_s=(n + 2) * 3600)
    assert count() == one


# --- saved filters ---------------------------------------------------------------------------------------


def test_an_agent_saves_a_filter_and_finds_it_as_a_tab_of_their_own_queue(ctx, agent):
    browser = page_for(agent)
    before = ChangeRecord.objects.count()
    response = browser.post(
        "/incidents/filters/", {"name": "New P1s", "query": "status=new&priority=1&page=3"}
    )
    saved = SavedFilter.objects.get()
    assert (saved.owner, saved.name, saved.query) == (agent, "New P1s", "status=new&priority=1")
    assert response.status_code == 302 and response["Location"] == "/incidents/?status=new&priority=1"
    assert ChangeRecord.objects.count() == before + 1
    page = browser.get("/incidents/", {"status": "new", "priority": "1"})
    assert page.context["active_filter"] == saved
    assert 'href="?status=new&amp;priority=1">New P1s</a>' in page.content.decode()
    # The same name again replaces its filter instead of making a second tab.
    browser.post("/incidents/filters/", {"name": "New P1s", "query": "status=new"})
    assert SavedFilter.objects.get().query == "status=new"
    # Nobody else sees it, changes it or removes it.
    other = factories.user("ws_other", ctx.provider, ["incident-agent"])
    assert "New P1s" not in page_for(other).get("/incidents/").content.decode()
    page_for(other).post(f"/incidents/filters/{saved.pk}/delete/")
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    browser.post(f"/incidents/filters/{saved.pk}/delete/")
    assert not SavedFilter.objects.exists()


def test_a_filter_needs_a_name_and_customers_keep_none(ctx, agent):
    page_for(agent).post("/incidents/filters/", {"name": " ", "query": "status=new"})
    assert not SavedFilter.objects.exists()
    # Customers work in the portal: the queue's filters are not theirs to save (sent away, nothing saved).
    assert page_for(ctx.customer_a).post("/incidents/filters/", {"name": "x"}).status_code == 302
    assert not SavedFilter.objects.exists()


# --- bulk actions ----------------------------------------------------------------------------------------


@pytest.fixture
def desk(ctx, agent):
    team = Team.objects.create(name="Service desk", organization=ctx.provider)
    team.members.add(agent.person)
    outsider = factories.person("Olga Outside", ctx.provider)
    return team, outsider


def test_bulk_assign_changes_each_ticket_through_the_service_and_names_the_refused(ctx, sla, agent, desk):
    team, _outsider = desk
    first = ticket(ctx, sla, "first", due_in_s=3600)
    second = ticket(ctx, sla, "second", due_in_s=3600)
    closed = ticket(ctx, sla, "closed", due_in_s=3600)
    for name in ("resolve", "close"):
        services.incident_transition(
            actor=None,
            instance=closed,
            transition=name,
            data={"resolution_code": "fixed", "resolution_notes": "ok"},
        )
    before = ChangeRecord.objects.count()
    response = page_for(agent).post(
        "/incidents/bulk/",
        {
            "action": "assign",
            "ids": [first.pk, second.pk, closed.pk],
            "assignment_group": team.pk,
            "assignee": agent.person.pk,
            "query": "view=breaching",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/incidents/?view=breaching"
    for incident in (first, second):
        incident.refresh_from_db()
        assert (incident.assignment_group, incident.assignee, incident.status) == (
            team,
            agent.person,
            Incident.Status.ASSIGNED,
        )
    closed.refresh_from_db()
    assert closed.assignee is None
    assert ChangeRecord.objects.count() == before + 2  # one entry per ticket changed, none for the refused
    shown = [str(m) for m in response.context["messages"]]
    assert "2 tickets changed." in shown
    assert any(m.startswith("1 ticket refused") and closed.reference in m for m in shown), shown


def test_bulk_assign_to_someone_outside_the_team_refuses_each_ticket_whole(ctx, sla, agent, desk):
    team, outsider = desk
    incident = ticket(ctx, sla, "one", due_in_s=3600)
    response = page_for(agent).post(
        "/incidents/bulk/",
        {"action": "assign", "ids": [incident.pk], "assignment_group": team.pk, "assignee": outsider.pk},
        follow=True,
    )
    incident.refresh_from_db()
    assert incident.assignment_group is None and incident.assignee is None  # nothing half-written
    shown = " ".join(str(m) for m in response.context["messages"])
    assert incident.reference in shown and "not a member" in shown


def test_bulk_transition_applies_where_the_lifecycle_allows_and_names_the_rest(ctx, sla, agent):
    new = ticket(ctx, sla, "new", due_in_s=3600)
    resolved = ticket(ctx, sla, "resolved", due_in_s=3600)
    services.incident_transition(
        actor=None,
        instance=resolved,
        transition="resolve",
        data={"resolution_code": "fixed", "resolution_notes": "ok"},
    )
    response = page_for(agent).post(
        "/incidents/bulk/",
        {"action": "transition", "transition": "start_work", "ids": [new.pk, resolved.pk, 999999]},
        follow=True,
    )
    new.refresh_from_db()
    resolved.refresh_from_db()
    assert new.status == Incident.Status.IN_PROGRESS and resolved.status == Incident.Status.RESOLVED
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "1 ticket changed." in shown and "2 tickets refused" in shown
    assert resolved.reference in shown and "#999999" in shown
    entry = ChangeRecord.objects.filter(object_type="incidents.incident", object_id=new.pk).order_by("-id")[0]
    assert entry.action == ChangeRecord.Action.TRANSITION and entry.actor_id == agent.pk


def test_bulk_actions_are_for_those_who_may_change_tickets(ctx, sla, desk):
    team, _outsider = desk
    incident = ticket(ctx, sla, "one", due_in_s=3600)
    before = ChangeRecord.objects.count()
    for user, refused in ((ctx.auditor, 403), (ctx.customer_a, 302)):  # the customer is sent to the portal
        response = page_for(user).post(
            "/incidents/bulk/", {"action": "assign", "ids": [incident.pk], "assignment_group": team.pk}
        )
        assert response.status_code == refused
    assert ChangeRecord.objects.count() == before
    assert "queue-bulk" not in page_for(ctx.auditor).get("/incidents/").content.decode()


def test_bulk_transition_refuses_a_step_that_needs_details(ctx, sla, agent):
    incident = ticket(ctx, sla, "one", due_in_s=3600)
    response = page_for(agent).post(
        "/incidents/bulk/",
        {"action": "transition", "transition": "resolve", "ids": [incident.pk]},
        follow=True,
    )
    incident.refresh_from_db()
    assert incident.status == Incident.Status.NEW
    assert "do it on the ticket" in " ".join(str(m) for m in response.context["messages"])


# --- the short new-incident form -------------------------------------------------------------------------


def test_an_agent_gets_the_short_form_with_phone_as_the_channel(ctx, agent):
    supplier = factories.organization("Parts Supplier", "supplier")
    factories.person("Sam Supplier", supplier)
    factories.person("Carla Caller", ctx.org_a)
    form = page_for(agent).get("/incidents/new/").context["form"]
    assert list(form.fields) == list(STAFF_NEW_TICKET)
    assert form["channel"].value() == Incident.Channel.PHONE
    customers = {o.name for o in form.fields["customer"].queryset}
    assert customers == {"Suite Customer A", "Suite Customer B"}  # no supplier, not the provider itself
    callers = {p.name for p in form.fields["caller"].queryset}
    assert "Carla Caller" in callers and "Sam Supplier" not in callers and "Ada Agent" not in callers


def test_the_short_form_raises_a_ticket_and_leaves_the_rest_to_the_ticket_page(ctx, sla, agent, desk):
    team, _outsider = desk
    caller = factories.person("Carla Caller", ctx.org_a)
    browser = page_for(agent)
    data = {
        "customer": ctx.org_a.pk,
        "caller": caller.pk,
        "channel": "phone",
        "service": sla.service.pk,
        "impact": 2,
        "urgency": 1,
        "title": "VPN down for the office",
        "description": "Nobody can connect",
    }
    refused = browser.post("/incidents/new/", {**data, "assignment_group": team.pk})
    assert refused.status_code == 400 and "assignment_group" in refused.content.decode()
    assert not Incident.objects.exists()
    response = browser.post("/incidents/new/", data)
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == incident.get_absolute_url()
    assert (incident.caller, incident.channel, incident.priority) == (caller, "phone", 2)
    # Everything else is on the ticket's own edit page.
    edit = browser.get(f"/incidents/{incident.pk}/edit/").context["form"]
    assert {"assignment_group", "resolution_notes", "is_security"} <= set(edit.fields)


def test_a_ticket_for_a_supplier_is_still_refused(ctx, agent):
    supplier = factories.organization("Parts Supplier", "supplier")
    response = page_for(agent).post("/incidents/new/", {"customer": supplier.pk, "title": "x", "impact": 3})
    assert response.status_code == 400 and not Incident.objects.exists()


def test_a_customer_raising_a_ticket_keeps_the_portal_channel(ctx):
    assert services.default_channel(ctx.customer_a) == Incident.Channel.PORTAL
    assert services.default_channel(ctx.auditor) == Incident.Channel.PHONE


# --- the clock cards -------------------------------------------------------------------------------------


def test_a_breached_clock_card_says_how_long_ago_and_shows_the_target_in_hours(ctx, sla, agent):
    incident = ticket(ctx, sla, "old", due_in_s=-(5 * 86400 + 15 * 3600 + 10 * MIN))
    SlaClock.objects.filter(incident=incident).update(elapsed_before_s=(5 * 24 + 24) * 3600)
    html = page_for(agent).get(f"/incidents/{incident.pk}/").content.decode()
    assert "breached 5 d 15 h ago" in html
    assert "target 2 h" in html and "120 min" not in html  # the P3 response target of the SLA
