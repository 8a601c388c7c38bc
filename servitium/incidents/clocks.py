"""SLA clocks: start, pause, resume, stop, reopen and re-target, on the agreement's service-hours calendar.

All arithmetic is done by `core.businesstime` over whole intervals. Every change recomputes the due instant
and the warning instant and schedules one delayed check at each (Huey `eta`): nothing polls every minute.
A check that finds the clock's `version` changed since it was scheduled does nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from servitium.agreements.models import ServiceLevelAgreement, ServiceTarget
from servitium.core import sqlwrite
from servitium.core.businesstime import (
    ALWAYS_OPEN,
    CalendarHasNoHours,
    add_business_seconds,
    business_seconds_between,
)
from servitium.core.models import ServiceHoursCalendar
from servitium.core.vocabulary import Metric

from .models import Incident, SlaClock

CLOCK_METRICS = (Metric.RESPONSE_TIME, Metric.RESOLUTION_TIME)


def warning_fraction() -> float:
    return float(getattr(settings, "SLA_WARNING_THRESHOLD", 0.75))


_SPECS: dict[tuple[int, Any], Any] = {}


def calendar_spec(calendar) -> Any:
    """The calendar's arithmetic spec, built once per stored version of the calendar in this process."""
    key = (calendar.pk, calendar.updated)
    spec = _SPECS.get(key)
    if spec is None:
        if len(_SPECS) > 1000:
            _SPECS.clear()
        spec = _SPECS[key] = calendar.spec()
    return spec


def _spec(clock: SlaClock):
    if not clock.calendar_id:
        return ALWAYS_OPEN
    known = clock.__dict__.get("_calendar_spec")
    if known is not None:
        return known
    if "calendar_updated" in clock.__dict__:  # read with the clock (see `with_calendar_version`)
        return _spec_of(clock.calendar_id, clock.calendar_updated)
    return calendar_spec(clock.calendar)


def with_calendar_version(clocks: models.QuerySet) -> models.QuerySet:
    """Clocks read with their calendar's version, which is all their arithmetic needs of it (the spec is
    kept per calendar version in each process): one join instead of reading every calendar whole."""
    return clocks.annotate(calendar_updated=models.F("calendar__updated"))


# What a page of tickets reads of each clock: the columns its state needs, with its calendar's version.
PAGE_CLOCK_COLUMNS = (
    "incident_id",
    "metric",
    "target_s",
    "due_at",
    "elapsed_before_s",
    "segment_start",
    "stopped_at",
    "paused",
    "met",
    "calendar_id",
    "calendar_updated",
)


def clock_states_by_ticket(incident_ids: list[int], now: dt.datetime) -> dict[int, list[dict[str, Any]]]:
    """Every clock of the given tickets in its API shape (`clock_state`) as of `now`, per ticket in the
    order `SlaClock.Meta` gives: straight from the rows, each calendar's arithmetic looked up once per
    page. A page of 50 tickets has 100 clocks; building an object for each and reaching its state
    through three calls cost a fifth of the page."""
    found: dict[int, list[dict[str, Any]]] = {pk: [] for pk in incident_ids}
    specs: dict[tuple, Any] = {}
    for (
        ticket,
        metric,
        target_s,
        due_at,
        before,
        start,
        stopped,
        paused,
        met,
        calendar,
        updated,
    ) in _page_clock_rows(incident_ids):
        total = before
        if start is not None:
            key = (calendar, updated)
            spec = specs.get(key)
            if spec is None:
                spec = specs[key] = _spec_of(calendar, updated)
            total += business_seconds_between(spec, start, stopped or now)
        found[ticket].append(_state(metric, target_s, due_at, total, paused, met))
    return found


def _page_clock_rows(incident_ids: list[int]) -> Any:
    if not incident_ids:
        return ()
    if connection.vendor == "postgresql":
        # One statement text whatever the page (the ids travel as one array), prepared per connection:
        # the ORM would compile it again for every page. PostgreSQL hands back the ORM's own values.
        return sqlwrite.run(_PAGE_CLOCKS_SQL, [list(incident_ids)])
    return (
        with_calendar_version(SlaClock.objects.filter(incident_id__in=incident_ids))
        .order_by("incident_id", "metric", "id")
        .values_list(*PAGE_CLOCK_COLUMNS)
    )


_PAGE_CLOCKS_SQL = (
    "SELECT c.incident_id, c.metric, c.target_s, c.due_at, c.elapsed_before_s, c.segment_start,"  # noqa: S608
    " c.stopped_at, c.paused, c.met, c.calendar_id, k.updated"
    f" FROM {SlaClock._meta.db_table} c"
    f" LEFT JOIN {ServiceHoursCalendar._meta.db_table} k ON k.id = c.calendar_id"
    " WHERE c.incident_id = ANY(%s) ORDER BY c.incident_id, c.metric, c.id"
)


