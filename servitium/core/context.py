"""Where a write comes from: request id, channel (web/api/job/shell) and acting user, per thread or task.

The change log reads these so that every entry says where it came from, even outside a web request.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

CONTEXTS = ("web", "api", "job", "shell", "mail", "import")

_request_id: ContextVar[str] = ContextVar("servitium_request_id", default="")
_context: ContextVar[str] = ContextVar("servitium_context", default="shell")
_actor: ContextVar[Any] = ContextVar("servitium_actor", default=None)


def request_id() -> str:
    return _request_id.get()


def channel() -> str:
    return _context.get()


def actor() -> Any:
    return _actor.get()


@contextlib.contextmanager
def change_context(*, context: str, request_id: str | None = None, actor: Any = None) -> Iterator[str]:
    """Run a block as one unit of work from the given channel; yields its request id."""
    if context not in CONTEXTS:
        raise ValueError(f"unknown change context {context!r}")
    rid = request_id or uuid.uuid4().hex
    tokens = (_request_id.set(rid), _context.set(context), _actor.set(actor))
    try:
        yield rid
    finally:
        _request_id.reset(tokens[0])
        _context.reset(tokens[1])
        _actor.reset(tokens[2])


def set_actor(user: Any) -> None:
    _actor.set(user)
