"""Health checks (the database, the task queue, the change-log sealer) and core's scrape-time gauges.

A check answers a status and a short detail that reveals nothing an anonymous caller should not know: no
host names, URLs, error messages or record data, only what kind of failure it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from django.conf import settings
from django.db import connection
from django.utils import timezone
from huey.storage import RedisStorage
from prometheus_client.core import Metric

from . import changelog, metrics

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    detail: str


def _queue():
    from huey.contrib.djhuey import HUEY

    return HUEY


def check_database() -> CheckResult:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return CheckResult(True, "answers queries")


def check_queue() -> CheckResult:
    """The queue's storage answers: Redis to a ping, the SQLite file (or memory) to a count of the queue."""
    huey = _queue()
    if isinstance(huey.storage, RedisStorage):
        huey.storage.conn.ping()
    huey.pending_count()
    return CheckResult(True, "storage answers")


def check_sealer() -> CheckResult:
    """Stale when an entry has waited for the sealer (a job each minute) longer than the threshold; an
    idle site with nothing to seal is fine however old its last seal is."""
    limit = settings.HEALTH_SEAL_MAX_AGE_S
    status = changelog.seal_status()
    if status.oldest_unsealed is None:
        return CheckResult(True, "nothing waiting to be sealed")
    age = (timezone.now() - status.oldest_unsealed).total_seconds()
    if age > limit:
        return CheckResult(False, f"the oldest unsealed entry has waited {age:.0f} s (limit {limit} s)")
    return CheckResult(True, f"the oldest unsealed entry has waited {age:.0f} s (limit {limit} s)")


CHECKS: dict[str, Callable[[], CheckResult]] = {
    "database": check_database,
    "queue": check_queue,
    "sealer": check_sealer,
}


def run_checks(names: Iterable[str]) -> dict[str, CheckResult]:
    """Each named check's result; a check that raises is failed with the kind of error only."""
    results = {}
    for name in names:
        try:
            results[name] = CHECKS[name]()
        except Exception as exc:
            logger.warning("health check %s failed: %r", name, exc)
            results[name] = CheckResult(False, f"unavailable ({type(exc).__name__})")
    return results


def _servitium_version() -> str:
    try:
        return version("servitium")
    except PackageNotFoundError:
        return "unknown"


def core_gauges() -> Iterable[Metric]:
    """The queue's depth and the change log's seal, read at scrape time."""
    info = metrics.gauge(
        "servitium_info", "This Servitium: its version and node name (always 1).", ["version", "node"]
    )
    info.add_metric([_servitium_version(), settings.NODE_NAME], 1)
    yield info
    huey = _queue()
    pending = metrics.gauge("servitium_task_queue_pending", "Tasks in the queue waiting for the task worker.")
    pending.add_metric([], huey.pending_count())
    scheduled = metrics.gauge(
        "servitium_task_queue_scheduled", "Delayed tasks (SLA checks, retries) waiting for their time."
    )
    scheduled.add_metric([], huey.scheduled_count())
    yield pending
    yield scheduled
    status = changelog.seal_status()
    families = [
        ("servitium_changelog_last_seal_sequence", "Position of the newest sealed entry.", status.last_seq),
        (
            "servitium_changelog_last_seal_timestamp_seconds",
            "When the sealer last extended the chain (Unix time; 0: never).",
            status.sealed_at.timestamp() if status.sealed_at else 0,
        ),
        ("servitium_changelog_unsealed_entries", "Entries waiting for the sealer.", status.unsealed),
        (
            "servitium_changelog_refused_entries",
            "Entries the sealer kept out of the chain (no valid MAC, or a copy): each one wants a look.",
            status.refused,
        ),
        (
            "servitium_changelog_oldest_unsealed_age_seconds",
            "How long the oldest unsealed entry has waited (0: none waiting).",
            (timezone.now() - status.oldest_unsealed).total_seconds() if status.oldest_unsealed else 0,
        ),
    ]
    for name, documentation, value in families:
        family = metrics.gauge(name, documentation)
        family.add_metric([], value)
        yield family
