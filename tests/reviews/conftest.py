"""Fixtures of the management review tests: the chair (top management with a login), an SMS manager, and
builders for reviews and actions."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from servitium.core import services as core_services
from servitium.reviews import services
from servitium.reviews.models import ManagementReview, ReviewAction
from tests import factories


@pytest.fixture
def people(ctx):
    chair_user = factories.user("ceo", ctx.provider, ["top-management"])
    chair = factories.person("Clara Chair", ctx.provider)
    core_services.record_update(instance=chair, data={"user": chair_user}, actor=None)
    return SimpleNamespace(
        chair=chair,
        chair_user=chair_user,
        manager=factories.user("smsm", ctx.provider, ["sms-manager"]),
        owner=factories.person("Otto Owner", ctx.provider),
    )


def review(ctx, chair=None, *, days_ago: int = 0, **extra) -> ManagementReview:
    """A planned review looking back on the year before `days_ago` days ago."""
    today = timezone.localdate() - dt.timedelta(days=days_ago)
    chair = chair or factories.person(factories.unique("Chair"), ctx.provider)
    data = {
        "title": factories.unique("Annual review"),
        "period_start": today - dt.timedelta(days=365),
        "period_end": today - dt.timedelta(days=1),
        "planned_date": today,
        "chair": chair,
        **extra,
    }
    return services.review_create(actor=None, data=data, m2m={"attendees": [chair]})


def action(ctx, of_review=None, *, due_in: int = 30, owner=None) -> ReviewAction:
    return services.action_create(
        actor=None,
        data={
            "review": of_review or review(ctx),
            "description": factories.unique("Hire an engineer"),
            "owner": owner or factories.person(factories.unique("Owner"), ctx.provider),
            "due_date": timezone.localdate() + dt.timedelta(days=due_in),
        },
    )


def held(ctx, chair=None, *, days_ago: int = 0, approve: bool = True) -> ManagementReview:
    """A review taken through pack, holding (PDF frozen) and, optionally, minutes approval."""
    r = review(ctx, chair, days_ago=days_ago)
    r = services.review_transition(actor=None, instance=r, transition="prepare_pack")
    when = (timezone.localdate() - dt.timedelta(days=days_ago)).isoformat()
    r = services.review_transition(actor=None, instance=r, transition="hold", data={"held_on": when})
    if approve:
        r = services.review_update(
            actor=None, instance=r, data={"minutes": "Went through the pack.", "decisions": "Hire."}
        )
        r = services.review_transition(actor=None, instance=r, transition="approve_minutes")
    return r
