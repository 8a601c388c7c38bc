"""The provider-wide indicators objectives are measured on (core.indicators), computed from the process
apps' records. `sms` sits above those apps, so it may read their models; they never import this module.

Each function takes a period of dates [start, end) and returns a Decimal, or None when the period holds
nothing to measure.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servitium.core.indicators import register

HUNDRED = Decimal(100)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period as aware datetimes at local midnight (stored times are UTC)."""
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end, dt.time.min, tzinfo=zone),
    )


def _share(part: int, whole: int) -> Decimal | None:
    return None if not whole else (HUNDRED * part / whole).quantize(Decimal("0.001"))


def sla_compliance(start: dt.date, end: dt.date) -> Decimal | None:
    """Share of agreed service targets met, over the performance records of periods that start in it."""
    from servitium.agreements.models import TargetPerformance

    lo, hi = _bounds(start, end)
    stats = TargetPerformance.objects.filter(
        period_start__gte=lo, period_start__lt=hi, met__isnull=False
    ).aggregate(n=Count("pk"), met=Count("pk", filter=Q(met=True)))
    return _share(stats["met"], stats["n"])


def _clocks_met(metric: str, start: dt.date, end: dt.date) -> Decimal | None:
    from servitium.incidents.models import SlaClock

    lo, hi = _bounds(start, end)
    stats = SlaClock.objects.filter(
        metric=metric, stopped_at__gte=lo, stopped_at__lt=hi, met__isnull=False
    ).aggregate(n=Count("pk"), met=Count("pk", filter=Q(met=True)))
    return _share(stats["met"], stats["n"])


def resolution_within_target(start: dt.date, end: dt.date) -> Decimal | None:
    """Share of tickets resolved within their resolution target (SLA clocks stopped in the period)."""
    return _clocks_met("resolution_time", start, end)


def response_within_target(start: dt.date, end: dt.date) -> Decimal | None:
    return _clocks_met("response_time", start, end)


def customer_satisfaction(start: dt.date, end: dt.date) -> Decimal | None:
    """Mean score (1-5) of the survey responses received in the period."""
    from servitium.relationships.models import SurveyResponse

    lo, hi = _bounds(start, end)
    mean = SurveyResponse.objects.filter(created__gte=lo, created__lt=hi).aggregate(mean=Avg("score"))["mean"]
    return None if mean is None else Decimal(str(mean))


def complaints_count(start: dt.date, end: dt.date) -> Decimal | None:
    """Complaints received in the period (zero is a value: a month without complaints)."""
    from servitium.relationships.models import Complaint

    lo, hi = _bounds(start, end)
    return Decimal(Complaint.objects.filter(created__gte=lo, created__lt=hi).count())


def change_success_rate(start: dt.date, end: dt.date) -> Decimal | None:
    """Share of changes finished in the period that succeeded (failed and backed-out ones did not)."""
    from servitium.changes.models import Change

    lo, hi = _bounds(start, end)
    stats = (
        Change.objects.filter(actual_end__gte=lo, actual_end__lt=hi)
        .exclude(outcome="")
        .aggregate(n=Count("pk"), ok=Count("pk", filter=Q(outcome=Change.Outcome.SUCCESSFUL)))
    )
    return _share(stats["ok"], stats["n"])


def emergency_change_share(start: dt.date, end: dt.date) -> Decimal | None:
    """Share of changes raised in the period that were emergency changes."""
    from servitium.changes.models import Change

    lo, hi = _bounds(start, end)
    stats = Change.objects.filter(created__gte=lo, created__lt=hi).aggregate(
        n=Count("pk"), emergency=Count("pk", filter=Q(category="emergency"))
    )
    return _share(stats["emergency"], stats["n"])


def availability(start: dt.date, end: dt.date) -> Decimal | None:
    """Mean availability measured against the agreed availability targets in the period."""
    from servitium.agreements.models import TargetPerformance

    lo, hi = _bounds(start, end)
    mean = TargetPerformance.objects.filter(
        target__metric="availability", period_start__gte=lo, period_start__lt=hi, measured_value__isnull=False
    ).aggregate(mean=Avg("measured_value"))["mean"]
    return None if mean is None else Decimal(str(mean))


def conformity_met(start: dt.date, end: dt.date) -> Decimal | None:
    """Share of the applicable 20000-1:2018 requirements met in the last assessment run in the period."""
    from servitium.conformity.models import Assessment

    lo, hi = _bounds(start, end)
    slug = "iso20000-1:2018"
    runs = Assessment.objects.filter(started_at__gte=lo, started_at__lt=hi).order_by("-started_at", "-id")
    for run in runs[:10]:
        counts = (run.summary or {}).get("frameworks", {}).get(slug)
        if counts:
            applicable = sum(v for k, v in counts.items() if k != "not_applicable")
            return _share(counts.get("met", 0), applicable)
    return None


def register_all() -> None:
    register("sla_compliance", _("SLA targets met"), "%", sla_compliance)
    register("resolution_within_target", _("Tickets resolved within target"), "%", resolution_within_target)
    register("response_within_target", _("Tickets answered within target"), "%", response_within_target)
    register(
        "customer_satisfaction", _("Customer satisfaction (mean score 1-5)"), "/5", customer_satisfaction
    )
    register("complaints", _("Complaints received"), "", complaints_count)
    register("change_success_rate", _("Change success rate"), "%", change_success_rate)
    register("emergency_change_share", _("Share of emergency changes"), "%", emergency_change_share)
    register("availability", _("Availability against agreed targets"), "%", availability)
    register("conformity_met", _("20000-1:2018 requirements met"), "%", conformity_met)
