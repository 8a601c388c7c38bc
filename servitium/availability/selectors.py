"""Reads of availability and continuity: measured availability per service and month on the service's
calendar against its agreed target (with unplanned and planned downtime, MTBF and MTRS), and the state of
continuity plans (reviews and tests due). Every read that reaches a user goes through `restrict()`.

How availability is measured, per service and calendar month (months run in the calendar's time zone):

- service time: the opening time of the service's calendar in the month (the availability requirement's
  calendar; else the calendar of the agreement that holds the strictest availability target; else around
  the clock). Downtime outside service hours does not count;
- unplanned downtime: the service time covered by the union of its unplanned outages; planned downtime:
  the service time covered by planned outages and not already unplanned;
- planned downtime up to the monthly maintenance allowance is taken out of the agreed service time; planned
  downtime beyond the allowance counts as downtime;
- availability = (agreed service time - counted downtime) / agreed service time, in percent;
- MTRS = unplanned downtime / unplanned outages; MTBF = (agreed service time - unplanned downtime) /
  unplanned outages (both in service time, for the outages that touched service hours in the month).

The figures come from four queries whatever the number of services and months (services, requirements,
targets, outages); incidents are never read here (outages_sync turns major incidents into outages).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from servitium.catalog.models import Service
from servitium.core import permissions
from servitium.core.businesstime import ALWAYS_OPEN, CalendarSpec, open_intervals

from .models import AvailabilityRequirement, ContinuityPlan, ContinuityRequirement, Outage, PlanStatus

Interval = tuple[dt.datetime, dt.datetime]
PCT = Decimal("0.001")


@dataclass(frozen=True)
class MonthFigures:
    service_id: int
    service: str
    month: dt.date  # first day of the month
    calendar: str
    service_seconds: float  # opening time of the calendar in the month
    unplanned_seconds: float
    planned_seconds: float
    allowance_seconds: float  # planned maintenance allowed (taken out of the agreed service time)
    availability: Decimal | None  # percent; None when the calendar has no opening time that month
    target: Decimal | None
    failures: int  # unplanned outages touching service hours
    mtrs_seconds: float | None
    mtbf_seconds: float | None

    @property
    def met(self) -> bool | None:
        if self.availability is None or self.target is None:
            return None
        return self.availability >= self.target

    @property
    def downtime_seconds(self) -> float:
        return self.unplanned_seconds + self.planned_seconds

    @property
    def unplanned_minutes(self) -> int:
        return round(self.unplanned_seconds / 60)

    @property
    def planned_minutes(self) -> int:
        return round(self.planned_seconds / 60)

    @property
    def mtrs_minutes(self) -> int | None:
        return None if self.mtrs_seconds is None else round(self.mtrs_seconds / 60)

    @property
    def mtbf_hours(self) -> float | None:
        return None if self.mtbf_seconds is None else round(self.mtbf_seconds / 3600, 1)


@dataclass(frozen=True)
class Basis:
    """What a service's availability is measured on and against."""

    calendar: str
    spec: CalendarSpec
    target: Decimal | None
    allowance_seconds: float


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the months from the month of `start` up to (not including) `end`'s month start,
    at least one."""
    first = start.replace(day=1)
    months = [first]
    while True:
        y, m = months[-1].year, months[-1].month
        following = dt.date(y + (m == 12), m % 12 + 1, 1)
        if following >= end:
            break
        months.append(following)
    return months


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _bounds(month: dt.date, zone: str) -> Interval:
    tz = ZoneInfo(zone)
    lo = dt.datetime(month.year, month.month, 1, tzinfo=tz).astimezone(dt.UTC)
    nxt = _next_month(month)
    hi = dt.datetime(nxt.year, nxt.month, 1, tzinfo=tz).astimezone(dt.UTC)
    return lo, hi


def _union(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _overlap(a: list[Interval], b: list[Interval]) -> float:
    """Seconds two sorted, merged interval lists share."""
    total, i, j = 0.0, 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            total += (hi - lo).total_seconds()
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def _length(intervals: list[Interval]) -> float:
    return sum((b - a).total_seconds() for a, b in intervals)


def bases(service_ids: list[int]) -> dict[int, Basis]:
    """Calendar, target and allowance of each service, in two queries. The target is the strictest
    availability target of the service's agreed agreements (the SLA is the one place targets live)."""
    from servitium.agreements.models import ServiceLevelAgreement, ServiceTarget

    requirements = {
        r.service_id: r
        for r in AvailabilityRequirement.objects.filter(service_id__in=service_ids).select_related("calendar")
    }
    strictest: dict[int, Any] = {}
    targets = ServiceTarget.objects.filter(
        metric="availability",
        agreement__status=ServiceLevelAgreement.Status.AGREED,
        agreement__service_id__in=service_ids,
    ).select_related("agreement__calendar")
    for target in targets:
        sid = target.agreement.service_id
        if sid not in strictest or target.target_value > strictest[sid].target_value:
            strictest[sid] = target
    specs: dict[int, CalendarSpec] = {}
    found = {}
    for sid in service_ids:
        requirement, target = requirements.get(sid), strictest.get(sid)
        calendar = (requirement.calendar if requirement else None) or (
            target.agreement.calendar if target else None
        )
        if calendar is None:
            name, spec = "24x7", ALWAYS_OPEN
        else:
            name = calendar.name
            spec = specs.setdefault(calendar.pk, calendar.spec())
        found[sid] = Basis(
            calendar=name,
            spec=spec,
            target=target.target_value if target else None,
            allowance_seconds=(requirement.maintenance_allowance_minutes * 60.0) if requirement else 0.0,
        )
    return found