def elapsed(clock: SlaClock, now: dt.datetime | None = None) -> float:
    """Business seconds counted so far (finished segments plus the running one)."""
    total = clock.elapsed_before_s
    if clock.segment_start is not None:
        end = clock.stopped_at or now or timezone.now()
        total += business_seconds_between(_spec(clock), clock.segment_start, end)
    return total


def _close_segment(clock: SlaClock, now: dt.datetime) -> None:
    if clock.segment_start is not None:
        clock.elapsed_before_s += business_seconds_between(_spec(clock), clock.segment_start, now)
        clock.segment_start = None


def _compute(clock: SlaClock) -> None:
    """Due and warning instants for a running clock; none while paused or stopped."""
    if clock.segment_start is None or clock.stopped_at is not None:
        clock.due_at = clock.warn_at = None
        return
    spec = _spec(clock)
    remaining = max(0.0, clock.target_s - clock.elapsed_before_s)
    warn_remaining = clock.target_s * warning_fraction() - clock.elapsed_before_s
    try:
        clock.due_at = add_business_seconds(spec, clock.segment_start, remaining)
        clock.warn_at = (
            add_business_seconds(spec, clock.segment_start, warn_remaining) if warn_remaining > 0 else None
        )
    except CalendarHasNoHours:
        clock.due_at = clock.warn_at = None


def _recompute(clock: SlaClock) -> None:
    """After any change: a new version (so earlier scheduled checks become stale), new instants, and one
    delayed check at the next of them."""
    clock.version += 1
    _compute(clock)
    schedule_next_check(clock)


def next_instant(clock: SlaClock) -> dt.datetime | None:
    if clock.warn_at is not None and not clock.warned:
        return clock.warn_at
    return clock.due_at if not clock.breached_notified else None


# The delayed job that checks a clock at its next instant. incidents.jobs defines it and registers it here
# on import (the job module uses this one, so this one must not import it).
CHECK_JOB: list[Any] = []


def schedule_next_check(*clocks: SlaClock) -> None:
    """One delayed job per clock at its next instant (the warning, then the due time), after commit; the
    jobs of several clocks reach the queue together."""
    from servitium.core.jobs import schedule_many

    (sla_clock_check,) = CHECK_JOB
    entries = [
        (sla_clock_check, (clock.pk, clock.version), eta)
        for clock in clocks
        if clock.pk is not None and (eta := next_instant(clock)) is not None
    ]
    if entries:
        # Robust: once the ticket is stored, a queue outage must not turn its creation into an error (a
        # client would retry and record it twice); the failure is logged.
        transaction.on_commit(lambda: schedule_many(entries), robust=True)


def _save(clock: SlaClock) -> None:
    clock.full_clean()
    clock.save()


def agreement_for(incident: Incident) -> ServiceLevelAgreement | None:
    if incident.service_id is None:
        return None
    return (
        ServiceLevelAgreement.objects.filter(
            customer_id=incident.customer_id,
            service_id=incident.service_id,
            status=ServiceLevelAgreement.Status.AGREED,
        )
        .select_related("calendar")
        .prefetch_related(
            Prefetch("targets", queryset=ServiceTarget.objects.filter(metric__in=CLOCK_METRICS))
        )
        .first()
    )


def _target_for(agreement: ServiceLevelAgreement, metric: str, priority: int):
    """The agreement's target for this measure and priority, else its target for all priorities. The
    targets are read once per agreement object (prefetched in `agreement_for`)."""
    general = None
    for target in agreement.targets.all():
        if target.metric != metric:
            continue
        if target.priority == priority:
            return target
        if target.priority is None:
            general = target
    return general


def _resolve_target(incident: Incident, agreement, metric: str):
    """(agreement target or None, seconds, calendar) for one measure; the agreement's target for this
    priority comes first, then the request item's own target (measured on the agreement's calendar if
    there is one, else round the clock). None when nothing sets a target."""
    target = _target_for(agreement, metric, incident.priority) if agreement else None
    calendar = agreement.calendar if agreement else None
    if target is not None:
        return target, int(target.target_value), calendar
    item = incident.request_item if incident.request_item_id else None
    seconds = None
    if item is not None:
        seconds = item.response_target_s if metric == Metric.RESPONSE_TIME else item.resolution_target_s
    return (None, int(seconds), calendar) if seconds else None


