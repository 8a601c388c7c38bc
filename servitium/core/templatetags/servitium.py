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
