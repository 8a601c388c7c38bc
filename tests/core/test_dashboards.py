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
    assert dashboards.audiences(ctx.customer_a) == []  # their home is the portal's


def stopped_clock(incident: Incident, *, months_ago: int, met: bool, metric: str = "resolution_time"):
    at = timezone.now().replace(day=10) - dt.timedelta(days=31 * months_ago)
    return SlaClock.objects.create(
        incident=incident,
        metric=metric,
        target_s=8 * H,
        started_at=at - dt.timedelta(hours=2),
        stopped_at=at,
        met=met,
    )


@pytest.fixture
def service_history(ctx):
    """Last month 1 of 2 clocks within target (50 %, under the 95 % target), this month 2 of 2."""
    old, new = ticket(ctx, "Last month's"), ticket(ctx, "This month's")
    stopped_clock(old, months_ago=1, met=True)
    stopped_clock(old, months_ago=1, met=False, metric="response_time")
    stopped_clock(new, months_ago=0, met=True)
    stopped_clock(new, months_ago=0, met=True, metric="response_time")
    aged = ticket(ctx, "Open for weeks")
    Incident.objects.filter(pk=aged.pk).update(created=timezone.now() - dt.timedelta(days=40))
    return SimpleNamespace(aged=aged)


def svg_titles(html: str) -> list[str]:
    return re.findall(r'<svg [^>]*aria-label="([^"]*)"', html)


def test_an_incident_manager_sees_sla_trend_against_target_backlog_and_aging(ctx, service_history):
    manager = factories.user("im", ctx.provider, ["incident-manager"])
    page = login(manager).get("/").content.decode()
    assert 'id="dashboard-manager"' in page and "dashboard-management" not in page
    assert svg_titles(page) == [
        "SLA clocks within target per month (%)",
        "Open tickets at the end of each week, by priority",
        "Open tickets by age",
    ]
    trend = page[page.index('id="home-sla-trend"') : page.index('id="home-backlog"')]
    assert 'class="trend-target"' in trend and "target 95 %" in trend
    # this month: every clock within target
    assert 'text-success">100 %</span>' in trend and "(target 95 %)" in trend
    dots = re.findall(r'<circle [^>]*fill="([^"]+)"><title>([^<]*)</title>', trend)
    assert [fill for fill, _note in dots] == ["#c62828", "#2e7d32"]  # 50 % red, 100 % green
    assert "50.0 % of 2 clocks within target" in dots[0][1]
    aging = page[page.index('id="home-aging"') :]
    assert re.search(r'fs-3 fw-semibold text-danger">1<', aging)  # the ticket raised 40 days ago
    backlog = page[page.index('id="home-backlog"') : page.index('id="home-aging"')]
    assert re.search(r'fs-3 fw-semibold">3<', backlog)  # three tickets open now


def test_a_change_manager_sees_changes_waiting_for_approval_but_not_the_ticket_charts(ctx):
    from servitium.changes.models import Change

    waiting = Change.objects.create(reference="CHG0000001", title="Patch the mail relays", status="submitted")
    Change.objects.create(reference="CHG0000002", title="Still a draft", status="draft")
    manager = factories.user("cm", ctx.provider, ["change-manager"])
    page = login(manager).get("/").content.decode()
    tile = page[page.index('id="home-changes"') :]
    assert f'href="/changes/{waiting.pk}/">CHG0000001</a>' in tile and "Still a draft" not in tile
    assert (
        'dash-figure dash-warn" href="/changes/?status=submitted"><span class="dash-figure-value">1<' in tile
    )
    assert "home-sla-trend" not in page and "home-queue" not in page


def management_records():
    from servitium.conformity.models import Assessment
    from servitium.improvement.models import CorrectiveAction, Nonconformity
    from servitium.risks.models import Risk

    now = timezone.now()
    for i, met in enumerate((40, 60, 85)):
        Assessment.objects.create(
            reference=f"ASM{i}",
            started_at=now - dt.timedelta(days=30 * (3 - i)),
            finished_at=now - dt.timedelta(days=30 * (3 - i)),
            summary={
                "frameworks": {"iso20000-1:2018": {"met": met, "not_met": 100 - met - 5, "partly_met": 5}}
            },
        )
    major = Nonconformity.objects.create(
        reference="NC0001", description="No review of the SLA", grade="major", due_date=dt.date(2020, 1, 1)
    )
    Nonconformity.objects.create(reference="NC0002", description="Closed one", status="closed")
    CorrectiveAction.objects.create(
        nonconformity=major, description="Hold the review", due_date=dt.date(2020, 2, 1)
    )
    Risk.objects.create(reference="RSK0001", title="Data centre flood", score=20, likelihood=4, impact=5)
    Risk.objects.create(
        reference="RSK0002", title="Closed risk", score=25, likelihood=5, impact=5, status="closed"
    )
    return major


