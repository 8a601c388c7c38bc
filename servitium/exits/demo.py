"""Demo data of exit and transfer (idempotent).

- A termination for Elm Analytics (a customer organization looked up by name first: another app's demo may
  create it; with Lena Vogel, Head of Platform, and a few tickets if it has none): the exit plan agreed
  with Lena Vogel, its inventory, the export of Elm's records built (small) and handed over, its receipt
  acknowledged, the handover complete, Elm's subscriptions (given notice in the cloud demo) ended; disposal
  of Elm's data in storage and backups pending until the plan's date (exits.no_early_disposal stays met:
  nothing is disposed of early).
- A transfer back in-house for Dunmore City Council (or the first other customer), in draft, with a
  deliberate gap: the transfer of its virtual machines is overdue -> exits.inventory_on_time
  (2011 5.2.s4; 2018 8.5.2.1.s3).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from servitium.cloud import services as cloud_services
from servitium.cloud.models import Subscription
from servitium.core import services as core_services
from servitium.parties.models import Organization, Person

from . import building, services
from .models import DataExport, ExitPlan

ELM = "Elm Analytics"
LENA = "Lena Vogel"
IN_HOUSE = "Dunmore City Council"
TERMS = (
    "Master services agreement, clause 18 (termination): 30 days' written notice; clause 19 (exit): the "
    "customer's data is returned in open formats (JSON Lines, CSV, the stored files) with a manifest of "
    "SHA-256 digests within 10 working days of the end date; the provider keeps it 30 days after the "
    "customer acknowledges receipt, then disposes of it in storage and backups and certifies the disposal."
)


def _person(org: Organization, name: str, title: str, actor: Any) -> Person:
    found = Person.objects.filter(organization=org, name=name).first()
    return found or core_services.record_create(
        model=Person,
        data={
            "name": name,
            "organization": org,
            "job_title": title,
            "email": "lena.vogel@elm-analytics.example",
        },
        actor=actor,
    )


def _elm(actor: Any) -> Organization:
    elm = Organization.objects.filter(name=ELM).first()
    if elm is None:
        elm = core_services.record_create(
            model=Organization,
            data={
                "name": ELM,
                "kind": "customer",
                "description": "Data analytics start-up; runs its platform on Nimbus.",
            },
            actor=actor,
        )
    return elm


def _tickets(elm: Organization, lena: Person, actor: Any) -> None:
    """A few tickets if Elm has none, through the incident services, on a service it receives."""
    from servitium.catalog.models import Service
    from servitium.incidents import services as incident_services
    from servitium.incidents.models import Incident

    if Incident.objects.filter(customer=elm).exists():
        return
    service = Service.objects.filter(customers=elm).first()
    if service is None:
        service = (
            Service.objects.filter(status="live", name="Managed PostgreSQL").first()
            or Service.objects.filter(status="live").first()
        )
        if service is None:
            return
        core_services.record_update(
            instance=service, data={}, actor=actor, m2m={"customers": [*service.customers.all(), elm]}
        )
    for title, body in (
        (
            "Nightly analytics job cannot reach the database",
            "Connection refused from the batch hosts since 02:10.",
        ),
        ("Request: read replica for reporting", "A read-only replica for the BI dashboards."),
        (
            "Export of our data before the end of the contract",
            "Please prepare the export of all our records.",
        ),
    ):
        with transaction.atomic():
            ticket = incident_services.incident_create(
                actor=actor,
                data={
                    "title": title,
                    "description": body,
                    "customer": elm,
                    "caller": lena,
                    "service": service,
                },
            )
            core_services.comment_store(
                target=ticket,
                body="We are on it and will keep you posted here.",
                visibility="public",
                author=actor if getattr(actor, "is_authenticated", False) else None,
                actor=actor,
            )


def _owner() -> Person | None:
    return Person.objects.filter(organization__kind="provider").order_by("name").first()


def _termination(actor: Any, today: dt.date) -> None:
    elm = _elm(actor)
    if (
        elm.kind != "customer"
        or ExitPlan.objects.filter(customer=elm, kind=ExitPlan.Kind.TERMINATION).exists()
    ):
        return
    lena = _person(elm, LENA, "Head of Platform", actor)
    _tickets(elm, lena, actor)
    plan = services.plan_create(
        actor=actor,
        data={
            "customer": elm,
            "kind": ExitPlan.Kind.TERMINATION,
            "notice_received_on": today - dt.timedelta(days=40),
            "effective_end": today - dt.timedelta(days=10),
            "exit_terms": TERMS,
            "dispose_not_before": today + dt.timedelta(days=20),
            "owner": _owner(),
            "customer_contact": lena,
            "receiving_party": ELM,
        },
        m2m={
            "agreements": list(elm.agreements.all()),
            "services": list(elm.services.all()),
            "subscriptions": list(Subscription.objects.filter(customer=elm)),
        },
    )
    items = {}
    for key, kind, action, text, due in (
        ("data", "data", "hand_over", "Export of all of Elm's records (tickets with history, reports)", -5),
        ("db", "data", "hand_over", "Final dump of the analytics PostgreSQL databases", -5),
        ("kb", "knowledge", "archive", "Runbooks and known errors written for Elm's platform", 0),
        ("store", "data", "dispose", "Elm's data in the service's storage, snapshots and backups", 20),
    ):
        items[key] = services.item_create(
            actor=actor,
            data={
                "plan": plan,
                "kind": kind,
                "action": action,
                "description": text,
                "due_on": today + dt.timedelta(days=due),
            },
        )
    services.plan_transition(
        actor=actor,
        instance=plan,
        transition="agree",
        data={"agreed_by": lena.pk, "agreed_on": today - dt.timedelta(days=35)},
    )
    services.plan_transition(actor=actor, instance=plan, transition="start_handover")
    export = services.export_request(actor=actor, data={"customer": elm, "plan": plan})
    export = building.export_build(export.pk)
    services.handover_create(
        actor=actor,
        data={
            "plan": plan,
            "export": export,
            "receiving_party": ELM,
            "recipient": lena,
            "handed_over_at": timezone.now() - dt.timedelta(days=6),
            "channel": "download",
            "acknowledged_on": today - dt.timedelta(days=4),
            "acknowledgement": "Lena Vogel's mail confirming the download and the manifest check",
        },
        m2m={"exit_items": [items["data"], items["db"]]},
    )
    services.export_acknowledge(
        actor=actor,
        instance=DataExport.objects.get(pk=export.pk),
        note="Receipt confirmed by Lena Vogel by mail.",
    )
    services.item_complete(
        actor=actor, instance=items["kb"], note="Archived in the knowledge base, read-only."
    )
    services.plan_transition(actor=actor, instance=plan, transition="complete_handover")
    # Elm holds its data: its subscriptions given notice end now (the disposal waits for its date).
    for subscription in Subscription.objects.filter(customer=elm, status=Subscription.Status.TERMINATING):
        cloud_services.subscription_transition(
            actor=actor,
            instance=subscription,
            transition="complete_termination",
            data={"end": subscription.effective_end.isoformat()},
        )


def _in_house(actor: Any, today: dt.date) -> None:
    customer = Organization.objects.filter(name=IN_HOUSE, kind="customer").first() or (
        Organization.objects.filter(kind="customer").exclude(name=ELM).order_by("name").first()
    )
    if (
        customer is None
        or ExitPlan.objects.filter(customer=customer, kind=ExitPlan.Kind.TRANSFER_IN_HOUSE).exists()
    ):
        return
    contact = Person.objects.filter(organization=customer).order_by("name").first()
    plan = services.plan_create(
        actor=actor,
        data={
            "customer": customer,
            "kind": ExitPlan.Kind.TRANSFER_IN_HOUSE,
            "receiving_party": f"{customer.name} IT operations",
            "notice_received_on": today - dt.timedelta(days=20),
            "effective_end": today + dt.timedelta(days=70),
            "exit_terms": "Framework contract, schedule 7 (exit assistance): 90 days' notice, virtual "
            "machines handed over as images, knowledge transferred in two workshops.",
            "dispose_not_before": today + dt.timedelta(days=130),
            "owner": _owner(),
            "customer_contact": contact,
        },
    )
    for kind, action, text, due in (
        ("virtual_environment", "transfer", "Citizen portal virtual machines as images", -5),  # the gap
        ("knowledge", "hand_over", "Operating runbooks and the known-error records of the portal", 14),
        ("configuration", "hand_over", "Configuration items of the portal (CMDB extract)", 21),
        ("data", "dispose", "Portal data in storage and backups", 130),
    ):
        services.item_create(
            actor=actor,
            data={
                "plan": plan,
                "kind": "ci" if kind == "configuration" else kind,
                "action": action,
                "description": text,
                "due_on": today + dt.timedelta(days=due),
            },
        )


def _staff(actor: Any) -> None:
    """Ewa Nowak, who manages the cloud subscriptions, also manages their exits."""
    from servitium.parties.models import User

    user = User.objects.filter(username="ewa").first()
    if user is not None and "exit-manager" not in (user.roles or []):
        core_services.record_update(
            instance=user, data={}, derived={"roles": [*user.roles, "exit-manager"]}, actor=actor
        )


def load(*, actor: Any) -> None:
    """Create the demo records (idempotent)."""
    today = timezone.localdate()
    _staff(actor)
    with transaction.atomic():
        _termination(actor, today)
    with transaction.atomic():
        _in_house(actor, today)
