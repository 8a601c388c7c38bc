"""Response and resolution measures for the SLA performance job: the longest business time any ticket of
the agreement took in the period (so a target is met only when every ticket met it), with counts."""

from __future__ import annotations

from django.db.models import Count, Max, Q

from servitium.agreements.measures import Measurement, register_measure


def _measure(target, start, end):
    from .models import SlaClock

    clocks = SlaClock.objects.filter(
        metric=target.metric,
        stopped_at__gte=start,
        stopped_at__lt=end,
        met__isnull=False,  # clocks of rejected requests carry no result
        target=target,
        incident__customer_id=target.agreement.customer_id,
        incident__service_id=target.agreement.service_id,
    )
    if target.priority:
        clocks = clocks.filter(incident__priority=target.priority)
    stats = clocks.aggregate(
        n=Count("id"), worst=Max("elapsed_before_s"), met=Count("id", filter=Q(met=True))
    )
    if not stats["n"]:
        return None
    return Measurement(
        round(stats["worst"]), samples=stats["n"], note=f"{stats['met']} of {stats['n']} within target"
    )


register_measure("response_time")(_measure)
register_measure("resolution_time")(_measure)
