"""The report sections service reporting contributes itself (core.reportsections): performance against
service targets, relevant nonconformities, workload, performance after major incidents and changes,
trends, satisfaction and complaints. Availability, capacity and cost come from their own apps' sections.

Each `build(scope)` reads the figures of one scope — a customer (None: every customer), services (empty:
every service), the period [start, end) in UTC — and returns plain values plus SVG charts from
core.charts. What counts where:

- service targets: SLA clocks (response and resolution) stopped in the period, per service, priority and
  measure, met or breached (the selector behind `/incidents/sla-compliance/`);
- nonconformities: raised in the period or still open at its end; for a customer or services, those whose
  source is one of its incidents or complaints;
- workload: incidents and service requests opened (created) and resolved (resolved_at) in the period, the
  opened ones by priority and by channel, and those still unresolved at the end of the period;
- major incidents: declared major in the period (or opened in it when no declaration time is known), with
  the hours from opening to resolution; changes whose implementation ended in the period (actual_end),
  failed (failed or backed out) and emergency ones among them;
- trends: the twelve months ending with the period's last month;
- satisfaction: survey responses received in the period (count and mean score 1-5), complaints received,
  resolved in the period and unresolved at its end.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from servitium.changes.models import Change
from servitium.core import charts
from servitium.core.reportsections import ReportScope, register_report_section
from servitium.core.vocabulary import Priority
from servitium.improvement.models import Nonconformity
from servitium.incidents.models import Incident, SlaClock
from servitium.incidents.selectors import sla_compliance
from servitium.relationships.models import Complaint, SurveyResponse


def _utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _in(field: str, scope: ReportScope) -> Q:
    return Q(**{f"{field}__gte": _utc(scope.start), f"{field}__lt": _utc(scope.end)})


def pct(part: int, whole: int) -> float | None:
    """A share in percent with one decimal (half up), None when there is nothing to divide."""
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def tickets(scope: ReportScope) -> QuerySet[Incident]:
    """Incidents and service requests of the scope's customer and services."""
    qs = Incident.objects.all()
    if scope.customer_id is not None:
        qs = qs.filter(customer_id=scope.customer_id)
    if scope.service_ids:
        qs = qs.filter(service_id__in=scope.service_ids)
    return qs


def changes(scope: ReportScope) -> QuerySet[Change]:
    """Changes affecting the scope's services (a customer's: the services it receives)."""
    qs = Change.objects.all()
    if scope.service_ids:
        qs = qs.filter(affected_services__in=scope.service_ids)
    elif scope.customer_id is not None:
        qs = qs.filter(affected_services__customers=scope.customer_id)
    if scope.service_ids or scope.customer_id is not None:
        qs = Change.objects.filter(pk__in=qs.values("pk"))
    return qs


def _with_service(qs: QuerySet, scope: ReportScope) -> QuerySet:
    """Customer feedback of the scope: its customer's, for its services (or naming no service)."""
    if scope.customer_id is not None:
        qs = qs.filter(customer_id=scope.customer_id)
    if scope.service_ids:
        qs = qs.filter(Q(service_id__in=scope.service_ids) | Q(service__isnull=True))
    return qs


# --- performance against service targets -----------------------------------------------------------------


def service_targets(scope: ReportScope) -> dict[str, Any]:
    rows = sla_compliance(tickets(scope), scope.start, scope.end)
    for row in rows:
        row["breached"] = row["clocks"] - row["met"]
        row["compliance_pct"] = pct(row["met"], row["clocks"])
        row["priority_label"] = str(Priority(row["priority"]).label) if row["priority"] else ""
    clocks = sum(r["clocks"] for r in rows)
    met = sum(r["met"] for r in rows)
    chart = charts.bars(
        [
            charts.Bar(
                f"{r['service_name']} P{r['priority']} {r['metric'].replace('_', ' ')}",
                r["compliance_pct"],
                text=f"{r['compliance_pct']} % ({r['met']}/{r['clocks']})",
                colour=charts.share_colour((r["compliance_pct"] or 0) / 100),
            )
            for r in rows
        ],
        maximum=100,
        title=_("Service targets met"),
    )
    return {
        "rows": rows,
        "clocks": clocks,
        "met": met,
        "breached": clocks - met,
        "compliance_pct": pct(met, clocks),
        "chart_svg": chart,
    }


# --- relevant nonconformities ------------------------------------------------------------------------------


def _nonconformities(scope: ReportScope) -> QuerySet[Nonconformity]:
    qs = Nonconformity.objects.all()
    if scope.customer_id is None and not scope.service_ids:
        return qs
    sources = Q(
        source_type=ContentType.objects.get_for_model(Incident),
        source_id__in=tickets(scope).values("pk"),
    ) | Q(
        source_type=ContentType.objects.get_for_model(Complaint),
        source_id__in=_with_service(Complaint.objects.all(), scope).values("pk"),
    )
    return qs.filter(sources)


