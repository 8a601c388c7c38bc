"""Readings from monitoring: an alert that names a capacity metric and carries its value becomes a
measurement of that metric, so the thresholds, the forecast and a critical breach's incident follow from
what the monitoring tool sees, not only from readings posted by hand.

The alert names the metric in a `capacity_metric` label or annotation (the metric of the alert's service
or configuration item with that name) and gives the number in a `value` annotation or label (Alertmanager:
`annotations: {value: "{{ $value }}"}`). Every occurrence of the alert is a reading at the time it came.
"""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q

from .models import CapacityMetric, Measurement
from .services import measurements_record

logger = logging.getLogger(__name__)


def _field(event: Any, name: str) -> str:
    return str(event.annotations.get(name) or event.labels.get(name) or "").strip()


def take_readings(events: list[Any]) -> None:
    """The batch's readings, one per metric and instant (a sink of servitium.events.sinks)."""
    wanted = []
    for event in events:
        name, raw = _field(event, "capacity_metric"), _field(event, "value")
        if not name or not raw or (event.service_id is None and event.ci_id is None):
            continue
        try:
            value = Decimal(raw)
        except InvalidOperation:
            logger.warning("event %s: value %r of %s is not a number", event.reference, raw, name)
            continue
        if value.is_finite():
            wanted.append((event, name, value))
    if not wanted:
        return
    names = {name for _e, name, _v in wanted}
    metrics = list(
        CapacityMetric.objects.filter(name__in=names).filter(
            Q(service_id__in={e.service_id for e, _n, _v in wanted if e.service_id})
            | Q(ci_id__in={e.ci_id for e, _n, _v in wanted if e.ci_id})
        )
    )
    rows, seen = [], set()
    for event, name, value in wanted:
        when = event.last_seen.replace(microsecond=0)
        for metric in metrics:
            matches = metric.name == name and (
                (metric.ci_id and metric.ci_id == event.ci_id)
                or (metric.service_id and metric.service_id == event.service_id)
            )
            if matches and (metric.pk, when) not in seen:
                seen.add((metric.pk, when))
                rows.append({"metric": metric.pk, "measured_at": when, "value": value})
    taken = set(
        Measurement.objects.filter(
            metric_id__in={r["metric"] for r in rows}, measured_at__in={r["measured_at"] for r in rows}
        ).values_list("metric_id", "measured_at")
    )
    rows = [r for r in rows if (r["metric"], r["measured_at"]) not in taken]
    if rows:
        measurements_record(actor=None, rows=rows, metrics=metrics)
