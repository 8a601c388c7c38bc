"""Builders of the cloud tests: an offering with options on a live service, an agreed agreement, and
subscriptions in every state through the real services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from servitium.catalog import services as catalog_services
from servitium.catalog.models import Offering
from servitium.cloud import services
from servitium.cloud.models import Subscription
from servitium.core import services as core_services
from tests import factories
from tests.agreements.test_agreements import agreed


def offering(name: str | None = None, *, service=None, options=("S", "M")):
    service = service or factories.service(factories.unique(name or "Compute"))
    made = core_services.record_create(
        model=Offering,
        data={"service": service, "name": factories.unique("Virtual machine"), "summary": "A VM."},
        actor=None,
    )
    for i, option in enumerate(options):
        catalog_services.option_save(
            actor=None, data={"offering": made, "kind": "size", "name": option, "is_default": i == 0}
        )
    return made


def template(
    offer, steps=(("Create accounts", "accounts", "provider", 3), ("Train admins", "training", "customer", 5))
):
    from servitium.cloud.models import OnboardingTemplate, OnboardingTemplateTask

    made = core_services.record_create(
        model=OnboardingTemplate, data={"offering": offer, "name": f"Onboarding {offer.name}"}, actor=None
    )
    for i, (title, kind, party, days) in enumerate(steps):
        core_services.record_create(
            model=OnboardingTemplateTask,
            data={
                "template": made,
                "title": title,
                "kind": kind,
                "party": party,
                "due_offset_days": days,
                "order": i,
            },
            actor=None,
        )
    return made


def subscription(customer, offer=None, *, agreement=True, **data) -> Subscription:
    offer = offer or offering()
    values = {
        "customer": customer,
        "offering": offer,
        "start": timezone.localdate() - dt.timedelta(days=60),
        "tenant_identifier": factories.unique("tenant"),
        "account_identifiers": ["prod"],
        **data,
    }
    if agreement is True:
        values["agreement"] = agreed(customer, offer.service)
    elif agreement:
        values["agreement"] = agreement
    return services.subscription_create(actor=None, data=values)


def quota(sub, resource="vCPU", limit="16", allocated="8", price="10.00", unit="cores"):
    return services.quota_create(
        actor=None,
        data={
            "subscription": sub,
            "resource": resource,
            "unit": unit,
            "limit": Decimal(limit),
            "allocated": Decimal(allocated),
            "unit_price": Decimal(price),
        },
    )


def live(customer, offer=None, *, today=None, **data) -> Subscription:
    """A subscription taken through onboarding (every task done, accepted by the system) to live."""
    sub = subscription(customer, offer, **data)
    sub = services.subscription_transition(
        actor=None, instance=sub, transition="start_onboarding", today=today
    )
    now = timezone.make_aware(dt.datetime.combine(today, dt.time(9))) if today else None
    for task in sub.tasks.order_by("order", "id"):
        services.task_complete(actor=None, instance=task, now=now)
    return services.subscription_transition(actor=None, instance=sub, transition="go_live", today=today)


@pytest.fixture
def cloud(ctx):
    return SimpleNamespace(
        manager=factories.user("cloudm", ctx.provider, ["cloud-manager"]),
        manager2=factories.user("cloudm2", ctx.provider, ["cloud-manager"]),
        agent=factories.user("clouda", ctx.provider, ["cloud-agent"]),
    )