def nonconformities(scope: ReportScope) -> dict[str, Any]:
    qs = _nonconformities(scope)
    end = _utc(scope.end)
    raised = qs.filter(_in("created", scope))
    open_at_end = qs.filter(created__lt=end).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
    shown = qs.filter(Q(pk__in=raised.values("pk")) | Q(pk__in=open_at_end.values("pk"))).order_by("created")
    return {
        "raised": raised.count(),
        "open_at_end": open_at_end.count(),
        "rows": [
            {
                "reference": nc.reference,
                "grade": nc.get_grade_display(),
                "status": nc.get_status_display(),
                "raised_on": nc.created.date(),
                "description": nc.description,
                "cause": nc.root_cause,
                "source": nc.source_reference or nc.get_source_kind_display(),
            }
            for nc in shown[:50]
        ],
    }


# --- workload -----------------------------------------------------------------------------------------------


def workload(scope: ReportScope) -> dict[str, Any]:
    qs = tickets(scope)
    opened = qs.filter(_in("created", scope))
    resolved = qs.filter(_in("resolved_at", scope))
    end = _utc(scope.end)
    counts = opened.aggregate(
        incidents=Count("id", filter=Q(kind=Incident.Kind.INCIDENT)),
        requests=Count("id", filter=Q(kind=Incident.Kind.REQUEST)),
    )
    done = resolved.aggregate(
        incidents=Count("id", filter=Q(kind=Incident.Kind.INCIDENT)),
        requests=Count("id", filter=Q(kind=Incident.Kind.REQUEST)),
    )
    by_priority = {
        row["priority"]: row
        for row in opened.order_by()
        .values("priority")
        .annotate(
            incidents=Count("id", filter=Q(kind=Incident.Kind.INCIDENT)),
            requests=Count("id", filter=Q(kind=Incident.Kind.REQUEST)),
        )
    }
    channels = dict(Incident.Channel.choices)
    by_channel = [
        {
            "channel": row["channel"],
            "label": str(channels.get(row["channel"], row["channel"])),
            "count": row["n"],
        }
        for row in opened.order_by().values("channel").annotate(n=Count("id")).order_by("-n", "channel")
    ]
    backlog = qs.filter(created__lt=end).filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=end)).count()
    return {
        "incidents_opened": counts["incidents"],
        "incidents_resolved": done["incidents"],
        "requests_opened": counts["requests"],
        "requests_resolved": done["requests"],
        "unresolved_at_end": backlog,
        "by_priority": [
            {
                "priority": p.value,
                "label": str(p.label),
                "incidents": by_priority.get(p.value, {}).get("incidents", 0),
                "requests": by_priority.get(p.value, {}).get("requests", 0),
            }
            for p in Priority
        ],
        "by_channel": by_channel,
        "chart_svg": charts.bars(
            [charts.Bar(r["label"], r["count"]) for r in by_channel], title=_("Tickets opened by channel")
        ),
    }


# --- performance after major incidents and changes ----------------------------------------------------------


def major_events(scope: ReportScope) -> dict[str, Any]:
    majors = (
        tickets(scope)
        .filter(is_major=True)
        .filter(_in("major_declared_at", scope) | (Q(major_declared_at__isnull=True) & _in("created", scope)))
        .select_related("service")
        .order_by("created")
    )
    rows = []
    for incident in majors:
        hours = None
        if incident.resolved_at:
            hours = round((incident.resolved_at - incident.created).total_seconds() / 3600, 1)
        rows.append(
            {
                "reference": incident.reference,
                "title": incident.title,
                "service": incident.service.name if incident.service_id else "",
                "priority": incident.priority,
                "opened": incident.created,
                "resolved": incident.resolved_at,
                "duration_hours": hours,
            }
        )
    implemented = changes(scope).filter(_in("actual_end", scope))
    unsuccessful = Q(outcome__in=(Change.Outcome.FAILED, Change.Outcome.BACKED_OUT))
    figures = implemented.aggregate(
        implemented=Count("id"),
        successful=Count("id", filter=Q(outcome=Change.Outcome.SUCCESSFUL)),
        failed=Count("id", filter=unsuccessful),
        emergency=Count("id", filter=Q(category="emergency")),
    )
    notable = implemented.filter(unsuccessful | Q(category="emergency")).order_by("actual_end")
    return {
        "major_incidents": len(rows),
        "major_rows": rows,
        "major_hours_total": round(sum(r["duration_hours"] or 0 for r in rows), 1),
        "changes_implemented": figures["implemented"],
        "changes_successful": figures["successful"],
        "changes_failed": figures["failed"],
        "changes_emergency": figures["emergency"],
        "change_success_pct": pct(figures["successful"], figures["implemented"]),
        "change_rows": [
            {
                "reference": c.reference,
                "title": c.title,
                "category": c.get_category_display(),
                "outcome": c.get_outcome_display(),
                "ended": c.actual_end,
                "reason": c.failure_reason,
            }
            for c in notable[:50]
        ],
    }


# --- trends -------------------------------------------------------------------------------------------------


