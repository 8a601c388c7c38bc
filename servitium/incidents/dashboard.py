"""Incident management's tiles on the home dashboards (core.panels, registered in apps.ready): an agent's
queue and its clocks, a manager's SLA trend, backlog and aging, a customer's open tickets.

Every figure is read through the one permission path in a fixed number of queries, however many tickets
there are: counts are aggregated in SQL and lists are cut to a few rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Min, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servitium.core import charts, permissions
from servitium.core.panels import HOME_AGENT, HOME_MANAGER, LIST, register_panel
from servitium.core.vocabulary import Priority
from servitium.parties.models import Person, Team

from .models import Incident, SlaClock

CLOSED = (Incident.Status.RESOLVED, Incident.Status.CLOSED)
QUEUE_ROWS = 10
# Share of SLA clocks that should stop within target each month: the line the trend is read against.
COMPLIANCE_TARGET = 95.0
TREND_MONTHS = 12
BACKLOG_WEEKS = 8
# Red for what must be done first, amber for what is close, blue and greys for the rest.
PRIORITY_COLOURS = {1: charts.BAD, 2: charts.WARN, 3: charts.NEUTRAL, 4: "#64b5f6", 5: charts.GREY}
PRIORITY_BADGES = {1: "text-bg-danger", 2: "text-bg-warning", 3: "text-bg-primary", 4: "text-bg-info"}
# (label, at least, under) in days; the older a ticket, the more it needs someone's attention.
AGE_BUCKETS = (
    (gettext_lazy("under a day"), 0, 1),
    (gettext_lazy("1-3 days"), 1, 3),
    (gettext_lazy("3-7 days"), 3, 7),
    (gettext_lazy("1-4 weeks"), 7, 28),
    (gettext_lazy("over 4 weeks"), 28, None),
)
AGE_COLOURS = (charts.GOOD, charts.NEUTRAL, charts.NEUTRAL, charts.WARN, charts.BAD)


def _running() -> Q:
    """A ticket's clock that is counting now (not paused, not stopped, with a due time)."""
    return Q(sla_clocks__stopped_at__isnull=True, sla_clocks__paused=False, sla_clocks__due_at__isnull=False)


def _clock_states(now: dt.datetime) -> dict[str, Any]:
    """Per-ticket annotations: the earliest due time of a running clock, how many clocks are past it, and
    how many are inside their warning share (the reading of incidents.clocks.clock_reading)."""
    running = _running()
    return {
        "next_due": Min("sla_clocks__due_at", filter=running),
        "breached_clocks": Count("sla_clocks", filter=running & Q(sla_clocks__due_at__lte=now)),
        "risky_clocks": Count(
            "sla_clocks",
            filter=running
            & Q(sla_clocks__due_at__gt=now)
            & (Q(sla_clocks__warn_at__isnull=True) | Q(sla_clocks__warn_at__lte=now)),
        ),
    }


def _state(ticket: Incident) -> str:
    if ticket.breached_clocks:
        return "breached"
    return "at_risk" if ticket.risky_clocks else ""


def open_tickets(user: Any) -> QuerySet[Incident]:
    return permissions.restrict(Incident.objects.all(), user).exclude(status__in=CLOSED)


def agent_queue(user: Any, now: dt.datetime | None = None) -> dict[str, Any] | None:
    """The agent's queue: their open tickets and their teams' unassigned ones, what is due first on top,
    with counts of each part and of the tickets whose clocks are breached or at risk (three queries)."""
    now = now or timezone.now()
    person = Person.objects.filter(user=user).only("pk").first()
    if person is None:
        return {"person": None}
    teams = Team.objects.filter(members=person).values("pk")
    queue = open_tickets(user).filter(
        Q(assignee=person) | Q(assignee__isnull=True, assignment_group__in=teams)
    )
    per_ticket = queue.annotate(**_clock_states(now))
    figures = per_ticket.aggregate(
        mine=Count("id", filter=Q(assignee=person)),
        team=Count("id", filter=Q(assignee__isnull=True)),
        breached=Count("id", filter=Q(breached_clocks__gt=0)),
        at_risk=Count("id", filter=Q(breached_clocks=0, risky_clocks__gt=0)),
    )
    rows = list(
        per_ticket.select_related("customer").order_by(
            F("next_due").asc(nulls_last=True), "priority", "created", "id"
        )[:QUEUE_ROWS]
    )
    for ticket in rows:
        ticket.clock_state = _state(ticket)
        ticket.mine = ticket.assignee_id == person.pk
        ticket.priority_badge = PRIORITY_BADGES.get(ticket.priority, "text-bg-secondary")
    list_url = reverse("incidents:incident_list")
    return {
        "person": person,
        "rows": rows,
        "figures": figures,
        "more": max(0, figures["mine"] + figures["team"] - len(rows)),
        "urls": {
            "mine": f"{list_url}?view=mine",
            "team": f"{list_url}?view=team",
            "breaching": f"{list_url}?view=breaching",
        },
    }


def queue_tile(_obj: Any, user: Any) -> dict[str, Any] | None:
    if not permissions.area_allows(user, "incidents", permissions.CHANGE):
        return None
    return agent_queue(user)


# --- the process manager's view -----------------------------------------------------------------------


