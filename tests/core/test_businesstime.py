"""Business-time arithmetic: worked examples (DST, holidays, exceptions, pauses) and hypothesis properties."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servitium.core.businesstime import (
    ALWAYS_OPEN,
    CalendarHasNoHours,
    CalendarSpec,
    add_business_seconds,
    business_seconds_between,
    is_open,
    next_open,
    open_intervals,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
H = 3600
NINE_TO_FIVE = dict.fromkeys(range(5), ((9 * 60, 17 * 60),))
OFFICE_BERLIN = CalendarSpec(time_zone="Europe/Berlin", weekly_hours=NINE_TO_FIVE)
SPLIT_SHIFTS = ((8 * 60, 12 * 60), (13 * 60, 18 * 60))
SPLIT_NY = CalendarSpec(time_zone="America/New_York", weekly_hours=dict.fromkeys(range(5), SPLIT_SHIFTS))


def berlin(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=BERLIN)


# --- worked examples ------------------------------------------------------------------------------------


def test_friday_afternoon_rolls_over_the_weekend():
    assert add_business_seconds(OFFICE_BERLIN, berlin(2026, 11, 20, 16), 2 * H) == berlin(2026, 11, 23, 10)


def test_custom_holiday_is_skipped():
    spec = CalendarSpec(
        time_zone="Europe/Berlin", weekly_hours=NINE_TO_FIVE, closed_dates=frozenset({dt.date(2026, 11, 23)})
    )
    assert add_business_seconds(spec, berlin(2026, 11, 20, 16), 2 * H) == berlin(2026, 11, 24, 10)


def test_public_holiday_presets_skip_good_friday_and_easter_monday():
    spec = CalendarSpec(time_zone="Europe/Berlin", weekly_hours=NINE_TO_FIVE, holiday_country="DE")
    # Thursday 2 April 2026, 16:00 + 2 h: Good Friday (3rd) and Easter Monday (6th) are closed.
    assert add_business_seconds(spec, berlin(2026, 4, 2, 16), 2 * H) == berlin(2026, 4, 7, 10)


def test_exception_opens_a_saturday_and_closes_a_working_day():
    spec = CalendarSpec(
        time_zone="Europe/Berlin",
        weekly_hours=NINE_TO_FIVE,
        date_overrides={dt.date(2026, 11, 21): ((10 * 60, 12 * 60),), dt.date(2026, 11, 23): ()},
    )
    assert add_business_seconds(spec, berlin(2026, 11, 20, 16), 2 * H) == berlin(2026, 11, 21, 11)
    assert add_business_seconds(spec, berlin(2026, 11, 20, 16), 4 * H) == berlin(2026, 11, 24, 10)


def test_override_wins_over_public_holiday():
    christmas = dt.date(2026, 12, 25)
    spec = CalendarSpec(
        time_zone="Europe/Berlin",
        weekly_hours=NINE_TO_FIVE,
        holiday_country="DE",
        date_overrides={christmas: ((9 * 60, 11 * 60),)},
    )
    assert spec.hours_on(christmas) == ((540, 660),)
    assert spec.hours_on(dt.date(2026, 12, 26)) == ()


@pytest.mark.parametrize(
    ("zone", "spring", "autumn"),
    [
        ("Europe/Berlin", dt.date(2026, 3, 29), dt.date(2026, 10, 25)),
        ("America/New_York", dt.date(2026, 3, 8), dt.date(2026, 11, 1)),
    ],
)
def test_dst_days_last_23_and_25_hours(zone, spring, autumn):
    spec = CalendarSpec(time_zone=zone, weekly_hours=dict.fromkeys(range(7), ((0, 1440),)))
    tz = ZoneInfo(zone)

    def day_length(day: dt.date) -> float:
        start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        return business_seconds_between(spec, start, end)

    assert day_length(spring) == 23 * H
    assert day_length(autumn) == 25 * H
    assert day_length(spring - dt.timedelta(days=1)) == 24 * H


def test_office_hours_on_dst_days_stay_eight_hours():
    for day in (dt.date(2026, 3, 30), dt.date(2026, 10, 26)):
        start = dt.datetime.combine(day, dt.time(), tzinfo=BERLIN)
        assert business_seconds_between(OFFICE_BERLIN, start, start + dt.timedelta(days=1)) == 8 * H


def test_interval_in_the_spring_gap_resolves_forward():
    # 02:00-03:00 does not exist on 29 March 2026 in Berlin; 02:30 moves on by the gap to 03:30.
    spec = CalendarSpec(time_zone="Europe/Berlin", weekly_hours={6: ((150, 240),)})
    intervals = list(open_intervals(spec, berlin(2026, 3, 29), berlin(2026, 3, 30)))
    assert intervals == [
        (berlin(2026, 3, 29, 3, 30).astimezone(dt.UTC), berlin(2026, 3, 29, 4).astimezone(dt.UTC))
    ]


def test_pauses_reduce_elapsed_time():
    start = berlin(2026, 11, 23, 9)
    end = berlin(2026, 11, 23, 17)
    pauses = [
        (berlin(2026, 11, 23, 10), berlin(2026, 11, 23, 11)),
        (berlin(2026, 11, 23, 10, 30), berlin(2026, 11, 23, 12)),
    ]
    assert business_seconds_between(OFFICE_BERLIN, start, end, pauses) == 6 * H
    assert business_seconds_between(OFFICE_BERLIN, start, end, [(berlin(2026, 11, 23, 15), None)]) == 6 * H


def test_all_closed_calendar_raises():
    with pytest.raises(CalendarHasNoHours):
        add_business_seconds(CalendarSpec(), berlin(2026, 1, 1), 60)
    assert business_seconds_between(CalendarSpec(), berlin(2026, 1, 1), berlin(2026, 2, 1)) == 0


def test_naive_datetimes_are_rejected():
    with pytest.raises(ValueError, match="aware"):
        add_business_seconds(ALWAYS_OPEN, dt.datetime(2026, 1, 1), 60)
    with pytest.raises(ValueError):
        add_business_seconds(ALWAYS_OPEN, berlin(2026, 1, 1), -1)


def test_next_open_and_is_open():
    friday_evening = berlin(2026, 11, 20, 18)
    assert not is_open(OFFICE_BERLIN, friday_evening)
    assert next_open(OFFICE_BERLIN, friday_evening) == berlin(2026, 11, 23, 9)
    assert is_open(OFFICE_BERLIN, berlin(2026, 11, 23, 9))


def test_24x7_over_ten_days_is_one_interval():
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert len(list(open_intervals(ALWAYS_OPEN, start, start + dt.timedelta(days=10)))) == 1


def test_long_durations_are_fast():
    began = time.perf_counter()
    due = add_business_seconds(OFFICE_BERLIN, berlin(2026, 1, 5, 9), 10_000 * H)
    assert time.perf_counter() - began < 1.0  # generous bound for a loaded CI machine; typically ~30 ms
    assert due > berlin(2030, 1, 1)


# --- properties -----------------------------------------------------------------------------------------


@st.composite
def random_calendars(draw) -> CalendarSpec:
    weekly = {}
    for day in range(7):
        points = sorted(draw(st.sets(st.integers(0, 96), max_size=4)))
        pairs = tuple((points[i] * 15, points[i + 1] * 15) for i in range(0, len(points) - 1, 2))
        if pairs:
            weekly[day] = pairs
    if not weekly:
        weekly[0] = ((540, 1020),)
    closed = draw(st.frozensets(st.dates(dt.date(2024, 1, 1), dt.date(2031, 12, 31)), max_size=20))
    zone = draw(st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]))
    return CalendarSpec(time_zone=zone, weekly_hours=weekly, closed_dates=closed)


calendars = st.one_of(st.just(ALWAYS_OPEN), st.just(OFFICE_BERLIN), st.just(SPLIT_NY), random_calendars())
instants = st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2030, 1, 1), timezones=st.just(dt.UTC))
durations = st.integers(0, 2_000_000)
prop = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@prop
@given(calendars, instants, durations)
def test_adding_then_measuring_round_trips(spec, start, seconds):
    due = add_business_seconds(spec, start, seconds)
    assert abs(business_seconds_between(spec, start, due) - seconds) < 1e-6


@prop
@given(calendars, instants, st.integers(0, 40 * 86400), st.integers(0, 40 * 86400))
def test_elapsed_time_is_additive(spec, a, gap1, gap2):
    b = a + dt.timedelta(seconds=gap1)
    c = b + dt.timedelta(seconds=gap2)
    whole = business_seconds_between(spec, a, c)
    assert abs(whole - business_seconds_between(spec, a, b) - business_seconds_between(spec, b, c)) < 1e-6


@prop
@given(calendars, instants, st.integers(1, 1_000_000), st.integers(0, 1_000_000))
def test_adding_composes(spec, start, x, y):
    assert add_business_seconds(spec, add_business_seconds(spec, start, x), y) == add_business_seconds(
        spec, start, x + y
    )


@prop
@given(calendars, instants, durations, durations)
def test_adding_is_monotonic_and_lands_in_opening_time(spec, start, d1, d2):
    small, large = sorted((d1, d2))
    assert add_business_seconds(spec, start, small) <= add_business_seconds(spec, start, large)
    if large > 0:
        due = add_business_seconds(spec, start, large)
        just_before = due - dt.timedelta(microseconds=1)
        assert is_open(spec, just_before)


@prop
@given(
    calendars,
    instants,
    st.integers(0, 30 * 86400),
    st.lists(st.tuples(st.integers(-86400, 40 * 86400), st.integers(0, 5 * 86400)), max_size=4),
)
def test_pauses_never_add_time(spec, start, length, raw_pauses):
    end = start + dt.timedelta(seconds=length)
    pauses = [(start + dt.timedelta(seconds=o), start + dt.timedelta(seconds=o + d)) for o, d in raw_pauses]
    plain = business_seconds_between(spec, start, end)
    paused = business_seconds_between(spec, start, end, pauses)
    assert 0 <= paused <= plain + 1e-6
    assert business_seconds_between(spec, start, end, [(start - dt.timedelta(days=1), None)]) == 0


@prop
@given(calendars, instants, st.integers(0, 30 * 86400))
def test_open_intervals_are_sorted_disjoint_and_sum_to_elapsed(spec, start, length):
    end = start + dt.timedelta(seconds=length)
    intervals = list(open_intervals(spec, start, end))
    for a, b in intervals:
        assert start <= a < b <= end
    for (_, b1), (a2, _) in zip(intervals, intervals[1:], strict=False):
        assert b1 < a2  # touching intervals are merged
    total = sum((b - a).total_seconds() for a, b in intervals)
    assert abs(total - business_seconds_between(spec, start, end)) < 1e-6


@prop
@given(calendars, instants, st.integers(0, 6 * 3600), st.integers(0, 40 * 86400))
def test_measuring_a_stretch_matches_its_opening_intervals(spec, start, short, long):
    """The day-by-day sum business_seconds_between takes without pauses agrees with the merged intervals,
    for the few minutes of a fresh ticket and for weeks alike."""
    for length in (short, long):
        end = start + dt.timedelta(seconds=length)
        total = sum((b - a).total_seconds() for a, b in open_intervals(spec, start, end))
        assert abs(total - business_seconds_between(spec, start, end)) < 1e-6
        assert business_seconds_between(spec, start, end, [(end, end)]) == pytest.approx(total, abs=1e-6)
