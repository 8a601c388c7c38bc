"""Which announcements anybody subscribed to (core.outbound asks before it does any work).

`wants` answers from a per-process index of the active subscriptions (record type -> events), read again
after WEBHOOK_INDEX_SECONDS or at once when this process changed a subscription (`forget`): a write nobody
subscribed to costs a dictionary lookup, and other processes see a new subscription within that time.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.db import DatabaseError, transaction

_lock = threading.Lock()
_index: dict[str, frozenset[str]] | None = None
_expires_at = 0.0


def forget() -> None:
    global _index
    with _lock:
        _index = None


def _current() -> dict[str, frozenset[str]]:
    global _index, _expires_at
    index = _index
    if index is not None and time.monotonic() < _expires_at:  # the hot path: no settings, no query
        return index
    from .models import WebhookSubscription

    built: dict[str, set[str]] = {}
    active = WebhookSubscription.objects.filter(active=True).values_list("record_types", "events")
    try:
        with transaction.atomic():  # a savepoint: a failure must not spoil the caller's transaction
            rows = list(active)
    except DatabaseError:  # the table is not there yet (writes made while migrating)
        rows = []
    for types, events in rows:
        for object_type in types or ():
            built.setdefault(object_type, set()).update(events or ())
    index = {k: frozenset(v) for k, v in built.items()}
    with _lock:
        _index, _expires_at = index, time.monotonic() + settings.WEBHOOK_INDEX_SECONDS
    return index


def wants(object_type: str, event: str) -> bool:
    events = _current().get(object_type)
    return events is not None and event in events