def _months_back(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the last `count` months, oldest first, this month last."""
    months, year, month = [], today.year, today.month
    for _i in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def compliance_trend(user: Any, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Per month of the last year: SLA clocks that stopped and how many within target (one query)."""
    zone = timezone.get_current_timezone()
    today = today or timezone.localdate()
    months = _months_back(today, TREND_MONTHS)
    start = dt.datetime.combine(months[0], dt.time.min, tzinfo=zone)
    clocks = permissions.restrict(SlaClock.objects.all(), user).filter(
        stopped_at__gte=start, met__isnull=False
    )
    found = {
        row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]: row
        for row in clocks.annotate(month=TruncMonth("stopped_at", tzinfo=zone))
        .order_by()
        .values("month")
        .annotate(n=Count("id"), met=Count("id", filter=Q(met=True)))
    }
    trend = []
    for month in months:
        row = found.get(month)
        share = round(100 * row["met"] / row["n"], 1) if row and row["n"] else None
        trend.append({"month": month, "clocks": row["n"] if row else 0, "share": share})
    return trend


def _share(percent: float | None) -> float | None:
    return None if percent is None else percent / 100


def compliance_tile(_obj: Any, user: Any) -> dict[str, Any] | None:
    if not permissions.area_allows(user, "incidents", permissions.ALL):
        return None
    trend = compliance_trend(user)
    points = [
        charts.Point(
            date_format(m["month"], "M"),
            m["share"],
            colour=charts.share_colour(_share(m["share"]), COMPLIANCE_TARGET / 100),
            note=_("%(month)s: %(share)s %% of %(n)s clocks within target")
            % {"month": date_format(m["month"], "F Y"), "share": m["share"], "n": m["clocks"]},
        )
        for m in trend
    ]
    measured = [m for m in trend if m["share"] is not None]
    latest = measured[-1] if measured else None
    return {
        "chart": charts.line(
            points,
            target=COMPLIANCE_TARGET,
            target_label=_("target %(t)s %%") % {"t": f"{COMPLIANCE_TARGET:g}"},
            title=_("SLA clocks within target per month (%)"),
            unit=" %",
            ceiling=100,
            step=30,
        ),
        "latest": latest,
        "target": COMPLIANCE_TARGET,
        "on_target": latest is not None and latest["share"] >= COMPLIANCE_TARGET,
        "wide": True,
    }


def backlog(user: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """Open tickets at the end of each of the last weeks, per priority (one grouped query): a ticket was
    open at an instant if it had been raised and was neither resolved nor closed by then."""
    now = now or timezone.now()
    ends = [now - dt.timedelta(weeks=w) for w in range(BACKLOG_WEEKS - 1, -1, -1)]
    visible = permissions.restrict(Incident.objects.all(), user)
    # Tickets resolved or closed before the first week ended never count: left out before grouping.
    first = ends[0]
    candidates = visible.filter(created__lte=now).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gt=first),
        Q(closed_at__isnull=True) | Q(closed_at__gt=first),
    )

    def open_at(end: dt.datetime) -> Q:
        return (
            Q(created__lte=end)
            & (Q(resolved_at__isnull=True) | Q(resolved_at__gt=end))
            & (Q(closed_at__isnull=True) | Q(closed_at__gt=end))
        )

    counts = {f"w{i}": Count("id", filter=open_at(end)) for i, end in enumerate(ends)}
    rows = {row["priority"]: row for row in candidates.order_by().values("priority").annotate(**counts)}
    labels = [date_format(timezone.localtime(end), "d.m.") for end in ends]
    series = [
        charts.Series(
            str(label),
            [rows.get(value, {}).get(f"w{i}", 0) for i in range(len(ends))],
            PRIORITY_COLOURS.get(value, charts.GREY),
        )
        for value, label in Priority.choices
    ]
    totals = [sum(s.values[i] for s in series) for i in range(len(ends))]
    return {"labels": labels, "series": series, "now": totals[-1], "before": totals[0]}


def backlog_tile(_obj: Any, user: Any) -> dict[str, Any] | None:
    if not permissions.area_allows(user, "incidents", permissions.ALL):
        return None
    found = backlog(user)
    return {
        **found,
        "chart": charts.stacked_columns(
            found["labels"],
            found["series"],
            title=_("Open tickets at the end of each week, by priority"),
            width=440,
        ),
        "url": reverse("incidents:incident_list"),
        "wide": True,
    }


def aging(user: Any, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Open tickets by how long ago they were raised (one query)."""
    now = now or timezone.now()
    counts = {}
    for i, (_label, older, younger) in enumerate(AGE_BUCKETS):
        window = Q(created__lte=now - dt.timedelta(days=older))
        if younger is not None:
            window &= Q(created__gt=now - dt.timedelta(days=younger))
        counts[f"b{i}"] = Count("id", filter=window)
    found = open_tickets(user).order_by().aggregate(**counts)
    return [
        {"label": str(label), "count": found[f"b{i}"], "colour": AGE_COLOURS[i]}
        for i, (label, _older, _younger) in enumerate(AGE_BUCKETS)
    ]


def aging_tile(_obj: Any, user: Any) -> dict[str, Any] | None:
    if not permissions.area_allows(user, "incidents", permissions.ALL):
        return None
    buckets = aging(user)
    return {
        "chart": charts.bars(
            [charts.Bar(b["label"], b["count"], colour=b["colour"]) for b in buckets],
            title=_("Open tickets by age"),
            width=340,
            label_width=100,
        ),
        "total": sum(b["count"] for b in buckets),
        "old": buckets[-1]["count"],
        "url": reverse("incidents:incident_list") + "?ordering=created",
    }


# --- the customer's view ------------------------------------------------------------------------------


def register() -> None:
    register_panel(HOME_AGENT, "incidents/_home_queue.html", queue_tile, page=LIST, order=10)
    register_panel(HOME_MANAGER, "incidents/_home_compliance.html", compliance_tile, page=LIST, order=10)
    register_panel(HOME_MANAGER, "incidents/_home_backlog.html", backlog_tile, page=LIST, order=11)
    register_panel(HOME_MANAGER, "incidents/_home_aging.html", aging_tile, page=LIST, order=12)