def _clock_plan(incident: Incident) -> list[tuple[str, int | None, int, int | None, Any]]:
    """(metric, target id, seconds, calendar id, calendar spec) per clock to start. The hot path: one light
    query for the agreement's targets of this customer and service (no model instances, no JSON), the
    calendar's spec from the per-process cache."""
    if incident.service_id is None:
        return []
    rows = _target_rows(incident.customer_id, incident.service_id)
    if rows:
        agreement_id = rows[0][4]
        plan = []
        for metric in CLOCK_METRICS:
            own = [r for r in rows if r[4] == agreement_id and r[1] == metric]
            row = next((r for r in own if r[2] == incident.priority), None) or next(
                (r for r in own if r[2] is None), None
            )
            if row is not None:
                plan.append((metric, row[0], int(row[3]), row[5], _spec_of(row[5], row[6])))
        if plan or not incident.request_item_id:
            return plan
    if not incident.request_item_id:
        return []
    agreement = agreement_for(incident)
    plan = []
    for metric in CLOCK_METRICS:
        resolved = _resolve_target(incident, agreement, metric)
        if resolved is not None:
            target, seconds, calendar = resolved
            spec = calendar_spec(calendar) if calendar else ALWAYS_OPEN
            plan.append(
                (metric, target.pk if target else None, seconds, calendar.pk if calendar else None, spec)
            )
    return plan


def _target_rows(customer_id: int, service_id: int) -> list[tuple]:
    """The clock targets of the customer's agreed SLA for the service, with the calendar's version stamp.
    Written as SQL because this runs for every new ticket and the ORM's compilation of this three-table
    query costs more than the database takes to answer it."""
    target, agreement = ServiceTarget._meta.db_table, ServiceLevelAgreement._meta.db_table
    calendar = ServiceHoursCalendar._meta.db_table
    sql = (
        f"SELECT t.id, t.metric, t.priority, t.target_value, a.id, a.calendar_id, c.updated "  # noqa: S608
        f"FROM {target} t JOIN {agreement} a ON a.id = t.agreement_id "
        f"LEFT JOIN {calendar} c ON c.id = a.calendar_id "
        "WHERE a.customer_id = %s AND a.service_id = %s AND a.status = %s AND t.metric IN (%s, %s) "
        "ORDER BY a.id, t.metric, t.priority"
    )
    params = [customer_id, service_id, ServiceLevelAgreement.Status.AGREED, *CLOCK_METRICS]
    return sqlwrite.run(sql, params)


def _spec_of(calendar_id: int | None, updated) -> Any:
    if calendar_id is None:
        return ALWAYS_OPEN
    if isinstance(updated, str):  # SQLite hands raw timestamps back as text (UTC)
        updated = parse_datetime(updated).replace(tzinfo=dt.UTC)
    spec = _SPECS.get((calendar_id, updated))
    if spec is None:
        spec = calendar_spec(ServiceHoursCalendar.objects.get(pk=calendar_id))
    return spec


def clocks_start(incident: Incident, now: dt.datetime) -> list[SlaClock]:
    """Start the response and resolution clocks the customer's agreement (or the request item) sets.
    On the create hot path: two light queries, and the clocks in one insert."""
    clocks = []
    for metric, target_id, seconds, calendar_id, spec in _clock_plan(incident):
        clock = SlaClock(
            incident=incident,
            metric=metric,
            target_id=target_id,
            calendar_id=calendar_id,
            target_s=seconds,
            started_at=now,
            segment_start=now,
            version=1,
        )
        clock._calendar_spec = spec
        _compute(clock)
        clocks.append(clock)
    if clocks:
        sqlwrite.insert(*clocks)  # one INSERT for all of them
        schedule_next_check(*clocks)
    return clocks


def _running(incident: Incident, metric: str | None = None):
    qs = incident.sla_clocks.filter(stopped_at__isnull=True).select_related("calendar")
    return qs.filter(metric=metric) if metric else qs


def clocks_stop(incident: Incident, metric: str, now: dt.datetime) -> None:
    """Stop a clock (response at first response, resolution at resolve) and store whether it was met."""
    for clock in _running(incident, metric).select_for_update(of=("self",)):
        _close_segment(clock, now)
        clock.stopped_at = now
        clock.paused = False
        clock.met = clock.elapsed_before_s <= clock.target_s
        _recompute(clock)
        _save(clock)


def clocks_pause(incident: Incident, now: dt.datetime) -> None:
    for clock in _running(incident, Metric.RESOLUTION_TIME).select_for_update(of=("self",)):
        if not clock.paused:
            _close_segment(clock, now)
            clock.paused = True
            _recompute(clock)
            _save(clock)


def clocks_resume(incident: Incident, now: dt.datetime) -> None:
    for clock in _running(incident, Metric.RESOLUTION_TIME).select_for_update(of=("self",)):
        if clock.paused:
            clock.paused = False
            clock.segment_start = now
            _recompute(clock)
            _save(clock)


