"""Reads of incident management that need thought: queues, breaching-soon, security-incident analysis."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext as _

from .clocks import wall_duration
from .models import Incident, SlaClock

CLOSED_STATUSES = (Incident.Status.RESOLVED, Incident.Status.CLOSED)
# What no queue may bury: an open major incident, or an open P1 nobody has taken yet.
NEEDS_HANDS = Q(is_major=True) | Q(priority=1, assignee__isnull=True)


def needs_hands(incident: Incident) -> bool:
    """The row-level reading of NEEDS_HANDS (for the mark on a row already read)."""
    unassigned_p1 = incident.priority == 1 and incident.assignee_id is None
    return incident.is_open and (incident.is_major or unassigned_p1)


def queue_order(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    """A queue in working order: open major incidents and unassigned P1s first, then by what is due next
    (the earliest due time of a running SLA clock; tickets with none last), newest first after that. A
    list that already knows its `next_due` (breaching soon) keeps it."""
    if "next_due" not in queryset.query.annotations:
        running = (
            SlaClock.objects.filter(
                incident=OuterRef("pk"), stopped_at__isnull=True, paused=False, due_at__isnull=False
            )
            .order_by("due_at")
            .values("due_at")[:1]
        )
        queryset = queryset.annotate(next_due=Subquery(running))
    top = Case(
        When(~Q(status__in=CLOSED_STATUSES) & NEEDS_HANDS, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return queryset.annotate(needs_hands=top).order_by(
        "-needs_hands", F("next_due").asc(nulls_last=True), "-created", "-id"
    )


def queue_clocks(incident_ids: list[int], user: Any, now: dt.datetime) -> dict[int, dict[str, Any]]:
    """For the rows of one queue page, in one query: per ticket, what its next SLA due time says — the
    time left or overdue as text and a tone (breached, at risk, on track; paused when only a paused clock
    runs). At risk is what `clocks.clock_reading` calls it, read from the stored instants (see
    `clocks_at_risk_and_breached`): from the warning instant, or at once when the warning share was used
    before the clock last started, until the due instant."""
    from servitium.core import permissions

    rows = (
        permissions.restrict(SlaClock.objects.all(), user)
        .filter(incident_id__in=incident_ids, stopped_at__isnull=True)
        .order_by()
        .values_list("incident_id", "due_at", "warn_at", "paused")
    )
    found: dict[int, dict[str, Any]] = {}
    for incident_id, due_at, warn_at, paused in rows:
        known = found.get(incident_id)
        if paused or due_at is None:
            if known is None:
                found[incident_id] = {"tone": "paused", "text": _("clock paused"), "due_at": None}
            continue
        if known is not None and known["due_at"] is not None and known["due_at"] <= due_at:
            continue
        left = (due_at - now).total_seconds()
        if left <= 0:
            tone, text = "breached", _("%(t)s overdue") % {"t": wall_duration(-left)}
        else:
            at_risk = warn_at is None or warn_at <= now
            tone, text = ("at_risk" if at_risk else "on_track"), _("%(t)s left") % {"t": wall_duration(left)}
        found[incident_id] = {"tone": tone, "text": text, "due_at": due_at}
    return found


def security_analysis(queryset: QuerySet[Incident], since: dt.date | None, until: dt.date | None) -> dict:
    """Volume, type, risk and impact of security incidents (2011 6.6.3; 2018 8.7.3.3), aggregated in SQL
    over the tickets the reader may see."""
    qs = queryset.filter(is_security=True)
    if since:
        qs = qs.filter(created__date__gte=since)
    if until:
        qs = qs.filter(created__date__lte=until)
    taken = ExpressionWrapper(F("resolved_at") - F("created"), output_field=DurationField())

    def grouped(field: str) -> list[dict[str, Any]]:
        rows = qs.order_by().values(field).annotate(count=Count("id"), mean=Avg(taken)).order_by(field)
        return [
            {
                "value": row[field],
                "count": row["count"],
                "mean_hours_to_resolve": round(row["mean"].total_seconds() / 3600, 1)
                if row["mean"]
                else None,
            }
            for row in rows
        ]

    return {
        "total": qs.count(),
        "by_type": grouped("security_category"),
        "by_risk": grouped("security_risk"),
        "by_impact": grouped("impact"),
    }


def sla_compliance(queryset: QuerySet[Incident], since: dt.date, until: dt.date) -> list[dict[str, Any]]:
    """Per service, priority and measure: how many clocks stopped in [since, until) and how many met their
    target, with the worst and mean business time — one aggregate query over the tickets the reader may
    see (the clock results index narrows it to the period)."""
    from django.db.models import Max

    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(until, dt.time(), tzinfo=dt.UTC)
    # Filter and aggregate in one .filter() over the clocks relation so that both use the same join; the
    # reader's restriction stays a plain filter on the incidents (no IN subquery over a million rows).
    rows = (
        queryset.filter(
            sla_clocks__stopped_at__gte=start, sla_clocks__stopped_at__lt=end, sla_clocks__met__isnull=False
        )
        .order_by()
        .values("service_id", "service__name", "priority", "sla_clocks__metric")
        .annotate(
            clocks=Count("sla_clocks__id"),
            met=Count("sla_clocks__id", filter=Q(sla_clocks__met=True)),
            mean_s=Avg("sla_clocks__elapsed_before_s"),
            worst_s=Max("sla_clocks__elapsed_before_s"),
        )
        .order_by("service__name", "priority", "sla_clocks__metric")
    )
    return [
        {
            "service": row["service_id"],
            "service_name": row["service__name"],
            "priority": row["priority"],
            "metric": row["sla_clocks__metric"],
            "clocks": row["clocks"],
            "met": row["met"],
            "compliance": round(row["met"] / row["clocks"], 4) if row["clocks"] else None,
            "mean_business_s": round(row["mean_s"] or 0),
            "worst_business_s": round(row["worst_s"] or 0),
        }
        for row in rows
    ]


def timeline(incident: Incident, user: Any, limit: int = 500) -> list[dict[str, Any]]:
    """Everything that happened to a ticket, newest first, from every source the reader may see: the change
    log, replies and work notes, mail in and out, major-incident updates and imported history."""
    from django.contrib.contenttypes.models import ContentType

    from servitium.core import history, permissions
    from servitium.core.models import ChangeRecord, Comment

    from .models import IncidentEvent, MailMessage, MajorIncidentUpdate

    entries: list[dict[str, Any]] = []
    changes = permissions.restrict(ChangeRecord.objects.all(), user).filter(
        object_type=Incident.object_type(), object_id=incident.pk
    )
    for change in history.entries(changes.order_by("-id")[:limit], user):
        entries.append(
            {
                "at": change.timestamp,
                "kind": "change",
                "title": change.action + (f": {change.message}" if change.message else ""),
                "body": change.as_text(),  # the API's text; the page lists `changes`
                "changes": change.changes,
                "by": change.who,
            }
        )
    comments = permissions.restrict(Comment.objects.select_related("author"), user).filter(
        target_type=ContentType.objects.get_for_model(Incident), object_id=incident.pk
    )
    for c in comments.order_by("-created")[:limit]:
        entries.append(
            {
                "at": c.created,
                "kind": "reply" if c.visibility == Comment.Visibility.PUBLIC else "work_note",
                "title": c.get_visibility_display(),
                "body": c.body,
                "by": c.author_name or (c.author.get_username() if c.author else ""),
            }
        )
    for m in permissions.restrict(MailMessage.objects.filter(incident=incident), user)[:limit]:
        entries.append(
            {
                "at": m.created,
                "kind": "mail_in" if m.direction == MailMessage.Direction.INBOUND else "mail_out",
                "title": f"{m.get_direction_display()}: {m.subject}",
                "body": m.get_outcome_display(),
                "by": m.sender if m.direction == MailMessage.Direction.INBOUND else m.recipients,
            }
        )
    updates = permissions.restrict(MajorIncidentUpdate.objects.filter(incident=incident), user)
    if permissions.is_customer_user(user):
        updates = updates.filter(audience=MajorIncidentUpdate.Audience.CUSTOMER)
    for u in updates[:limit]:
        entries.append(
            {
                "at": u.created,
                "kind": "major_update",
                "title": f"Major-incident update ({u.get_audience_display()})",
                "body": u.body,
                "by": u.sent_to,
            }
        )
    for e in permissions.restrict(IncidentEvent.objects.filter(incident=incident), user)[:limit]:
        entries.append(
            {"at": e.occurred_at, "kind": "imported", "title": e.activity, "body": e.detail, "by": e.group}
        )
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:limit]


def open_by_priority() -> dict[tuple[str, int], int]:
    """Open tickets counted per (kind, priority) in one grouped query (operators' totals across tenants:
    counts only, never a record or an organization)."""
    closed = (Incident.Status.RESOLVED, Incident.Status.CLOSED)
    rows = (
        Incident.objects.exclude(status__in=closed)
        .order_by()
        .values_list("kind", "priority")
        .annotate(n=Count("id"))
    )
    return {(kind, priority): n for kind, priority, n in rows}


def clocks_at_risk_and_breached(now: dt.datetime) -> dict[tuple[str, str], int]:
    """Running SLA clocks per (metric, "at_risk" | "breached"), counted in SQL.

    The same reading as `clocks.clock_reading`, which works from a clock's elapsed business time: a
    running clock's `due_at` and `warn_at` are the instants at which that time reaches the target and its
    warning share (clocks._compute recomputes both on every change), so past `due_at` it reads breached
    and from `warn_at` (or at once, when it had used its warning share before it last started: no
    `warn_at`) until `due_at` at risk. Paused and stopped clocks have no instants and read neither here
    (a stopped clock's miss is history, not something to act on)."""
    running = SlaClock.objects.filter(stopped_at__isnull=True, paused=False, due_at__isnull=False)
    rows = (
        running.order_by()
        .values("metric")
        .annotate(
            breached=Count("id", filter=Q(due_at__lte=now)),
            at_risk=Count("id", filter=Q(due_at__gt=now) & (Q(warn_at__isnull=True) | Q(warn_at__lte=now))),
        )
    )
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        counts[(row["metric"], "breached")] = row["breached"]
        counts[(row["metric"], "at_risk")] = row["at_risk"]
    return counts
