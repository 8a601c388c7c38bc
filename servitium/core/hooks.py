"""Rules a higher app adds to a lower app's lifecycle, so that the lower app never imports it.

Information security asks that a change is assessed for security impact before it is approved;
continuity asks that a change to a plan's services is followed by a plan review. Neither the changes app
nor the core knows those apps; they register here:

    register_guard("changes.change", "approve", unassessed_security_impact)   # -> reason or None
    register_reaction("changes.change", "completed", ask_for_plan_review)   # after the write

A guard runs in `Workflow.check` for every channel (API, UI, services, imports) and refuses the transition
with its reason (HTTP 409). A reaction runs inside the transition's transaction, after the record and its
change-log entry are written, with the record and the actor; it writes through services like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Guard = Callable[[Any], str | None]
Reaction = Callable[[Any, Any], None]

_GUARDS: dict[tuple[str, str], dict[str, Guard]] = {}
_REACTIONS: dict[tuple[str, str], dict[str, Reaction]] = {}


def _key(func: Callable) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def register_guard(record_type: str, transition: str, guard: Guard) -> None:
    """Refuse `transition` of `record_type` ("app_label.model") whenever `guard(record)` gives a reason."""
    _GUARDS.setdefault((record_type, transition), {})[_key(guard)] = guard


def register_reaction(record_type: str, status: str, reaction: Reaction) -> None:
    """Call `reaction(record, actor)` whenever a record of `record_type` enters `status`."""
    _REACTIONS.setdefault((record_type, status), {})[_key(reaction)] = reaction


def refusal(record: Any, transition: str) -> str | None:
    """The first reason a registered guard gives against `transition` of `record`, or None."""
    for guard in _GUARDS.get((record._meta.label_lower, transition), {}).values():
        reason = guard(record)
        if reason:
            return reason
    return None


def react(record: Any, status: str, actor: Any) -> None:
    for reaction in list(_REACTIONS.get((record._meta.label_lower, status), {}).values()):
        reaction(record, actor)
