"""Conformity checks evidenced by event management (ISO/IEC 20000-9 S10; 20000-1:2018 8.6.1, 8.7.1).

Every alert that may mean lost availability (a severity that opens
incidents) was recorded as an incident, or set aside for a stated reason (a change's window, flapping);
an alert that opened nothing for want of a customer or a mapping is a gap. Events of the last 90 days
count: older ones are history. That no events arrive at all is not a gap of its own: a provider may
monitor availability without sending alerts here, and the availability checks judge that monitoring.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core.checks import CheckResult, record_rule, register, tally

from .models import Event

RECENT_DAYS = 90
QUIET = ("info",)  # severities the default rules record without an incident


@register(
    "events.alerts_handled",
    requirements=[
        "iso20000-1:2011#8.1.s1",
        "iso20000-1:2011#6.3.3.s2",
        "iso20000-1:2018#8.6.1.a",
        "iso20000-1:2018#8.7.1.s4",
    ],
    title=_("Every alert that may mean lost availability led to an incident or was set aside for a reason"),
)
def alerts_handled() -> CheckResult:
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    alerts = Event.objects.filter(last_seen__gte=since).exclude(severity__in=QUIET)
    good = (
        Q(incident__isnull=False)
        | Q(action=Event.Action.SUPPRESSED)
        | Q(status=Event.Status.RESOLVED, action="")
    )
    counted = tally(alerts, good, newest_first="-last_seen")
    names = ", ".join(str(e) for e in counted.gaps[:10]).replace("%", "%%")
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d alerts of the last 90 days led to an incident or were suppressed for a reason."),
        not_met=_("%(bad)d of %(n)d alerts of the last 90 days led to no incident: ") + names + ".",
        none=_("No alert was received in the last 90 days."),
    )


record_rule(
    "events.suppressions_explained",
    requirements=["iso20000-1:2011#8.1.s4", "iso20000-1:2018#8.6.1.s1"],
    title=_("Every suppressed alert names its reason (the change whose window it fell in, or flapping)"),
    model="events.Event",
    where={"action": Event.Action.SUPPRESSED},
    every=Q(change__isnull=False) | Q(flapping=True),
)
