"""Shared vocabulary of the processes: the measures service targets are expressed in, and priorities.
Shared by SLAs, internal agreements, supplier contracts, incidents and problems, so that a supplier target
can be compared with the customer target for the same service and measure."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    RESPONSE_TIME = "response_time", _("response time")  # seconds of business time, lower is better
    RESOLUTION_TIME = "resolution_time", _("resolution time")  # seconds of business time, lower is better
    AVAILABILITY = "availability", _("availability")  # percent over the period, higher is better
    CUSTOM = "custom", _("custom measure")  # named by the target; direction given by the target


LOWER_IS_BETTER = {Metric.RESPONSE_TIME, Metric.RESOLUTION_TIME}
HIGHER_IS_BETTER = {Metric.AVAILABILITY}


class Priority(models.IntegerChoices):
    """Incident priority 1 (critical) to 5 (planning); targets may be set per priority."""

    CRITICAL = 1, _("1 - critical")
    HIGH = 2, _("2 - high")
    MEDIUM = 3, _("3 - medium")
    LOW = 4, _("4 - low")
    PLANNING = 5, _("5 - planning")


def format_target(metric: str, value, unit: str = "") -> str:
    """A target value as people read it: '4 h 30 min', '99.9 %', '10 tickets'."""
    from decimal import Decimal

    value = Decimal(str(value))
    if metric in LOWER_IS_BETTER:
        seconds = int(value)
        hours, rest = divmod(seconds, 3600)
        minutes = rest // 60
        if hours and minutes:
            return f"{hours} h {minutes} min"
        return f"{hours} h" if hours else f"{minutes} min"
    text = format(value.normalize(), "f")
    return f"{text} %" if metric == Metric.AVAILABILITY else f"{text} {unit}".strip()
