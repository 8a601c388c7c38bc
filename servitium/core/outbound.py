"""Announcements of what happened to records, for listeners above core (the outbound webhooks app).

Every write passes the change log (`changelog.record`, `record_many`) and every comment
`services.comment_store`; those announce here, and a job announces a domain event (an SLA breach) itself.
A listener registers `listen(deliver, wants)` from its AppConfig.ready: `wants(object_type, event)` answers
from the listener's own cache, so that a write nobody subscribed to costs a dictionary lookup, and
`deliver(announcement)` is called after the transaction commits (nothing goes out about a write that was
rolled back). Core never imports the listeners.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from . import context

logger = logging.getLogger(__name__)

CREATED, UPDATED, DELETED, TRANSITION, COMMENT = "created", "updated", "deleted", "transition", "comment"
BREACH, AT_RISK = "breach", "at_risk"  # an SLA target missed, or about to be (incidents' clocks)
EVENTS = (CREATED, UPDATED, DELETED, TRANSITION, COMMENT, BREACH, AT_RISK)
# change-log actions -> events
BY_ACTION = {"create": CREATED, "update": UPDATED, "delete": DELETED, "transition": TRANSITION}


@dataclass(frozen=True)
class Announcement:
    event: str
    object_type: str  # "app_label.model"
    instance: models.Model
    actor_name: str
    occurred_at: Any
    details: dict[str, Any] = field(default_factory=dict)  # what changed, from/to, the comment, the target


Deliver = Callable[[Announcement], None]
Wants = Callable[[str, str], bool]
_LISTENERS: list[tuple[Deliver, Wants]] = []


def listen(deliver: Deliver, wants: Wants) -> None:
    if all(d is not deliver for d, _w in _LISTENERS):
        _LISTENERS.append((deliver, wants))


def wanted(object_type: str, event: str) -> bool:
    for _deliver, wants in _LISTENERS:  # noqa: SIM110 - a plain loop: this runs on every write
        if wants(object_type, event):
            return True
    return False


def label(instance: models.Model) -> str:
    return instance._meta.label_lower  # "app_label.model", as the change log names record types


def announce(
    instance: models.Model, event: str, *, actor: Any = None, details: dict[str, Any] | None = None
) -> None:
    """Tell the listeners that `event` happened to `instance`, once the transaction commits."""
    if not _LISTENERS:
        return
    object_type = label(instance)
    if not wanted(object_type, event):
        return
    actor = actor if actor is not None else context.actor()
    name = actor.get_username() if getattr(actor, "is_authenticated", False) else ""
    found = Announcement(event, object_type, instance, name, timezone.now(), dict(details or {}))
    transaction.on_commit(lambda: _hand_over(found))


def changed(
    instance: models.Model, action: str, *, actor: Any = None, changes: dict[str, list[Any]] | None = None
) -> None:
    """A change-log entry was written: announce it as its event (a transition with its from/to status)."""
    event = BY_ACTION.get(action)
    if event is None or not _LISTENERS or not wanted(label(instance), event):
        return
    details: dict[str, Any] = {"changes": changes or {}}
    if event == TRANSITION:
        from .declaration import resource_for

        status = resource_for(type(instance)).status or "status"
        before, after = (changes or {}).get(status, [None, getattr(instance, status, None)])
        details.update({"from": before, "to": after})
    announce(instance, event, actor=actor, details=details)


def changed_many(instances: Iterable[models.Model], action: str, *, actor: Any = None) -> None:
    instances = list(instances)
    event = BY_ACTION.get(action)
    if not instances or event is None or not _LISTENERS or not wanted(label(instances[0]), event):
        return
    for instance in instances:
        announce(instance, event, actor=actor)


def _hand_over(found: Announcement) -> None:
    for deliver, wants in list(_LISTENERS):
        if not wants(found.object_type, found.event):
            continue
        try:
            deliver(found)
        except Exception:  # the write has committed: a listener's failure must not fail the request
            logger.exception("outbound %s of %s: a listener failed", found.event, found.object_type)