def test_top_management_and_auditors_see_conformity_nonconformities_and_top_risks(ctx):
    major = management_records()
    boss = factories.user("boss", ctx.provider, ["top-management"])
    for user in (boss, ctx.auditor):
        page = login(user).get("/").content.decode()
        assert 'id="dashboard-management"' in page, user
        assert "Share met per run" in svg_titles(page)
        conformity = page[page.index('id="home-conformity"') :]
        assert "85 %</span>" in conformity and "dash-figure dash-good" in conformity
        assert conformity.count("<rect") == 3  # one column per run
        ncs = page[page.index('id="home-nonconformities"') :]
        assert f'href="{major.get_absolute_url()}">NC0001</a>' in ncs and "Closed one" not in ncs
        assert re.search(
            r'dash-bad" href="[^"]+\?ordering=due_date"><span class="dash-figure-value">1<', ncs
        )  # one overdue action
        risks = page[page.index('id="home-risks"') :]
        assert "Data centre flood" in risks and "Closed risk" not in risks
        assert "home-queue" not in page


def test_a_tile_two_dashboards_carry_shows_once_in_the_management_overview(ctx):
    management_records()
    head = factories.user("head", ctx.provider, ["top-management", "sms-manager", "incident-manager"])
    page = login(head).get("/").content.decode()
    overview = page[page.index('id="dashboard-management"') :]
    assert page.count('id="home-risks"') == 1 and 'id="home-risks"' in overview
    assert page.count('id="home-conformity"') == 1 and 'id="home-nonconformities"' in overview
    assert page.index('id="home-sla-trend"') < page.index('id="dashboard-management"')


def test_a_customer_sees_only_their_own_organizations_tickets_and_services(ctx):
    mine = ticket(ctx, "Alder's printer")
    theirs = ticket(ctx, "Birch's secret outage", customer=ctx.org_b)
    factories.service("Alder Mail", customers=[ctx.org_a])
    factories.service("Birch Hosting", customers=[ctx.org_b])
    # A customer's home is the portal's: their own tickets, nothing of another organization, no staff parts.
    response = login(ctx.customer_a).get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/portal/"
    page = response.content.decode()
    assert mine.reference in page
    assert theirs.reference not in page and "Birch" not in page and ctx.org_b.name not in page
    assert (
        "Recent changes" not in page and "dashboard-agent" not in page and "dashboard-management" not in page
    )


def test_recent_changes_link_to_their_record_and_name_who_made_them(ctx):
    person = factories.person("Maria Keller", ctx.provider)
    core_services.record_update(instance=person, data={"user": ctx.admin}, actor=None)
    service = factories.service("Backup")
    core_services.record_update(instance=service, data={"description": "Nightly"}, actor=ctx.admin)
    page = login(ctx.admin).get("/").content.decode()
    recent = page[page.index('id="recent-changes"') :]
    first = recent[: recent.index("</li>")]
    assert "Maria Keller" in first and f'<a href="/catalog/services/{service.pk}/">Backup</a>' in first
    assert "system" in recent  # the records created with no one signed in


ROLES = {
    "agent": ["incident-agent", "problem-agent"],
    "manager": ["incident-manager", "change-manager", "problem-manager", "conformity-manager"],
    "management": ["top-management", "sms-manager"],
    "auditor": ["auditor"],
    "administrator": ["administrator"],
}


def grow(ctx, desk, n: int) -> None:
    """More of everything a dashboard lists or counts: tickets with clocks in the queue, stopped clocks,
    other teams' tickets, changes, problems, nonconformities, risks."""
    from servitium.changes.models import Change
    from servitium.improvement.models import Nonconformity
    from servitium.risks.models import Risk

    for i in range(n):
        t = ticket(ctx, f"More {i}", assignee=desk.aisha, group=desk.team)
        clock(t, due_in_h=i - 1, warn_in_h=i - 2)
        stopped_clock(t, months_ago=i % 3, met=bool(i % 2), metric="response_time")
        Change.objects.create(
            reference=factories.unique("CHG").replace(" ", ""), title="c", status="submitted"
        )
        Nonconformity.objects.create(reference=factories.unique("NC").replace(" ", ""), description="d")
        Risk.objects.create(reference=factories.unique("RSK").replace(" ", ""), title="r", score=10 + i)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_dashboard_renders_in_a_bounded_number_of_queries(
    ctx, desk, role, django_assert_max_num_queries
):
    management_records()
    user = factories.user(f"q_{role}", ctx.provider, ROLES[role])
    core_services.record_update(
        instance=factories.person(f"P {role}", ctx.provider), data={"user": user}, actor=None
    )
    browser = login(user)
    browser.get("/")  # caches warmed (content types, the priority matrix)
    with django_assert_max_num_queries(30) as few:
        assert browser.get("/").status_code == 200
    grow(ctx, desk, 12)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        assert browser.get("/").status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)  # no query per row
