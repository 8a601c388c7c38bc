"""Periodic work of core. Jobs run as channel 'job' so their change-log entries say so."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable
from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task
from huey.storage import RedisStorage
from huey.utils import normalize_time

from . import witness  # noqa: F401 (registers the change-log witness tasks)
from .context import change_context

logger = logging.getLogger(__name__)


def as_job(func):
    """Run a job body in the 'job' change context with its own request id."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with change_context(context="job"):
            return func(*args, **kwargs)

    return wrapper


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


@db_periodic_task(crontab(minute="*"), name="SealChangeLog")
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
