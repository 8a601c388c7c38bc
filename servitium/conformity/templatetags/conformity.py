"""Colours and labels of conformity statuses in the UI."""

from django import template

register = template.Library()

COLOURS = {
    "met": "success",
    "partly_met": "warning",
    "not_met": "danger",
    "not_applicable": "secondary",
    "done": "success",
    "in_progress": "warning",
    "not_started": "danger",
}


@register.filter
def status_colour(status: str) -> str:
    return COLOURS.get(status or "", "light")


@register.filter
def status_label(status: str) -> str:
    return (status or "").replace("_", " ")
