"""Prometheus metrics: request timings, task failures, and gauges read from the database at scrape time.

Counters and histograms live in each process that counts (the web workers, the task worker). Under
`servitium run` several processes count at once, so the runner gives them one fresh directory
(PROMETHEUS_MULTIPROC_DIR, `prepare_multiprocess_dir`) before any of them starts; prometheus_client then
keeps every value in a file per process there and the scrape adds them up (`scrape_collectors`). Without
the variable (tests, `servitium runserver`) the values live in this process.

Gauges that describe the data (open tickets, SLA clocks, the change log's seal) are not counted as things
happen: apps register a collector with `register_collector`, called on each scrape, that reads aggregated
counts from the database. Core never imports the apps; they register in their `ready()`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
logger = logging.getLogger(__name__)

# Our own registry, not prometheus_client's global one: in multiprocess mode the scrape reads the files,
# and in one process it reads this (either way nothing else registered globally leaks into /metrics).
LOCAL = CollectorRegistry(auto_describe=True)

REQUEST_SECONDS = Histogram(
    "servitium_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, URL name (route) and status class.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=LOCAL,
)
TASK_FAILURES = Counter(
    "servitium_task_failures",
    "Queued tasks that raised an error, by task name.",
    ["task"],
    registry=LOCAL,
)

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_children: dict[tuple[str, str, str], Any] = {}  # label values -> histogram child: skips labels() per call


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request (the middleware's and the API fast lane's)."""
    key = (method if method in _METHODS else "other", route, f"{status // 100}xx")
    child = _children.get(key)
    if child is None:
        child = _children[key] = REQUEST_SECONDS.labels(*key)
    child.observe(seconds)


def route_of(request: HttpRequest) -> str:
    """The URL's name (or its pattern when it has none): never the path, which carries ids."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unnamed"


class RequestMetricsMiddleware:
    """Times every request through the full stack (the fast lane times its own, core/api/lane.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        observe_request(
            request.method, route_of(request), response.status_code, time.perf_counter() - started
        )
        return response


# Scrape-time collectors: a function returning metric families, called on each scrape.
_COLLECTORS: dict[str, Callable[[], Iterable[Metric]]] = {}


def register_collector(name: str, collect: Callable[[], Iterable[Metric]]) -> None:
    """Add (or replace, by name) a function that returns metric families read at scrape time. It should
    read aggregated counts only: a scrape every 15 s must stay cheap on a big database."""
    _COLLECTORS[name] = collect


def gauge(name: str, documentation: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    """A gauge family for a collector to fill (`family.add_metric([label values], value)`)."""
    return GaugeMetricFamily(name, documentation, labels=labels)


class _DatabaseCollector:
    """Every registered collector; one that fails (the database is down) is left out and reported as
    down in `servitium_collector_up`, so that the rest of the scrape still arrives."""

    def collect(self) -> Iterable[Metric]:
        up = gauge(
            "servitium_collector_up", "Whether a scrape-time collector could read its data.", ["collector"]
        )
        for name, collect in list(_COLLECTORS.items()):
            try:
                families = list(collect())
            except Exception:
                logger.exception("metrics collector %s failed", name)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up


class _Scrape:
    """What /metrics shows: counters of every process, the registered gauges, this process's facts."""

    def __init__(self) -> None:
        self.sources: list[Any] = []
        directory = os.environ.get(MULTIPROC_ENV)
        if directory:
            merged = CollectorRegistry()
            MultiProcessCollector(merged, path=directory)
            self.sources.append(merged)
        else:
            self.sources.append(LOCAL)
        self.sources += [
            _DatabaseCollector(),
            ProcessCollector(registry=None),
            PlatformCollector(registry=None),
        ]

    def collect(self) -> Iterable[Metric]:
        for source in self.sources:
            yield from source.collect()


def scrape() -> bytes:
    """The text exposition of every metric."""
    from prometheus_client import generate_latest

    return generate_latest(_Scrape())


def prepare_multiprocess_dir(default: Path) -> str:
    """Before `servitium run` starts its children: the directory their counters share (the operator's
    PROMETHEUS_MULTIPROC_DIR, else `default`), emptied of prometheus_client's files (`*.db`; nothing else
    is touched, whatever directory the variable names) so that a new run starts from zero and no file of
    an earlier run's processes is added in."""
    directory = Path(os.environ.get(MULTIPROC_ENV) or default)
    directory.mkdir(parents=True, exist_ok=True)
    for entry in directory.glob("*.db"):
        if entry.is_file():
            entry.unlink()
    return str(directory)


def on_task_error(signal: str, task: Any, exc: BaseException | None = None) -> None:
    """Huey's SIGNAL_ERROR handler (connected in core.jobs): one more failure of this task."""
    TASK_FAILURES.labels(getattr(task, "name", "unknown")).inc()
