"""Incident management's gauges on /metrics (registered in apps.ready, read at each scrape)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from prometheus_client.core import Metric

from servitium.core import metrics
from servitium.core.vocabulary import Priority

from . import selectors
from .clocks import CLOCK_METRICS
from .models import Incident


def gauges() -> Iterable[Metric]:
    open_tickets = metrics.gauge(
        "servitium_incidents_open",
        "Open incidents and service requests (not resolved or closed), by kind and priority.",
        ["kind", "priority"],
    )
    counts = selectors.open_by_priority()
    # Every combination is shown, zeros too: an alert on a series that vanishes never fires.
    for kind in Incident.Kind.values:
        for priority in Priority.values:
            open_tickets.add_metric([kind, str(priority)], counts.get((kind, priority), 0))
    yield open_tickets
    clocks = metrics.gauge(
        "servitium_sla_clocks",
        "Running SLA clocks at risk (past the warning share of their target) or breached (past the target).",
        ["metric", "state"],
    )
    counts = selectors.clocks_at_risk_and_breached(timezone.now())
    for metric in CLOCK_METRICS:
        for state in ("at_risk", "breached"):
            clocks.add_metric([str(metric), state], counts.get((str(metric), state), 0))
    yield clocks
