"""The home dashboards per role: what an agent, a process manager, top management, an auditor and a
customer user see on the home page, that nobody sees more than their roles allow, and that each dashboard
is drawn in a bounded number of queries however many records there are."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from servitium.core import services as core_services
from servitium.incidents import services as incident_services
from servitium.incidents.models import Incident, SlaClock
from servitium.parties.models import Team
from servitium.site import dashboards
from tests import factories

H = 3600


def login(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def ticket(ctx, title: str, *, customer=None, assignee=None, group=None, **extra) -> Incident:
    data = {"customer": customer or ctx.org_a, "title": title, **extra}
    if assignee is not None:
        data["assignee"] = assignee
    if group is not None:
        data["assignment_group"] = group
    return incident_services.incident_create(actor=None, data=data)


def clock(incident: Incident, *, due_in_h: float, warn_in_h: float | None, metric: str = "resolution_time"):
    """A running clock due `due_in_h` hours from now (negative: already past), warning from `warn_in_h`."""
    now = timezone.now()
    return SlaClock.objects.create(
        incident=incident,
        metric=metric,
        target_s=8 * H,
        started_at=now - dt.timedelta(hours=1),
        segment_start=now - dt.timedelta(hours=1),
        due_at=now + dt.timedelta(hours=due_in_h),
        warn_at=None if warn_in_h is None else now + dt.timedelta(hours=warn_in_h),
    )


@pytest.fixture
def desk(ctx):
    """A service desk: Aisha (an incident agent) in the Service Desk team with Tomás, and tickets —
    hers, the team's unassigned one, Tomás's, another team's, and one of customer B."""
    aisha = factories.person("Aisha Rahman", ctx.provider)
    tomas = factories.person("Tomás Silva", ctx.provider)
    other = factories.person("Olga Other", ctx.provider)
    agent = factories.user("aisha", ctx.provider, ["incident-agent"])
    core_services.record_update(instance=aisha, data={"user": agent}, actor=None)
    team = core_services.record_create(
        model=Team,
        data={"name": "Service Desk", "organization": ctx.provider},
        m2m={"members": [aisha, tomas]},
        actor=None,
    )
    network = core_services.record_create(
        model=Team,
        data={"name": "Network", "organization": ctx.provider},
        m2m={"members": [other]},
        actor=None,
    )
    breached = ticket(ctx, "Mail is down", assignee=aisha, group=team, impact=1, urgency=1)
    clock(breached, due_in_h=-2, warn_in_h=-4)
    at_risk = ticket(ctx, "Printer jams", assignee=aisha, group=team)
    clock(at_risk, due_in_h=1, warn_in_h=-1)
    calm = ticket(ctx, "New laptop", group=team)  # the team's, nobody's yet
    clock(calm, due_in_h=30, warn_in_h=20)
    tomas_s = ticket(ctx, "VPN slow", assignee=tomas, group=team)
    elsewhere = ticket(ctx, "Router flaps", group=network)
    theirs = ticket(ctx, "Cedar's own", customer=ctx.org_b, assignee=aisha, group=team)
    done = ticket(ctx, "Solved already", assignee=aisha, group=team)
    Incident.objects.filter(pk=done.pk).update(status=Incident.Status.RESOLVED, resolved_at=timezone.now())
    return SimpleNamespace(
        agent=agent,
        aisha=aisha,
        team=team,
        breached=breached,
        at_risk=at_risk,
        calm=calm,
        tomas=tomas_s,
        elsewhere=elsewhere,
        theirs=theirs,
        done=done,
    )


def queue_rows(html: str) -> list[tuple[str, str]]:
    """(state, reference) of each row of the agent's queue, top to bottom."""
    pattern = r'data-state="(\w+)">.*?<a class="fw-semibold" href="/incidents/\d+/">(\w+)</a>'
    return re.findall(pattern, html, re.S)


def test_an_agent_sees_their_queue_due_first_with_breached_red_and_at_risk_amber(desk):
    page = login(desk.agent).get("/").content.decode()
    assert 'id="dashboard-agent"' in page
    rows = queue_rows(page)
    # Due first: the breached one, then the one at risk, then the calm team ticket; tickets without a
    # running clock after them (newest raised last). Tomás's, the other team's and the resolved one are not
    # the agent's to pick up.
    first = [desk.breached.reference, desk.at_risk.reference, desk.calm.reference]
    assert [ref for _state, ref in rows[:3]] == first
    assert [state for state, _ref in rows[:3]] == ["breached", "at_risk", "ok"]
    assert {ref for _s, ref in rows} == {
        desk.breached.reference,
        desk.at_risk.reference,
        desk.calm.reference,
        desk.theirs.reference,
    }
    figures = dict(re.findall(r'data-testid="queue-([\w-]+)"><span class="dash-figure-value">(\d+)<', page))
    assert figures == {"mine": "3", "team": "1", "breached": "1", "at-risk": "1"}
    assert 'class="dash-figure dash-bad" href="/incidents/?view=breaching"' in page
    assert 'href="/incidents/?view=mine"' in page and 'href="/incidents/?view=team"' in page


def test_an_agent_does_not_get_the_managers_or_the_management_view(desk):
    page = login(desk.agent).get("/").content.decode()
    assert "dashboard-manager" not in page and "dashboard-management" not in page
    assert "home-sla-trend" not in page and "home-backlog" not in page


def test_an_agent_without_a_person_is_told_why_the_queue_is_empty(ctx):
    lone = factories.user("lone", ctx.provider, ["incident-agent"])
    page = login(lone).get("/").content.decode()
    assert "not linked to a person" in page


def test_audiences_by_role(ctx):
    def roles(*names):
        name = factories.unique("u").replace(" ", "")
        return dashboards.audiences(factories.user(name, ctx.provider, list(names)))

    assert roles("incident-agent", "problem-agent") == ["home.agent"]
    assert roles("change-manager") == ["home.manager"]
    assert roles("top-management", "incident-manager") == ["home.manager", "home.management"]
    assert roles("auditor") == ["home.management"]
    assert roles("administrator") == ["home.manager", "home.management"]
    assert dashboards.audiences(ctx.customer_a) == ["home.customer"]