def measure(
    service_ids: list[int],
    start: dt.date,
    end: dt.date,
    *,
    now: dt.datetime | None = None,
    basis_override: dict[int, Basis] | None = None,
) -> list[MonthFigures]:
    """Availability of each service in each month from `start`'s month to the month before `end`
    (a month not over yet is measured up to `now`)."""
    now = now or timezone.now()
    services = dict(Service.objects.filter(pk__in=service_ids).values_list("pk", "name"))
    ids = sorted(services)
    basis = {**bases(ids), **(basis_override or {})}
    months = month_starts(start, end)
    lo_all = _bounds(months[0], "Pacific/Kiritimati")[0]
    hi_all = _bounds(months[-1], "Pacific/Pago_Pago")[1]
    outages: dict[int, list[tuple[str, dt.datetime, dt.datetime]]] = defaultdict(list)
    rows = (
        Outage.objects.filter(service_id__in=ids, start__lt=hi_all)
        .filter(Q(end__isnull=True) | Q(end__gt=lo_all))
        .values_list("service_id", "kind", "start", "end")
    )
    for sid, kind, a, b in rows:
        outages[sid].append((kind, a, b or max(now, a)))
    figures = []
    for sid in ids:
        base = basis[sid]
        for month in months:
            lo, hi = _bounds(month, base.spec.time_zone)
            hi = min(hi, max(now, lo))
            figures.append(_month(sid, services[sid], month, base, lo, hi, outages.get(sid, [])))
    return figures


def _month(sid, name, month, base: Basis, lo, hi, outages) -> MonthFigures:
    opening = list(open_intervals(base.spec, lo, hi)) if hi > lo else []
    service_seconds = _length(opening)
    unplanned_each, planned = [], []
    for kind, a, b in outages:
        a, b = max(a, lo), min(b, hi)
        if b <= a:
            continue
        (unplanned_each if kind == Outage.Kind.UNPLANNED else planned).append((a, b))
    unplanned = _union(unplanned_each)
    unplanned_s = _overlap(opening, unplanned)
    planned_u = _union(planned)
    planned_s = max(0.0, _overlap(opening, planned_u) - _overlap(_intersect(opening, planned_u), unplanned))
    failures = sum(1 for iv in unplanned_each if _overlap(opening, [iv]) > 0)
    allowance = min(base.allowance_seconds, planned_s)
    agreed = service_seconds - allowance
    counted = unplanned_s + planned_s - allowance
    availability = None
    if agreed > 0:
        availability = (Decimal(str(agreed - counted)) * 100 / Decimal(str(agreed))).quantize(
            PCT, rounding=ROUND_HALF_UP
        )
    return MonthFigures(
        service_id=sid,
        service=name,
        month=month,
        calendar=base.calendar,
        service_seconds=service_seconds,
        unplanned_seconds=unplanned_s,
        planned_seconds=planned_s,
        allowance_seconds=allowance,
        availability=availability,
        target=base.target,
        failures=failures,
        mtrs_seconds=unplanned_s / failures if failures else None,
        mtbf_seconds=(agreed - unplanned_s) / failures if failures else None,
    )


def _intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def visible_services(user: Any) -> QuerySet:
    """The services whose availability the user may see (availability staff see every service)."""
    return permissions.restrict(Service.objects.all(), user)


def year_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months up to and including the current one."""
    today = today or timezone.localdate()
    end = _next_month(today)
    start = dt.date(end.year - 1, end.month, 1)
    return start, end


def summary(figures: list[MonthFigures]) -> dict[str, Any]:
    """Figures of one service over several months taken together."""
    service = sum(f.service_seconds - f.allowance_seconds for f in figures)
    unplanned = sum(f.unplanned_seconds for f in figures)
    planned = sum(f.planned_seconds - f.allowance_seconds for f in figures)
    failures = sum(f.failures for f in figures)
    availability = None
    if service > 0:
        availability = (Decimal(str(service - unplanned - planned)) * 100 / Decimal(str(service))).quantize(
            PCT
        )
    return {
        "availability": availability,
        "missed": sum(1 for f in figures if f.met is False),
        "failures": failures,
        "unplanned_minutes": round(unplanned / 60),
        "mtrs_minutes": round(unplanned / failures / 60) if failures else None,
    }


# --- continuity ------------------------------------------------------------------------------------------


def plans_due(today: dt.date | None = None) -> dict[str, list[ContinuityPlan]]:
    """Approved plans due for a test (past their test interval), due for a review (asked for, or past
    their review interval)."""
    today = today or timezone.localdate()
    plans = list(ContinuityPlan.objects.filter(status=PlanStatus.APPROVED).prefetch_related("services"))
    return {
        "test": [p for p in plans if p.next_test_due and p.next_test_due < today],
        "review": [
            p for p in plans if p.review_requested or (p.next_review_due and p.next_review_due < today)
        ],
    }


def uncovered_requirements() -> QuerySet:
    """Continuity requirements of services no approved plan covers."""
    covered = ContinuityPlan.objects.filter(status=PlanStatus.APPROVED).values("services")
    return ContinuityRequirement.objects.exclude(service_id__in=covered).select_related("service")
