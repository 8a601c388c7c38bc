"""The cloud lifecycle kept as the checks expect, for tests of other areas (the well-run provider)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from servitium.cloud import services
from servitium.cloud.models import Subscription
from tests.cloud.conftest import live, quota


def last_month_row(sub, quantity="6", resource="vCPU", **extra) -> dict:
    end = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    return {
        "subscription": sub.pk,
        "resource": resource,
        "period_start": end.replace(day=1),
        "period_end": end,
        "quantity": quantity,
        **extra,
    }


def well_kept_subscription(customer, offer=None, *, requester, manager, **data) -> Subscription:
    """A subscription live since before last month (onboarding done and accepted) under an agreed
    agreement, with its tenant, accounts and quotas; last month's usage above the vCPU quota followed by
    a request beyond it that a manager approved and that was fulfilled with its cost, and seats above
    their quota explained."""
    sub = live(customer, offer, today=timezone.localdate() - dt.timedelta(days=70), **data)
    quota(sub, limit="8", allocated="8")
    quota(sub, resource="Seats", limit="10", allocated="10", unit="users")
    rows = [
        last_month_row(sub, "9"),
        last_month_row(sub, "12", resource="Seats", note="Trainees; seats end soon."),
    ]
    services.usage_record(actor=None, rows=rows, subscriptions=[sub])
    ask = services.request_create(
        actor=requester,
        data={"subscription": sub, "resource": "vCPU", "change": Decimal(4), "justification": "More"},
    )
    ask = services.request_transition(actor=manager, instance=ask, transition="approve")
    services.request_transition(actor=manager, instance=ask, transition="fulfil")
    return sub
