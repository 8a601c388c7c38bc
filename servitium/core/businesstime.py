"""Business-time arithmetic on service-hours calendars, in whole intervals (never minute loops).

A calendar (`CalendarSpec`) is weekly opening hours in a time zone, minus public holidays (a preset from the
`holidays` package) and custom closed dates, with per-date exceptions that replace a day's hours. SLA clocks
and availability measure time with these functions; they are pure (no Django) so they can be reasoned about
and property-tested on their own.

Days are walked one at a time in the calendar's local time: each day yields at most a handful of opening
intervals, converted to UTC instants. A local time that does not exist (in the spring-forward gap) is moved
forward by the length of the gap (02:30 becomes 03:30, as PEP 495 prescribes); an ambiguous local time (in
the fall-back hour) takes its first occurrence.
Both rules keep a day's intervals ordered and contiguous, so a 00:00-24:00 day lasts 23 h or 25 h on DST days.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

Hours = tuple[
    tuple[int, int], ...
]  # local opening intervals in minutes from midnight, 0 <= start < end <= 1440

UTC = dt.UTC
DAY = dt.timedelta(days=1)
SEARCH_HORIZON_DAYS = 3 * 366  # how far ahead to look for opening time before giving up


class CalendarHasNoHours(ValueError):
    """The calendar has no opening time within the search horizon."""


@dataclass(frozen=True)
class CalendarSpec:
    """Service hours: weekly opening hours in a time zone, minus holidays, with per-date exceptions."""

    time_zone: str = "UTC"
    weekly_hours: Mapping[int, Hours] = field(default_factory=dict)  # 0 = Monday .. 6 = Sunday
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    closed_dates: frozenset[dt.date] = frozenset()
    date_overrides: Mapping[dt.date, Hours] = field(
        default_factory=dict
    )  # wins over weekly hours and holidays

    def __hash__(self) -> int:  # mappings are not hashable; identity is enough for caching per instance
        return id(self)

    @functools.cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def hours_on(self, day: dt.date) -> Hours:
        """Opening intervals of one local date after exceptions and holidays."""
        if day in self.date_overrides:
            return _normalise(self.date_overrides[day])
        if day in self.closed_dates or _is_public_holiday(
            self.holiday_country, self.holiday_subdivision, day
        ):
            return ()
        return _normalise(self.weekly_hours.get(day.weekday(), ()))


ALWAYS_OPEN = CalendarSpec(weekly_hours=dict.fromkeys(range(7), ((0, 1440),)))


def _normalise(hours: Iterable[tuple[int, int]]) -> Hours:
    """Sort and merge overlapping or touching intervals; drop empty ones."""
    merged: list[list[int]] = []
    for start, end in sorted((int(a), int(b)) for a, b in hours):
        if not 0 <= start < end <= 1440:
            if start >= end:
                continue
            raise ValueError(f"opening interval {start}-{end} is outside a day")
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((a, b) for a, b in merged)


@functools.lru_cache(maxsize=512)
def _holiday_dates(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    import holidays

    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=[year]).keys())


def _is_public_holiday(country: str | None, subdivision: str | None, day: dt.date) -> bool:
    return bool(country) and day in _holiday_dates(country, subdivision or None, day.year)


def _require_aware(*values: dt.datetime | None) -> None:
    for value in values:
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError("business-time arithmetic needs time-zone-aware datetimes")


def _local_instant(zone: ZoneInfo, day: dt.date, minutes: int) -> dt.datetime:
    """The UTC instant of a local wall-clock time (minutes after midnight; 1440 = next midnight)."""
    if minutes >= 1440:
        day, minutes = day + DAY, minutes - 1440
    wall = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=zone)
    # fold=0 picks the first occurrence of an ambiguous time; for a time in the gap zoneinfo applies the
    # offset from before the transition, which moves it forward by the gap once converted.
    return wall.astimezone(UTC)


@functools.lru_cache(maxsize=16384)
def _day_intervals(spec: CalendarSpec, day: dt.date) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    """One local day's opening intervals as UTC instants. Kept per calendar and day: every running clock
    on a ticket list walks the same few days, and a spec never changes (a new calendar version is a new
    spec)."""
    zone = spec.zone
    intervals = []
    for start, end in spec.hours_on(day):
        a, b = _local_instant(zone, day, start), _local_instant(zone, day, end)
        if b > a:
            intervals.append((a, b))
    return tuple(intervals)


def _raw_intervals(spec: CalendarSpec, start: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Opening intervals from the local day containing `start` onwards (unclipped, unmerged, unbounded)."""
    day = (
        start.astimezone(spec.zone).date() - DAY
    )  # a day back: DST shifts can pull intervals across midnight
    empty_days = 0
    while True:
        produced = False
        for interval in _day_intervals(spec, day):
            produced = True
            yield interval
        empty_days = 0 if produced else empty_days + 1
        if empty_days > SEARCH_HORIZON_DAYS:
            raise CalendarHasNoHours(f"no opening hours within {SEARCH_HORIZON_DAYS} days")
        day += DAY


