"""Colours and labels of conformity statuses in the UI."""

from django import template

from servitium.conformity.models import PlanItem, Status

register = template.Library()
LABELS = {**dict(Status.choices), **dict(PlanItem.Progress.choices)}

COLOURS = {
    "met": "success",
    "partly_met": "warning",
    "not_met": "danger",
    "no_evidence": "secondary",
    "not_applicable": "light",
    "done": "success",
    "in_progress": "warning",
    "not_started": "danger",
}


@register.filter
def status_colour(status: str) -> str:
    return COLOURS.get(status or "", "light")


@register.filter
def status_label(status: str) -> str:
    """The status in words, in the user's language."""
    return str(LABELS.get(status or "", (status or "").replace("_", " ")))
