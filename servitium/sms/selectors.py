"""Reads of the management system: the RACI matrix, an objective's trend chart, the home tile and the
review inputs. Everything a user sees passes the one permission path."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from servitium.core import charts, permissions

from .models import (
    ContextIssue,
    Objective,
    ObjectiveMeasurement,
    PartyRequirement,
    PlanSection,
    ProcessRole,
    ScopeStatement,
    SmsPlan,
    SmsSettings,
    Stakeholder,
)
from .models.context import REVIEW_DAYS
from .models.leadership import PROCESSES
from .models.objectives import Tracking

PROCESS_LABELS = dict(PROCESSES)


def visible(model, user, action: str = permissions.VIEW):
    return permissions.restrict(model._default_manager.all(), user, action)


# --- RACI --------------------------------------------------------------------------------------------
@dataclass
class RaciRow:
    process: str
    label: Any
    activity: str
    cells: dict[str, list[Any]] = field(default_factory=lambda: {"R": [], "A": [], "C": [], "I": []})

    @property
    def accountable_count(self) -> int:
        return len(self.cells["A"])


def raci_matrix(user, process: str | None = None) -> list[RaciRow]:
    """One row per process activity with the holders of R, A, C and I, in the fixed process order."""
    roles = visible(ProcessRole, user).select_related("person", "team")
    if process:
        roles = roles.filter(process=process)
    rows: OrderedDict[tuple[str, str], RaciRow] = OrderedDict()
    order = {key: i for i, (key, _label) in enumerate(PROCESSES)}
    for role in sorted(roles, key=lambda r: (order.get(r.process, 999), r.activity, r.raci, r.pk)):
        key = (role.process, role.activity)
        if key not in rows:
            rows[key] = RaciRow(role.process, PROCESS_LABELS.get(role.process, role.process), role.activity)
        rows[key].cells[role.raci].append(role)
    return list(rows.values())


def activities_without_accountable(queryset=None) -> list[tuple[str, str]]:
    """(process, activity) pairs that have RACI entries but nobody accountable."""
    roles = queryset if queryset is not None else ProcessRole.objects.all()
    stats = (
        roles.values("process", "activity")
        .annotate(a=Count("pk", filter=Q(raci="A")))
        .order_by("process", "activity")
    )
    return [(row["process"], row["activity"]) for row in stats if row["a"] == 0]


# --- objectives --------------------------------------------------------------------------------------
TRACKING_COLOURS = {"on_track": charts.GOOD, "at_risk": charts.WARN, "off_track": charts.BAD}


def trend_chart(objective: Objective, months: int = 12) -> SafeString | None:
    """An objective's last `months` measurements as an SVG line against its dashed target; dots coloured
    by tracking (green on track, orange at risk, red off track). None without measurements."""
    rows = list(objective.measurements.order_by("-period_start")[:months])[::-1]
    if not rows:
        return None
    unit = f" {objective.unit}" if objective.unit and objective.unit != "%" else objective.unit or ""
    points = [
        charts.Point(
            label=date_format(row.period_start, "m/y"),
            value=float(row.value) if row.value is not None else None,
            colour=TRACKING_COLOURS.get(row.tracking, charts.GREY),
            note=f"{date_format(row.period_start, 'M Y')}: "
            + (f"{row.value.normalize()}{unit}" if row.value is not None else "—")
            + f" ({row.get_tracking_display()})",
        )
        for row in rows
    ]
    target = float(objective.target_value)
    return charts.line(
        points,
        target=target,
        target_label=_("target %(value)s%(unit)s")
        % {"value": objective.target_value.normalize(), "unit": unit},
        title=_("Trend of the objective against its target"),
        unit=unit,
        ceiling=100.0 if objective.unit == "%" else None,
    )


def objectives_with_latest(user) -> list[Objective]:
    return list(
        visible(Objective, user)
        .filter(status=Objective.Status.ACTIVE)
        .select_related("owner")
        .order_by("reference")
    )


# --- home tile ----------------------------------------------------------------------------------------
def home_tile(user) -> dict[str, Any] | None:
    """What the SMS home shows of this app: the figures that matter and what needs attention."""
    if not permissions.has_permission(user, permissions.VIEW, Objective):
        return None
    today = timezone.localdate()
    stale = today - dt.timedelta(days=REVIEW_DAYS)
    issues = visible(ContextIssue, user).filter(status=ContextIssue.Status.OPEN)
    objectives = visible(Objective, user).filter(status=Objective.Status.ACTIVE)
    tracking = dict(objectives.values_list("tracking").annotate(n=Count("pk")).order_by())
    plan = visible(SmsPlan, user).first()
    sections = visible(PlanSection, user)
    current_scope = visible(ScopeStatement, user).filter(status=ScopeStatement.Status.CURRENT).first()
    settings = visible(SmsSettings, user).select_related("management_representative").first()
    attention = []
    stale_count = issues.filter(last_reviewed__lt=stale).count()
    if stale_count:
        attention.append(("issues_stale", stale_count))
    off = tracking.get(Tracking.OFF_TRACK, 0)
    if off:
        attention.append(("objectives_off_track", off))
    missing = sections.exclude(status=PlanSection.Status.COMPLETE).count()
    if missing:
        attention.append(("plan_sections_open", missing))
    no_a = len(activities_without_accountable(visible(ProcessRole, user)))
    if no_a:
        attention.append(("raci_without_accountable", no_a))
    if plan is not None and plan.review_overdue:
        attention.append(("plan_review_overdue", 1))
    return {
        "issues": issues.count(),
        "parties": visible(Stakeholder, user).filter(active=True).count(),
        "objectives": sum(tracking.values()),
        "on_track": tracking.get(Tracking.ON_TRACK, 0),
        "at_risk": tracking.get(Tracking.AT_RISK, 0),
        "off_track": off,
        "plan": plan,
        "sections_complete": sections.filter(status=PlanSection.Status.COMPLETE).count(),
        "sections": sections.count(),
        "scope": current_scope,
        "representative": settings.management_representative if settings else None,
        "attention": dict(attention),
    }


# --- review inputs -----------------------------------------------------------------------------------
def review_policy_objectives(start: dt.date, end: dt.date, user) -> dict[str, Any] | None:
    """Each active objective with its target, newest measurement in the period and progress."""
    objectives = list(visible(Objective, user).exclude(status=Objective.Status.DRAFT).select_related("owner"))
    if not objectives:
        return None
    latest: dict[int, ObjectiveMeasurement] = {}
    for m in (
        visible(ObjectiveMeasurement, user)
        .filter(objective__in=objectives, period_start__gte=start, period_start__lt=end)
        .order_by("objective_id", "period_start")
    ):
        latest[m.objective_id] = m
    rows = [{"objective": o, "measurement": latest.get(o.pk)} for o in objectives]
    counts = {t: sum(1 for o in objectives if o.tracking == t) for t, _label in Tracking.choices}
    return {"rows": rows, "counts": counts, "start": start, "end": end}


def review_context_changes(start: dt.date, end: dt.date, user) -> dict[str, Any] | None:
    """Context issues and party requirements added or changed in the period."""
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=timezone.get_current_timezone())
    hi = dt.datetime.combine(end, dt.time.min, tzinfo=timezone.get_current_timezone())
    issues = list(visible(ContextIssue, user).filter(updated__gte=lo, updated__lt=hi).select_related("owner"))
    requirements = list(
        visible(PartyRequirement, user).filter(updated__gte=lo, updated__lt=hi).select_related("party")
    )
    stale = visible(ContextIssue, user).filter(
        status=ContextIssue.Status.OPEN, last_reviewed__lt=end - dt.timedelta(days=REVIEW_DAYS)
    )
    return {
        "issues": issues,
        "new_issues": [i for i in issues if lo <= i.created < hi],
        "requirements": requirements,
        "stale": list(stale),
        "start": start,
        "end": end,
    }
