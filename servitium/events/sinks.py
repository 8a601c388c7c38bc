"""What other processes take from monitoring events, without the events app knowing them.

Availability management keeps an outage open while a critical alert on a service fires; capacity
management takes a reading from an alert that carries a metric's value. Both apps sit above this one, so
they register here (in their AppConfig.ready):

    register_sink("capacity", take_readings)   # sink(events) after the batch committed

A sink gets the batch's events as stored, after the batch committed: a slow or failing sink never holds
up or undoes the intake (a failure is logged, the other sinks still run). Sinks filter in Python first,
so a batch nothing is taken from costs no query.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

from .models import Event

logger = logging.getLogger(__name__)

Sink = Callable[[list[Event]], None]
_SINKS: dict[str, Sink] = {}


def register_sink(name: str, sink: Sink) -> None:
    _SINKS[name] = sink


def feed(events: list[Event]) -> None:
    """Hand `events` to every sink once the current transaction commits."""
    if _SINKS and events:
        transaction.on_commit(lambda: _run(list(events)))


def _run(events: list[Event]) -> None:
    for name, sink in list(_SINKS.items()):
        try:
            with transaction.atomic():
                sink(events)
        except Exception:
            logger.exception("monitoring events: the %s feed failed for a batch of %d", name, len(events))
