"""Periodic work of core. Jobs run as channel 'job' so their change-log entries say so."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, pre_execute
from huey.contrib.djhuey import signal as queue_signal
from huey.exceptions import CancelExecution
from huey.signals import SIGNAL_ERROR
from huey.storage import RedisStorage
from huey.utils import normalize_time

from . import metrics, witness  # noqa: F401 (registers the change-log witness tasks)
from .context import change_context

logger = logging.getLogger(__name__)


# Every failed task is counted for /metrics (in the task worker's process; core/metrics.py adds them up).
queue_signal(SIGNAL_ERROR)(metrics.on_task_error)


def as_job(func):
    """Run a job body in the 'job' change context with its own request id."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with change_context(context="job"):
            return func(*args, **kwargs)

    return wrapper


_PERIODS: dict[str, dt.timedelta] = {}  # periodic job name -> its period


def periodic(schedule: Any, name: str, every: dt.timedelta) -> Any:
    """A periodic job (Huey's `db_periodic_task`) that runs once per period whatever the number of nodes.

    Every node of a deployment runs a task worker whose scheduler sends each periodic job to the shared
    queue, so a job would run once per node. The first worker to start it in a period (its start time
    floored to `every`, the job's schedule interval: each scheduler sends it once in every period) records
    the run in `PeriodicRun`; a worker that finds the period taken stands down (`_once_per_period`, a hook
    on the queue's executions: calling the job directly, as the demo and commands do, always runs it). In
    immediate mode (tests) jobs run whenever they are sent."""

    def register(func: Any) -> Any:
        _PERIODS[name] = every
        return db_periodic_task(schedule, name=name)(func)

    return register


@pre_execute(name="once_per_period")
def _once_per_period(task: Any) -> None:
    every = _PERIODS.get(task.name)
    if every is not None:
        if not connection.in_atomic_block:  # a worker thread's connection may have outlived its use
            close_old_connections()
        if not _claim(task.name, every):
            raise CancelExecution(f"{task.name} ran in this period on another worker")


def _claim(job: str, every: dt.timedelta) -> bool:
    """Record this node's run of `job` in the current period; False when another node has it."""
    from .models import PeriodicRun

    if settings.HUEY.get("immediate"):
        return True
    now = timezone.now()
    period = int(every.total_seconds())
    slot = dt.datetime.fromtimestamp(int(now.timestamp()) // period * period, tz=dt.UTC)
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(job=job, slot=slot, node=settings.NODE_NAME, started=now)
    except IntegrityError:
        taken = PeriodicRun.objects.filter(job=job, slot=slot).values_list("node", flat=True).first()
        logger.info("periodic job %s: the period of %s is taken by node %s", job, f"{slot:%H:%M}", taken)
        return False
    logger.info(
        "periodic job %s: running on node %s for the period of %s", job, settings.NODE_NAME, f"{slot:%H:%M}"
    )
    if slot.hour == 0 and slot.minute == 0 and period <= 3600:  # once a day: forget runs of last month
        PeriodicRun.objects.filter(started__lt=now - dt.timedelta(days=31)).delete()
    return True


def schedule_many(entries: Iterable[tuple[Any, tuple, dt.datetime]]) -> None:
    """Put delayed jobs `(task, args, eta)` straight into the queue's schedule, on Redis in one round trip.

    `task.schedule(eta=...)` enqueues a job only for the consumer to take it off the queue and file it in
    the schedule; filing it ourselves is what the consumer would do, without its work per job. Immediate
    mode (tests) keeps Huey's own path.
    """
    entries = list(entries)
    if not entries:
        return
    huey = entries[0][0].huey
    if huey.immediate:
        for task, args, eta in entries:
            task.schedule(args=args, eta=eta)
        return
    filed = []
    for task, args, eta in entries:
        job = task.s(*args)
        job.eta = normalize_time(eta, None, huey.utc)
        filed.append((huey.serialize_task(job), job.eta))
    storage = huey.storage
    if isinstance(storage, RedisStorage):
        storage.conn.zadd(storage.schedule_key, {data: storage.convert_ts(eta) for data, eta in filed})
    else:
        for data, eta in filed:
            storage.add_to_schedule(data, eta)


@periodic(crontab(minute="*"), name="SealChangeLog", every=dt.timedelta(minutes=1))
@as_job
def seal_change_log() -> int:
    """Seal every unsealed change-log entry into the SHA-256 chain and sign the head (each minute)."""
    from . import changelog

    try:
        sealed = changelog.seal()
    except changelog.ChainTampered:
        return 0  # already logged as an error; sealing stays stopped until an operator looks into it
    if sealed:
        logger.info("sealed %d change-log entries", sealed)
    return sealed


@periodic(crontab(minute="*/5"), name="FoldKeptCounts", every=dt.timedelta(minutes=5))
@as_job
def fold_kept_counts() -> int:
    """Fold the list counts of database sessions that have ended into one row per value (core/keptcounts.py),
    so a count stays a sum of a few rows however often connections come and go."""
    from . import keptcounts

    return keptcounts.fold()