def months_ending(end: dt.date, count: int = 12) -> list[dt.date]:
    """The first days of the `count` months ending with the month before `end` (exclusive end)."""
    last = (end - dt.timedelta(days=1)).replace(day=1)
    firsts = [last]
    while len(firsts) < count:
        prev = firsts[-1] - dt.timedelta(days=1)
        firsts.append(prev.replace(day=1))
    return list(reversed(firsts))


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _month_key(value: Any) -> dt.date:
    return value.date().replace(day=1) if isinstance(value, dt.datetime) else value.replace(day=1)


def trends(scope: ReportScope) -> dict[str, Any]:
    months = months_ending(scope.end)
    first, after = _utc(months[0]), _utc(_next_month(months[-1]))
    qs = tickets(scope)
    opened: dict[tuple[dt.date, str], int] = {}
    for row in (
        qs.filter(created__gte=first, created__lt=after)
        .annotate(m=TruncMonth("created", tzinfo=dt.UTC))
        .order_by()
        .values("m", "kind")
        .annotate(n=Count("id"))
    ):
        opened[(_month_key(row["m"]), row["kind"])] = row["n"]
    majors: dict[dt.date, int] = {}
    for row in (
        qs.filter(is_major=True, created__gte=first, created__lt=after)
        .annotate(m=TruncMonth("created", tzinfo=dt.UTC))
        .order_by()
        .values("m")
        .annotate(n=Count("id"))
    ):
        majors[_month_key(row["m"])] = row["n"]
    clocks: dict[dt.date, tuple[int, int]] = {}
    for row in (
        SlaClock.objects.filter(
            incident__in=qs.values("pk"), stopped_at__gte=first, stopped_at__lt=after, met__isnull=False
        )
        .annotate(m=TruncMonth("stopped_at", tzinfo=dt.UTC))
        .order_by()
        .values("m")
        .annotate(n=Count("id"), met=Count("id", filter=Q(met=True)))
    ):
        clocks[_month_key(row["m"])] = (row["n"], row["met"])
    rows = []
    for month in months:
        n, met = clocks.get(month, (0, 0))
        rows.append(
            {
                "month": month.strftime("%Y-%m"),
                "incidents_opened": opened.get((month, Incident.Kind.INCIDENT), 0),
                "requests_opened": opened.get((month, Incident.Kind.REQUEST), 0),
                "major_incidents": majors.get(month, 0),
                "sla_clocks": n,
                "sla_met": met,
                "sla_compliance_pct": pct(met, n),
            }
        )
    labels = [m.strftime("%b") for m in months]
    return {
        "rows": rows,
        "workload_svg": charts.columns(
            [
                (label, r["incidents_opened"] + r["requests_opened"])
                for label, r in zip(labels, rows, strict=True)
            ],
            title=_("Incidents and requests opened per month"),
        ),
        "compliance_svg": charts.line(
            [
                charts.Point(
                    label,
                    r["sla_compliance_pct"],
                    colour=charts.share_colour(
                        None if r["sla_compliance_pct"] is None else r["sla_compliance_pct"] / 100
                    ),
                )
                for label, r in zip(labels, rows, strict=True)
            ],
            title=_("Service targets met per month (%)"),
            unit=" %",
            ceiling=100,
        ),
    }


# --- satisfaction and complaints ----------------------------------------------------------------------------


def satisfaction(scope: ReportScope) -> dict[str, Any]:
    responses = _with_service(SurveyResponse.objects.all(), scope).filter(_in("created", scope))
    answered = responses.aggregate(n=Count("id"), mean=Avg("score"))
    mean = answered["mean"]
    complaints = _with_service(Complaint.objects.all(), scope)
    end = _utc(scope.end)
    received = complaints.filter(_in("created", scope)).order_by("created")
    return {
        "responses": answered["n"],
        "mean_score": float(Decimal(str(mean)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        if mean is not None
        else None,
        "complaints_received": received.count(),
        "complaints_resolved": complaints.filter(_in("resolved_at", scope)).count(),
        "complaints_open_at_end": complaints.filter(created__lt=end)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=end))
        .count(),
        "complaint_rows": [
            {
                "reference": c.reference,
                "title": c.title,
                "status": c.get_status_display(),
                "received": c.created.date(),
                "findings": c.findings,
                "actions": c.actions_taken,
            }
            for c in received[:50]
        ],
    }


SECTIONS = (
    (
        "service_targets",
        _lazy("Performance against service targets"),
        service_targets,
        ("service_targets",),
        10,
    ),
    ("nonconformities", _lazy("Relevant nonconformities"), nonconformities, ("nonconformities",), 20),
    ("workload", _lazy("Workload"), workload, ("workload",), 30),
    (
        "major_events",
        _lazy("Major incidents and changes"),
        major_events,
        ("after_major_events",),
        35,
    ),
    ("satisfaction", _lazy("Customer satisfaction and complaints"), satisfaction, ("satisfaction",), 70),
    ("trends", _lazy("Trends over twelve months"), trends, ("trends",), 90),
)


def register() -> None:
    for key, title, build, items, order in SECTIONS:
        register_report_section(
            key, title, build, items=items, template=f"reporting/sections/{key}.html", order=order
        )
