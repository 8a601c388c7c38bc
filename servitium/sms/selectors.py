"""Reads of the management system: the RACI matrix, an objective's trend chart, the home tile and the
review inputs. Everything a user sees passes the one permission path."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from servitium.core import permissions

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
CHART_STEP = 36  # horizontal room per month
CHART_HEIGHT = 100


def trend_chart(objective: Objective, months: int = 12) -> dict[str, Any] | None:
    """The geometry of an objective's trend as an SVG line chart: one point per month, a y axis scaled
    to the values and the target, and the target as a dashed line. None without measurements."""
    rows = list(objective.measurements.order_by("-period_start")[:months])[::-1]
    values = [r.value for r in rows if r.value is not None]
    if not rows:
        return None
    target = objective.target_value
    lo = min([*values, target])
    hi = max([*values, target])
    pad = (hi - lo) * Decimal("0.15") or max(abs(hi) * Decimal("0.1"), Decimal(1))
    top = max([*values, target])
    lo, hi = lo - pad, hi + pad
    if objective.unit == "%" and top <= 100 < hi:
        hi = Decimal(100)  # a share never exceeds 100 %
    if lo < 0 <= min([*values, target]):
        lo = Decimal(0)

    def y(value: Decimal) -> float:
        return round(float(CHART_HEIGHT - (value - lo) / (hi - lo) * CHART_HEIGHT), 1)

    points = []
    for i, row in enumerate(rows):
        x = i * CHART_STEP + CHART_STEP // 2
        points.append(
            {
                "x": x,
                "y": y(row.value) if row.value is not None else None,
                "month": row.period_start,
                "value": row.value,
                "tracking": row.tracking,
                "label": row.get_tracking_display(),
            }
        )
    width = len(rows) * CHART_STEP
    ticks = [{"y": y(v), "value": _short(v)} for v in (hi, (hi + lo) / 2, lo)]
    line = " ".join(f"{p['x']},{p['y']}" for p in points if p["y"] is not None)
    return {
        "points": points,
        "line": line,
        "width": width,
        "height": CHART_HEIGHT,
        "target_y": y(target),
        "target": _short(target),
        "ticks": ticks,
        "unit": objective.unit,
    }


def _short(value: Decimal) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"


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
