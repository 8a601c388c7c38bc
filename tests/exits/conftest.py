"""Fixtures of the exit and transfer tests: exit staff, a customer with people, a service, an agreement,
tickets with history, and builders for plans, items, exports and handovers."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from servitium.agreements import services as sla_services
from servitium.core import services as core_services
from servitium.exits import building, services
from servitium.exits.models import DataExport, ExitItem, ExitPlan
from servitium.incidents import services as incident_services
from tests import factories


@pytest.fixture
def staff(ctx):
    service = factories.service(factories.unique("Hosted Mail"), customers=[ctx.org_a])
    return SimpleNamespace(
        manager=factories.user("exm", ctx.provider, ["exit-manager"]),
        agent=factories.user("exa", ctx.provider, ["exit-agent"]),
        owner=factories.person("Olive Owner", ctx.provider),
        contact=factories.person("Lena Contact", ctx.org_a, job_title="Head of Platform"),
        service=service,
        agreement=agreement(ctx.org_a, service),
    )


def agreement(customer, service, title: str = "Mail SLA"):
    made = sla_services.agreement_create(
        actor=None, data={"customer": customer, "service": service, "title": title}
    )
    sla_services.target_create(
        actor=None,
        data={"agreement": made, "metric": "resolution_time", "priority": 3, "target_value": 28800},
    )
    return made


def plan(customer, *, contact=None, items: int = 1, **data) -> ExitPlan:
    today = timezone.localdate()
    values = {
        "customer": customer,
        "kind": "termination",
        "notice_received_on": today - dt.timedelta(days=30),
        "effective_end": today + dt.timedelta(days=30),
        "exit_terms": "Clause 14 of the master agreement: 30 days' notice, data returned as open formats.",
        "dispose_not_before": today + dt.timedelta(days=60),
        "customer_contact": contact,
        **data,
    }
    made = services.plan_create(actor=None, data=values)
    for n in range(items):
        item(made, description=f"Mailbox data {n}")
    return made


def item(plan_, *, action: str = "hand_over", kind: str = "data", **data) -> ExitItem:
    return services.item_create(
        actor=None,
        data={"plan": plan_, "kind": kind, "action": action, "description": "Mailbox data", **data},
    )


def ticket(customer, service, title: str = "Mail stuck", *, comments: int = 1):
    incident = incident_services.incident_create(
        actor=None, data={"title": title, "customer": customer, "service": service, "description": "x"}
    )
    for n in range(comments):
        core_services.comment_store(
            target=incident, body=f"Looked into it ({n})", visibility="public", author=None, actor=None
        )
    core_services.attachment_store(
        target=incident,
        upload=SimpleUploadedFile("screen shot.txt", b"what the user saw", content_type="text/plain"),
        actor=None,
    )
    return incident


def built_export(customer, plan_=None, actor=None) -> DataExport:
    export = services.export_request(actor=actor, data={"customer": customer, "plan": plan_})
    return building.export_build(export.pk)


def handed_over(ctx, staff, *, dispose_from: dt.date | None = None) -> ExitPlan:
    """A plan taken through agreement and handover: its export handed over and acknowledged, its hand-over
    item done; one item to dispose of is left. `dispose_from` moves the agreed disposal date (as if time
    had passed)."""
    made = plan(ctx.org_a, contact=staff.contact, items=1)
    item(made, description="Mailbox data in storage and backups", action="dispose")
    services.plan_transition(
        actor=None, instance=made, transition="agree", data={"agreed_by": staff.contact.pk}
    )
    services.plan_transition(actor=None, instance=made, transition="start_handover")
    export = built_export(ctx.org_a, made)
    services.handover_create(
        actor=None,
        data={
            "plan": made,
            "export": export,
            "receiving_party": ctx.org_a.name,
            "recipient": staff.contact,
            "handed_over_at": timezone.now(),
            "channel": "download",
        },
        m2m={"exit_items": list(made.items.filter(action="hand_over"))},
    )
    services.export_acknowledge(actor=ctx.customer_a, instance=DataExport.objects.get(pk=export.pk))
    services.plan_transition(actor=None, instance=made, transition="complete_handover")
    if dispose_from is not None:
        ExitPlan.objects.filter(pk=made.pk).update(
            dispose_not_before=dispose_from, effective_end=dispose_from - dt.timedelta(days=1)
        )
    return ExitPlan.objects.get(pk=made.pk)
