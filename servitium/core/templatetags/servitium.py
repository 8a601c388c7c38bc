from django import template
from django.http import QueryDict
from django.utils.translation import gettext as _

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
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return "—" if value in (None, "") else value


@register.filter
def duration(seconds) -> str:
    """Seconds as people read a length of (business) time: "45 min", "2 h", "5 h 20 min", "135 h" — never
    thousands of minutes. Hours are not folded into days: a business day is not 24 hours."""
    try:
        minutes = int(round(float(seconds) / 60))
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(minutes, 60)
    if hours == 0:
        return _("%(m)d min") % {"m": rest}
    if rest == 0 or hours >= 48:
        return _("%(h)d h") % {"h": hours}
    return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}
