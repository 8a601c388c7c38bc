import datetime as dt

from django import template
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.translation import gettext as _

from servitium.core import dates, history

register = template.Library()


@register.simple_tag
def sort_query(querystring: str, column: str, current: str) -> str:
    """The list's query string with `ordering` toggled on this column (ascending first, then descending)."""
    params = QueryDict(querystring, mutable=True)
    params["ordering"] = f"-{column}" if current == column else column
    params.pop("page", None)
    return params.urlencode()


@register.filter
def yesno_or_value(value):
    """A record's value in a list or on its page: yes/no, dates as `when` shows them, "—" for nothing."""
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, dt.date):
        return when(value)
    return "—" if value in (None, "") else value


@register.filter
def when(value):
    """A date or point in time as every page shows it: the locale's short form in the reader's time zone,
    with how long ago as the tooltip. Takes datetimes, dates and ISO text (JSON history); "" for none."""
    text = dates.when_text(value)
    if not text or dates.parse(value) is None:
        return text
    return format_html(
        '<time datetime="{}" title="{}">{}</time>', dates.iso(value), dates.relative(value), text
    )


@register.filter
def when_text(value, arg: str = "") -> str:
    """`when` without the markup: for attributes, e-mail and PDF text; `|when_text:"zone"` names the
    time zone (a document read outside the app)."""
    return dates.when_text(value, zone=arg == "zone")


@register.filter
def duration(seconds) -> str:
    """Seconds as people read a length of (business) time: "45 min", "2 h", "5 h 20 min", "135 h" — never
    thousands of minutes. Hours are not folded into days: a business day is not 24 hours."""
    try:
        return history.duration(float(seconds))
    except (TypeError, ValueError, OverflowError):
        return ""
