"""One way to show a point in time: the locale's short date (and time) in the reader's time zone.

The time zone is the signed-in user's (core.middleware.UserTimezoneMiddleware activates it); the format is
the language's SHORT_DATE_FORMAT / SHORT_DATETIME_FORMAT (core/formats/ sets an unambiguous one for
English). Pages use it through the `when` template filter, the history formatter calls it directly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _


def parse(value: Any) -> dt.date | dt.datetime | None:
    """A date or datetime from a value as stored: objects as they are, ISO text (JSON history) parsed.
    Text that is no date gives None."""
    if isinstance(value, dt.date):  # datetime is a date too
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = parse_datetime(value) if ("T" in value or " " in value) else parse_date(value)
    except ValueError:
        return None
    if isinstance(parsed, dt.datetime) and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)  # what the change log stores: UTC
    return parsed


def when_text(value: Any, zone: bool = False) -> str:
    """`value` in the locale's short format, times in the reader's zone (named after it with `zone`,
    for documents read elsewhere); "" for nothing, text that is no date as it is."""
    moment = parse(value)
    if moment is None:
        return "" if value in (None, "") else str(value)
    if isinstance(moment, dt.datetime):
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        text = formats.date_format(moment, "SHORT_DATETIME_FORMAT")
        return f"{text} {moment.tzname()}" if zone and moment.tzname() else text
    return formats.date_format(moment, "SHORT_DATE_FORMAT")


def relative(value: Any, now: dt.datetime | None = None) -> str:
    """How long ago (or how far ahead) a moment is, in its largest unit: "3 hours ago", "in 2 days"."""
    moment = parse(value)
    if moment is None:
        return ""
    now = now or timezone.now()
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(), tzinfo=timezone.get_current_timezone())
    if moment <= now:
        return _("%(span)s ago") % {"span": timesince(moment, now, depth=1)}
    return _("in %(span)s") % {"span": timeuntil(moment, now, depth=1)}


def iso(value: Any) -> str:
    """The machine form for <time datetime="...">."""
    moment = parse(value)
    return moment.isoformat() if moment is not None else ""