def _clipped_from(spec: CalendarSpec, start: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Opening intervals ending after `start`, the first one clipped to begin at `start`; unbounded.

    Consecutive intervals may touch (24x7 calendars touch at every midnight); they never overlap.
    """
    last_end = start
    for a, b in _raw_intervals(spec, start):
        a = max(a, last_end)
        if b <= a:
            continue
        yield a, b
        last_end = b


def open_intervals(
    spec: CalendarSpec, start: dt.datetime, end: dt.datetime
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Merged opening intervals within [start, end), as UTC instants (touching intervals are joined)."""
    _require_aware(start, end)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return
    current: tuple[dt.datetime, dt.datetime] | None = None
    try:
        for a, b in _clipped_from(spec, start):
            if a >= end:
                break
            b = min(b, end)
            if current is not None and a <= current[1]:
                current = (current[0], max(current[1], b))
            else:
                if current is not None:
                    yield current
                current = (a, b)
            if b >= end:
                break
    except CalendarHasNoHours:
        pass
    if current is not None:
        yield current


def is_open(spec: CalendarSpec, at: dt.datetime) -> bool:
    _require_aware(at)
    return next(open_intervals(spec, at, at + dt.timedelta(microseconds=1)), None) is not None


def next_open(spec: CalendarSpec, at: dt.datetime) -> dt.datetime:
    """`at` itself when open, otherwise the start of the next opening interval."""
    _require_aware(at)
    at = at.astimezone(UTC)
    return next(_clipped_from(spec, at))[0]


def _union(pauses: Iterable[tuple[dt.datetime, dt.datetime | None]], start: dt.datetime, end: dt.datetime):
    clipped = []
    for a, b in pauses:
        _require_aware(a, b)
        a = max(a.astimezone(UTC), start)
        b = end if b is None else min(b.astimezone(UTC), end)
        if b > a:
            clipped.append((a, b))
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for a, b in sorted(clipped):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def business_seconds_between(
    spec: CalendarSpec,
    start: dt.datetime,
    end: dt.datetime,
    pauses: Iterable[tuple[dt.datetime, dt.datetime | None]] = (),
) -> float:
    """Opening time in [start, end), less the opening time covered by the union of `pauses`.

    A pause may overlap others, reach outside [start, end), or be open-ended (end None = still paused).
    """
    if start.tzinfo is not UTC or end.tzinfo is not UTC:  # instants read from the database are UTC
        _require_aware(start, end)
        start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return 0.0
    if not pauses:
        return _open_seconds(spec, start, end)
    paused = _union(pauses, start, end)
    total = 0.0
    for a, b in open_intervals(spec, start, end):
        total += (b - a).total_seconds()
        for pa, pb in paused:
            overlap = (min(b, pb) - max(a, pa)).total_seconds()
            if overlap > 0:
                total -= overlap
    return total


def _open_seconds(spec: CalendarSpec, start: dt.datetime, end: dt.datetime) -> float:
    """Opening time in [start, end) (UTC, start < end): what summing `open_intervals` gives, walked day by
    day without its generators. Every running clock on a page of tickets asks this once per request."""
    zone = spec.zone
    day = start.astimezone(zone).date() - DAY  # a day back, as _raw_intervals: DST can pull hours across
    last = end.astimezone(zone).date() + DAY
    total = 0.0
    reached = start  # intervals never count twice where DST makes two days' hours overlap
    while day <= last:
        for a, b in _day_intervals(spec, day):
            if a < reached:
                a = reached
            if b > end:
                b = end
            if b > a:
                total += (b - a).total_seconds()
                reached = b
        day += DAY
    return total


def add_business_seconds(spec: CalendarSpec, start: dt.datetime, seconds: float) -> dt.datetime:
    """The earliest instant at which `seconds` of opening time have elapsed since `start`."""
    _require_aware(start)
    if seconds < 0:
        raise ValueError("cannot add a negative business duration")
    start = start.astimezone(UTC)
    if seconds == 0:
        return start
    remaining = dt.timedelta(seconds=seconds)
    for a, b in _clipped_from(spec, start):
        length = b - a
        if remaining <= length:
            return a + remaining
        remaining -= length
    raise CalendarHasNoHours("no opening hours")  # pragma: no cover - _clipped_from raises first
