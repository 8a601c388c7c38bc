"""Separation of duties, one rule for every record that needs a second person: whoever wrote or asked
for something (as a user account, or as the person record of that account) may not approve it.

Documents' versions and disposal requests and the SMS scope use it; a new record type with an approval
step calls `refuse_self_approval` in its transition service rather than writing its own comparison.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist

from .errors import ApplicationError


class SelfApproval(ApplicationError):
    """The one who wrote (or requested) something may not approve it (HTTP 400, the approver is wrong,
    not the record's state)."""

    code = "approver_is_author"
    status = 400


def person_of(user: Any) -> Any | None:
    """The person record of a signed-in user account; None for the system (demo, imports, jobs) and for
    accounts without a person."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.person
    except (AttributeError, ObjectDoesNotExist):
        return None


def is_author(actor: Any, *, users: Iterable[int | None] = (), people: Iterable[int | None] = ()) -> bool:
    """Whether `actor` is one of the accounts (`users`, ids) or the person of one of the people
    (`people`, ids) who wrote or asked for the record."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.pk in {u for u in users if u is not None}:
        return True
    person = person_of(actor)
    return person is not None and person.pk in {p for p in people if p is not None}


def refuse_self_approval(
    actor: Any, *, message: str, users: Iterable[int | None] = (), people: Iterable[int | None] = ()
) -> None:
    """Raise `SelfApproval` with `message` when `actor` wrote or asked for the record (see `is_author`).
    The system (no actor) may approve: it acts for a person who was checked elsewhere (imports, demo)."""
    if is_author(actor, users=users, people=people):
        raise SelfApproval(message)
