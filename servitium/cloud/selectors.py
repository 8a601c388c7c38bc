"""Reads of the cloud service lifecycle: a subscription's cost profile (what it costs per month from its
quotas, and what each fulfilled resource request added), its usage against its quotas per period (with the
charts), its onboarding checklist with what is overdue, and the usage above quota the checks look at.
Every queryset that reaches a user goes through the permission path."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import charts, permissions

from .models import OnboardingTask, ResourceRequest, Subscription, SubscriptionQuota, UsageRecord

CHART_MONTHS = 12


def cost_profile(subscription: Subscription, user: Any) -> dict[str, Any]:
    """Per resource the quota, what is allocated, its price and monthly cost; the total; and the fulfilled
    resource requests with what each changed and cost, newest first."""
    quotas = list(permissions.restrict(SubscriptionQuota.objects.filter(subscription=subscription), user))
    fulfilled = list(
        permissions.restrict(
            ResourceRequest.objects.filter(
                subscription=subscription, status=ResourceRequest.Status.FULFILLED
            ),
            user,
        ).order_by("-fulfilled_at", "-id")[:50]
    )
    return {
        "quotas": quotas,
        "total": sum((q.monthly_cost for q in quotas), Decimal("0.00")),
        "fulfilled": fulfilled,
        "added": sum((r.total_cost or Decimal("0") for r in fulfilled), Decimal("0.00")),
    }


@dataclass(frozen=True)
class UsageRow:
    record: UsageRecord
    limit: Decimal | None  # the resource's quota (None: no quota for it)

    @property
    def percent(self) -> float | None:
        if self.limit is None or self.limit == 0:
            return None
        return round(float(self.record.quantity) / float(self.limit) * 100, 1)

    @property
    def over(self) -> bool:
        return self.limit is not None and self.record.quantity > self.limit


def usage_against_quota(subscription: Subscription, user: Any) -> list[UsageRow]:
    """Each usage record of the subscription beside its quota, newest period first."""
    limits = {
        q.resource: q.limit
        for q in permissions.restrict(SubscriptionQuota.objects.filter(subscription=subscription), user)
    }
    records = permissions.restrict(UsageRecord.objects.filter(subscription=subscription), user).order_by(
        "-period_start", "resource"
    )[:200]
    return [UsageRow(r, limits.get(r.resource)) for r in records]


def _month(day: dt.date, back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def usage_charts(
    subscription: Subscription, user: Any, *, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """One chart per quota: the usage of each of the last twelve months (red above the quota) against the
    quota (dashed)."""
    today = today or timezone.localdate()
    first = _month(today, CHART_MONTHS - 1)
    quotas = list(permissions.restrict(SubscriptionQuota.objects.filter(subscription=subscription), user))
    used: dict[tuple[str, dt.date], Decimal] = {}
    for record in permissions.restrict(
        UsageRecord.objects.filter(subscription=subscription, period_start__gte=first), user
    ):
        key = (record.resource, record.period_start.replace(day=1))
        used[key] = used.get(key, Decimal("0")) + record.quantity
    found = []
    for quota in quotas:
        points = []
        for i in range(CHART_MONTHS):
            month = _month(today, CHART_MONTHS - 1 - i)
            value = used.get((quota.resource, month))
            colour = charts.BAD if value is not None and value > quota.limit else charts.GOOD
            points.append(charts.Point(month.strftime("%b"), None if value is None else float(value), colour))
        unit = f" {quota.unit}" if quota.unit else ""
        svg = charts.line(
            points,
            target=float(quota.limit),
            target_label=_("quota %(n)s%(u)s") % {"n": _num(quota.limit), "u": unit},
            title=_("%(resource)s: use per month against the quota") % {"resource": quota.resource},
            unit=unit,
            css_class="trend-chart cloud-usage-chart",
        )
        latest = next(
            (
                used[(quota.resource, _month(today, b))]
                for b in range(CHART_MONTHS)
                if (quota.resource, _month(today, b)) in used
            ),
            None,
        )
        share = None if latest is None or not quota.limit else float(latest) / float(quota.limit) * 100
        found.append({"quota": quota, "svg": svg, "latest": latest, "share": share})
    return found


def quota_bars(charted: list[dict[str, Any]]) -> Any:
    """The quotas as bars: the latest month's use as a share of each quota (red above it)."""
    rows = [
        charts.Bar(
            c["quota"].resource,
            None if c["share"] is None else min(c["share"], 100.0),
            text="—" if c["share"] is None else f"{c['share']:.0f}%",
            colour=charts.BAD
            if (c["share"] or 0) > 100
            else charts.WARN
            if (c["share"] or 0) >= 80
            else charts.GOOD,
        )
        for c in charted
    ]
    return charts.bars(rows, maximum=100, title=_("Latest month's use as a share of each quota"))


def _num(value: Any) -> str:
    return "—" if value is None else format(Decimal(value).normalize(), "f")


def checklist(subscription: Subscription, user: Any, *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The subscription's onboarding tasks with whether each is overdue and whether the user may complete
    it now."""
    today = today or timezone.localdate()
    tasks = list(
        permissions.restrict(
            OnboardingTask.objects.filter(subscription=subscription).select_related(
                "owner", "team", "done_by"
            ),
            user,
        ).order_by("order", "id")
    )
    changeable = {
        t.pk
        for t in permissions.restrict(
            OnboardingTask.objects.filter(subscription=subscription, done_at__isnull=True),
            user,
            permissions.CHANGE,
        )
    }
    onboarding = subscription.status == Subscription.Status.ONBOARDING
    customer = permissions.is_customer_user(user)
    rows = []
    for task in tasks:
        acceptance = task.kind == "acceptance"
        may = onboarding and task.pk in changeable and (not acceptance or customer)
        rows.append({"task": task, "overdue": task.overdue(today), "can_complete": may})
    return rows


def subscriptions_for(user: Any):
    return permissions.restrict(Subscription.objects.select_related("customer", "offering"), user)