def clocks_reopen(incident: Incident, now: dt.datetime) -> None:
    """A reopened ticket's resolution clock runs on from where it stopped (time already taken is kept)."""
    for clock in incident.sla_clocks.filter(metric=Metric.RESOLUTION_TIME).select_for_update(of=("self",)):
        clock.stopped_at = None
        clock.met = None
        clock.paused = False
        clock.segment_start = now
        clock.warned = clock.breached_notified = False
        _recompute(clock)
        _save(clock)


def clocks_retarget(incident: Incident, now: dt.datetime) -> None:
    """After a priority or agreement change: new targets and calendar from now on, elapsed time kept."""
    agreement = agreement_for(incident)
    existing = {c.metric: c for c in incident.sla_clocks.select_for_update(of=("self",))}
    for metric in CLOCK_METRICS:
        clock = existing.get(metric)
        resolved = _resolve_target(incident, agreement, metric)
        if clock is None:
            if (
                resolved is not None
                and incident.is_open
                and not (metric == Metric.RESPONSE_TIME and incident.responded_at)
            ):
                new = SlaClock(
                    incident=incident,
                    metric=metric,
                    target=resolved[0],
                    calendar=resolved[2],
                    target_s=resolved[1],
                    started_at=now,
                    segment_start=now,
                )
                _save(new)
                _recompute(new)
                _save(new)
            continue
        if clock.stopped_at is not None or resolved is None:
            continue
        if clock.segment_start is not None:
            _close_segment(clock, now)  # bank the time counted on the old calendar
            clock.segment_start = now
        clock.target, clock.target_s, clock.calendar = resolved
        _recompute(clock)
        _save(clock)


def clocks_cancel(incident: Incident, now: dt.datetime) -> None:
    """A rejected request: its clocks stop without a result (nothing was to be delivered)."""
    for clock in _running(incident).select_for_update(of=("self",)):
        _close_segment(clock, now)
        clock.stopped_at = now
        clock.paused = False
        clock.met = None
        _recompute(clock)
        _save(clock)


def pause_statuses(incident: Incident) -> set[str]:
    agreement = agreement_for(incident)
    return set(agreement.pause_statuses or []) if agreement else set()


def clock_state(clock: SlaClock, now: dt.datetime | None = None) -> dict[str, Any]:
    """The API shape of a clock: {metric, target_s, due_at, elapsed_business_s, paused, met}."""
    return _state(clock.metric, clock.target_s, clock.due_at, elapsed(clock, now), clock.paused, clock.met)


def _state(metric: str, target_s: int, due_at, elapsed_s: float, paused: bool, met) -> dict[str, Any]:
    return {
        "metric": metric,
        "target_s": target_s,
        "due_at": due_at,
        "elapsed_business_s": int(round(elapsed_s)),
        "paused": paused,
        "met": met,
    }


def wall_duration(seconds: float) -> str:
    """A stretch of clock time as people read it: "12 min", "3 h 20 min", "5 d 15 h" — never thousands of
    minutes. (Business time, which has no days, reads through the `duration` template filter.)"""
    minutes = max(0, int(seconds // 60))
    hours, rest = divmod(minutes, 60)
    if hours == 0:
        return _("%(m)d min") % {"m": rest}
    if hours < 48:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": rest} if rest else _("%(h)d h") % {"h": hours}
    days, hours = divmod(hours, 24)
    return _("%(d)d d %(h)d h") % {"d": days, "h": hours} if hours else _("%(d)d d") % {"d": days}


def clock_reading(state: dict[str, Any], now: dt.datetime | None = None) -> dict[str, Any]:
    """How a clock reads on a page, from its API shape: a tone that means something (breached red, at
    risk amber, on track blue, met green, paused grey) and the business time left or over. A running
    clock past its target is breached at once, not "due" — it stops only when the ticket is answered;
    `breached_ago` says how long ago (clock time since its due instant)."""
    target, spent = state["target_s"], state["elapsed_business_s"]
    if state["met"] is True:
        tone, word = "met", _("met")
    elif state["met"] is False or (not state["paused"] and spent >= target):
        tone, word = "breached", _("breached")
    elif state["paused"]:
        tone, word = "paused", _("paused")
    elif spent >= warning_fraction() * target:
        tone, word = "at_risk", _("at risk")
    else:
        tone, word = "on_track", _("on track")
    due = state["due_at"]
    overdue_s = ((now or timezone.now()) - due).total_seconds() if due is not None else None
    return {
        **state,
        "tone": tone,
        "word": word,
        "over_s": max(spent - target, 0),
        "left_s": max(target - spent, 0),
        "breached_ago": wall_duration(overdue_s) if tone == "breached" and overdue_s is not None else "",
    }
