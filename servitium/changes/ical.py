"""The schedule of change as an iCalendar feed (RFC 5545), written by hand: one VEVENT per change, times in
UTC, text escaped and lines folded at 75 octets, so any calendar client can subscribe to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from servitium.core.filters import record_id

from .models import Change

MAX_OCTETS = 75
STATUS = {
    Change.Status.SUBMITTED: "TENTATIVE",
    Change.Status.CANCELLED: "CANCELLED",
}


def escape(text: str) -> str:
    """TEXT values: backslash, semicolon and comma escaped, line breaks as \\n."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets (continuations start with a space), never
    inside a UTF-8 character."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        limit = MAX_OCTETS if not out else MAX_OCTETS - 1  # continuation lines spend one octet on the space
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(changes: Iterable[Change], *, base_url: str = "", now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    host = getattr(settings, "SERVITIUM_ICAL_DOMAIN", "servitium")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Servitium//Schedule of change//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Schedule of change",
    ]
    for change in changes:
        if not (change.planned_start and change.planned_end):
            continue
        description = (
            f"{change.get_category_display()} change, {change.get_status_display()}.\n{change.description}"
        ).strip()
        lines += [
            "BEGIN:VEVENT",
            f"UID:{change.reference}@{host}",
            f"DTSTAMP:{stamp(now)}",
            f"DTSTART:{stamp(change.planned_start)}",
            f"DTEND:{stamp(change.planned_end)}",
            f"SUMMARY:{escape(f'{change.reference} {change.title}')}",
            f"DESCRIPTION:{escape(description)}",
            f"CATEGORIES:{escape(change.category.upper())}",
            f"STATUS:{STATUS.get(change.status, 'CONFIRMED')}",
            f"LAST-MODIFIED:{stamp(change.updated)}",
        ]
        if base_url:
            lines.append(f"URL:{base_url}{change.get_absolute_url()}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


# --- the per-user secret feed address -------------------------------------------------------------------

SALT = "servitium.changes.schedule.ics"


def _signature(user: AbstractBaseUser) -> str:
    # The password hash is part of the message: changing the password revokes every feed address.
    return salted_hmac(SALT, f"{user.pk}:{user.password}", algorithm="sha256").hexdigest()[:32]


def feed_token(user: AbstractBaseUser) -> str:
    return f"{user.pk}.{_signature(user)}"


def user_for_token(token: str, users) -> AbstractBaseUser | None:
    pk, _sep, signature = (token or "").partition(".")
    number = record_id(pk)
    if number is None or not signature:
        return None
    user = users.filter(pk=number, is_active=True).first()
    if user is None or not constant_time_compare(signature, _signature(user)):
        return None
    return user
