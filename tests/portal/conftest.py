"""Two customer organizations, each receiving its own service under an agreed SLA (24x7: response 1 h,
resolution 4 h for every priority), with customer users who have person records (callers, approvers)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import Client

from servitium.agreements import services as sla_services
from servitium.catalog import services as catalog_services
from servitium.catalog.models import Offering
from servitium.core import services as core_services
from servitium.core.models import ServiceHoursCalendar
from servitium.incidents.models import RequestItem
from tests import factories

H = 3600


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _agreed(customer, service) -> None:
    calendar = ServiceHoursCalendar.objects.get_or_create(
        name="Around the clock",
        defaults={
            "time_zone": "UTC",
            "weekly_hours": {
                d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
            },
        },
    )[0]
    agreement = sla_services.agreement_create(
        actor=None,
        data={
            "customer": customer,
            "service": service,
            "title": f"{service} SLA",
            "calendar": calendar,
            "valid_from": dt.date(2026, 1, 1),
            "workload": {"peak_periods": ["month end"]},
            "exceptions": [{"kind": "force_majeure", "description": "storms"}],
        },
    )
    for metric, seconds in (("response_time", H), ("resolution_time", 4 * H)):
        sla_services.target_create(
            actor=None, data={"agreement": agreement, "metric": metric, "target_value": seconds}
        )
    sla_services.agreement_transition(actor=None, instance=agreement, transition="agree")


@pytest.fixture
def portal(ctx):
    compute = factories.service("Virtual Compute", customers=[ctx.org_a])
    storage = factories.service("Object Storage", customers=[ctx.org_b])
    _agreed(ctx.org_a, compute)
    _agreed(ctx.org_b, storage)
    vm = core_services.record_create(
        model=Offering,
        data={"service": compute, "name": "Virtual machine", "summary": "A Linux VM"},
        actor=None,
    )
    for order, (kind, name, default) in enumerate(
        [
            ("size", "S", True),
            ("size", "XL", False),
            ("region", "Frankfurt", True),
            ("region", "Dublin", False),
        ]
    ):
        catalog_services.option_save(
            actor=None,
            data={"offering": vm, "kind": kind, "name": name, "is_default": default, "sort_order": order},
        )
    big = core_services.record_create(
        model=Offering, data={"service": compute, "name": "GPU server", "summary": "Expensive"}, actor=None
    )
    gpu_item = RequestItem.objects.create(service=compute, name="GPU server", needs_approval=True)
    requester = ctx.customer_a
    approver = factories.user("approver_a", ctx.org_a, ["customer"])
    people = SimpleNamespace(
        requester=factories.person("Rita Requester", ctx.org_a, user=requester, email="rita@a.example"),
        approver=factories.person("Alan Approver", ctx.org_a, user=approver, email="alan@a.example"),
        other=factories.person("Bea B", ctx.org_b, user=ctx.customer_b, email="bea@b.example"),
    )
    agent = factories.user("agent1", ctx.provider, ["incident-manager"])
    return SimpleNamespace(
        **vars(ctx),
        compute=compute,
        storage=storage,
        vm=vm,
        gpu=big,
        gpu_item=gpu_item,
        approver=approver,
        people=people,
        agent=agent,
    )
