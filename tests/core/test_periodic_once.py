"""A periodic job runs once per period however many nodes' schedulers send it (core/jobs.py `periodic`):
the first run in a period is recorded with its node, a later one in the same period stands down, the next
period runs again. (tests/core/test_two_nodes.py checks the same with two real nodes on PostgreSQL.)"""

from __future__ import annotations

import datetime as dt

import time_machine

from servitium.core import jobs
from servitium.core.models import PeriodicRun


def test_one_run_per_period_whichever_node_asks(db, settings):
    settings.HUEY = {**settings.HUEY, "immediate": False}  # as on a real queue (tests run jobs at once)
    minute = dt.timedelta(minutes=1)
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, 42, 5, tzinfo=dt.UTC), tick=False):
        settings.NODE_NAME = "a"
        assert jobs._claim("SealChangeLog", minute) is True
        settings.NODE_NAME = "b"
        assert jobs._claim("SealChangeLog", minute) is False  # the same minute, sent by b's scheduler
        assert jobs._claim("PollMailbox", minute) is True  # another job has its own periods
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, 42, 59, tzinfo=dt.UTC), tick=False):
        assert jobs._claim("SealChangeLog", minute) is False
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, 43, 0, tzinfo=dt.UTC), tick=False):
        assert jobs._claim("SealChangeLog", minute) is True
    runs = list(PeriodicRun.objects.filter(job="SealChangeLog").order_by("slot").values_list("slot", "node"))
    assert runs == [
        (dt.datetime(2026, 12, 4, 10, 42, tzinfo=dt.UTC), "a"),
        (dt.datetime(2026, 12, 4, 10, 43, tzinfo=dt.UTC), "b"),
    ]


def test_daily_jobs_take_the_day(db, settings):
    settings.HUEY = {**settings.HUEY, "immediate": False}
    day = dt.timedelta(days=1)
    with time_machine.travel(dt.datetime(2026, 12, 4, 3, 15, 1, tzinfo=dt.UTC), tick=False):
        assert jobs._claim("AssessConformity", day) is True
    with time_machine.travel(dt.datetime(2026, 12, 4, 3, 16, 0, tzinfo=dt.UTC), tick=False):
        assert jobs._claim("AssessConformity", day) is False  # a late second arrival, same day
    with time_machine.travel(dt.datetime(2026, 12, 5, 3, 15, 0, tzinfo=dt.UTC), tick=False):
        assert jobs._claim("AssessConformity", day) is True


def test_in_immediate_mode_a_job_runs_whenever_it_is_called(db):
    assert jobs._claim("SealChangeLog", dt.timedelta(minutes=1)) is True
    assert jobs._claim("SealChangeLog", dt.timedelta(minutes=1)) is True
    assert not PeriodicRun.objects.exists()


def test_every_periodic_job_is_guarded():
    """No app registers a periodic job past the guard: each would run once per node."""
    from huey.contrib.djhuey import HUEY

    import servitium.urls  # noqa: F401 - every app's jobs are imported with the URLs

    periodic = HUEY._registry._periodic_tasks
    assert len(periodic) >= 15
    assert [t.__name__ for t in periodic if t.__name__ not in jobs._PERIODS] == []
    assert HUEY._pre_execute["once_per_period"] is jobs._once_per_period


def test_the_queue_stands_a_second_arrival_down_but_a_direct_call_runs(db, settings):
    """What the workers take off the queue passes the guard; the demo and commands call jobs directly."""
    import pytest
    from huey.exceptions import CancelExecution

    settings.HUEY = {**settings.HUEY, "immediate": False}
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, 42, 5, tzinfo=dt.UTC), tick=False):
        jobs._once_per_period(jobs.seal_change_log.s())  # the first arrival this minute
        with pytest.raises(CancelExecution):
            jobs._once_per_period(jobs.seal_change_log.s())  # the other node's
        jobs.seal_change_log.call_local()
        jobs.seal_change_log.call_local()  # not guarded: asked for on purpose
    assert PeriodicRun.objects.filter(job="SealChangeLog").count() == 1
