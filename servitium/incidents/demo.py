"""Demo incidents and service requests over the last weeks, worked through their lifecycle with SLA clocks.

Times are historical: clocks run on the real instants, and the records' creation times are set back to when
the ticket came in (as an import of history does).
"""

from __future__ import annotations

import datetime as dt
import random
from email.message import EmailMessage

from django.utils import timezone

from servitium.agreements.models import ServiceLevelAgreement
from servitium.catalog.models import Service
from servitium.parties.models import Person, Team

from . import major, services
from .generator import Generator
from .jobs import close_resolved_tickets
from .mail import outbound
from .mailgate.inbound import process
from .models import Incident, MajorIncidentDefinition, RequestItem

TITLES = {
    "Hosted Email": ["Mail stuck in outbox", "Calendar invites not delivered", "Spam filter holds invoices"],
    "Virtual Compute": ["VM unresponsive after patching", "Cannot resize VM", "Console access denied"],
    "Managed PostgreSQL": [
        "Replication lag on primary",
        "Connection limit reached",
        "Slow queries after upgrade",
    ],
    "Backup and Restore": [
        "Nightly backup failed",
        "Restore request for deleted folder",
        "Backup report missing",
    ],
    "Web Application Hosting": [
        "Shop returns 502 at checkout",
        "Certificate expiring warning",
        "Deploy pipeline stuck",
    ],
    "Identity and Access": ["User locked out", "SSO login loop", "MFA device reset"],
    "Service Desk": ["Request for new user account", "Access to shared mailbox", "Laptop replacement"],
}
CATEGORIES = ["software", "hardware", "network", "access", "performance", "request"]


def load(*, actor, count: int = 120, days: int = 14, history: int = 3000, seed: int = 20261124) -> None:
    """Six months of tickets: `history` generated in bulk before the last `days` days, and `count` recent
    ones worked through the real lifecycle; plus request items, major incidents with their reviews and
    security incidents. Idempotent: skipped if tickets exist. Sends no mail."""
    if Incident.objects.exists():
        return
    with outbound.silenced():
        _catalogue_and_definitions(actor)
        now = timezone.now()
        Generator(seed=seed, end=now - dt.timedelta(days=days)).run(history, days=180 - days)
        _worked(actor, count, days, seed)
        _majors_and_security(actor, now)
        _resolution_replies(actor, seed)
        # The nightly job would have closed resolved tickets nobody reopened, night after night.
        for night in range(days + 7, -1, -1):
            close_resolved_tickets.call_local(now=now - dt.timedelta(days=night))
        _unknown_senders()


def _unknown_senders() -> None:
    """Two messages from addresses nobody knows wait for triage: a customer's new employee (the domain
    suggests the organization) and a stranger."""
    known = Person.objects.filter(organization__kind="customer").exclude(email="").order_by("pk").first()
    domain = known.email.rpartition("@")[2] if known else "example.com"
    for sender, subject, text in (
        (f"new.starter@{domain}", "No access to the shared drive", "I joined on Monday and cannot open it."),
        ("sales@cheap-toner.example", "Toner at 70 % off", "Order today and save on every cartridge."),
    ):
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = sender, "servicedesk@nimbus.example", subject
        msg["Message-ID"] = f"<demo.{sender}>"
        msg.set_content(text)
        process(msg.as_bytes())


def _resolution_replies(actor, seed: int) -> None:
    """The public reply that told each customer their generated ticket was resolved (written, in real use,
    by the resolve step's mail or an agent's reply). About one in twenty-five has none: a deliberate gap
    for the check that customers are kept informed (2011 8.1.s6)."""
    from django.contrib.contenttypes.models import ContentType

    from servitium.core import services as core_services
    from servitium.core.models import Comment

    from .generator import keep_timestamps

    rng = random.Random(seed + 1)
    target = ContentType.objects.get_for_model(Incident)
    replies = [
        Comment(
            target_type=target,
            object_id=pk,
            body=f"{reference} is resolved. If the problem comes back, reply to this message to reopen it.",
            visibility=Comment.Visibility.PUBLIC,
            author_name="Nimbus Service Desk",
            created=resolved,
            updated=resolved,
        )
        for pk, reference, resolved in Incident.objects.filter(resolved_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "reference", "resolved_at")
        if rng.random() >= 0.04
    ]
    with keep_timestamps(Comment):
        core_services.record_bulk_create(
            model=Comment, instances=replies, actor=actor, message="generated history", validate_rows=False
        )


def _worked(actor, count: int, days: int, seed: int) -> None:
    rng = random.Random(seed)
    services_ = [
        s
        for s in Service.objects.filter(name__in=TITLES).prefetch_related("customers")
        if s.customers.exists()
    ]
    desk = Team.objects.filter(name="Service Desk").prefetch_related("members").first()
    agents = list(desk.members.all()) if desk else []
    callers = {}
    for person in Person.objects.filter(organization__kind="customer"):
        callers.setdefault(person.organization_id, []).append(person)
    now = timezone.now()
    for _ in range(count):
        service = rng.choice(services_)
        customer = rng.choice(list(service.customers.all()))
        opened = now - dt.timedelta(days=rng.uniform(0, days), hours=rng.uniform(0, 10))
        title = rng.choice(TITLES[service.name])
        kind = (
            Incident.Kind.REQUEST
            if title.startswith(("Request", "Access", "Laptop", "Restore request"))
            else Incident.Kind.INCIDENT
        )
        incident = services.incident_create(
            actor=actor,
            now=opened,
            derived={"kind": kind},
            data={
                "title": title,
                "service": service,
                "customer": customer,
                "caller": rng.choice(callers.get(customer.pk, [None])),
                "channel": rng.choice(["email", "portal", "phone", "monitoring"]),
                "category": "request" if kind == Incident.Kind.REQUEST else rng.choice(CATEGORIES[:-1]),
                "impact": rng.choices([1, 2, 3], [1, 3, 6])[0],
                "urgency": rng.choices([1, 2, 3], [1, 3, 6])[0],
                "assignment_group": desk,
            },
        )
        Incident.objects.filter(pk=incident.pk).update(created=opened)
        _work(rng, incident, opened, now, agents)


def _work(rng: random.Random, incident: Incident, opened: dt.datetime, now: dt.datetime, agents) -> None:
    """Walk a ticket through a plausible history; recent ones stay open."""
    t = opened + dt.timedelta(minutes=rng.uniform(5, 180))
    if t >= now:
        return
    incident = services.incident_update(
        actor=None, instance=incident, now=t, data={"assignee": rng.choice(agents)} if agents else {}
    )
    incident = services.incident_transition(actor=None, instance=incident, transition="start_work", now=t)
    if rng.random() < 0.25:
        t += dt.timedelta(hours=rng.uniform(0.5, 6))
        if t >= now:
            return
        incident = services.incident_transition(
            actor=None, instance=incident, transition="await_customer", now=t
        )
        t += dt.timedelta(hours=rng.uniform(2, 48))
        if t >= now:
            return
        incident = services.incident_transition(actor=None, instance=incident, transition="resume", now=t)
    t += dt.timedelta(hours=rng.expovariate(1 / 10))
    if t >= now:
        return
    incident = services.incident_transition(
        actor=None,
        instance=incident,
        transition="resolve",
        now=t,
        data={
            "resolution_code": rng.choice(["fixed", "workaround", "no_fault_found", "fulfilled"]),
            "resolution_notes": "Resolved by the service desk.",
        },
    )
    t += dt.timedelta(days=rng.uniform(1, 5))
    if t < now:
        services.incident_transition(actor=None, instance=incident, transition="close", now=t)


REQUEST_ITEMS = [
    (
        "Service Desk",
        "New user account",
        "Create the account in the directory, add the standard groups, send the first-login link.",
        True,
        4 * 3600,
        2 * 86400,
    ),
    (
        "Service Desk",
        "Access to shared mailbox",
        "Check the mailbox owner's approval, then grant full access in the mail admin console.",
        True,
        4 * 3600,
        86400,
    ),
    (
        "Service Desk",
        "Laptop replacement",
        "Order from the framework contract; image and ship.",
        False,
        8 * 3600,
        5 * 86400,
    ),
    (
        "Backup and Restore",
        "Restore request",
        "Restore to an alternate path first; the requester confirms before overwriting.",
        False,
        2 * 3600,
        86400,
    ),
]


def _catalogue_and_definitions(actor) -> None:
    desk = Team.objects.filter(name="Service Desk").first()
    for service_name, name, instructions, approval, response, resolution in REQUEST_ITEMS:
        service = Service.objects.filter(name=service_name).first()
        if service and not RequestItem.objects.filter(service=service, name=name).exists():
            RequestItem.objects.create(
                service=service,
                name=name,
                fulfilment_instructions=instructions,
                needs_approval=approval,
                fulfilment_group=desk,
                response_target_s=response,
                resolution_target_s=resolution,
            )
    for agreement in ServiceLevelAgreement.objects.filter(status=ServiceLevelAgreement.Status.AGREED):
        MajorIncidentDefinition.objects.get_or_create(
            customer=agreement.customer,
            service=agreement.service,
            defaults={
                "criteria": f"{agreement.service} unavailable to most users, or a P1 that cannot be "
                "worked around within 30 minutes.",
                "priority_at_or_above": 1,
                "agreed_on": agreement.valid_from,
            },
        )


def _majors_and_security(actor, now) -> None:
    manager = (
        Person.objects.filter(name="Maria Keller").first()
        or Person.objects.filter(organization__kind="provider").first()
    )
    service = Service.objects.filter(name="Web Application Hosting").prefetch_related("customers").first()
    if service is None or manager is None or not service.customers.exists():
        return
    customer = service.customers.first()
    desk = Team.objects.filter(name="Service Desk").first()
    opened = now - dt.timedelta(days=9, hours=3)
    past = services.incident_create(
        actor=actor,
        now=opened,
        data={
            "title": "Web shop down: checkout returns 502 for all users",
            "service": service,
            "customer": customer,
            "channel": "monitoring",
            "category": "availability",
            "impact": 1,
            "urgency": 1,
            "assignment_group": desk,
        },
    )
    Incident.objects.filter(pk=past.pk).update(created=opened)
    past = major.major_declare(actor=actor, incident=past, manager=manager, note="Declared by the duty lead.")
    for audience, text in (
        ("customer", "We are aware of the checkout outage; engineers are restoring the load balancer."),
        ("customer", "Service restored at 11:40; we are watching it closely."),
    ):
        major.update_add(actor=actor, incident=past, audience=audience, body=text)
    past = services.incident_transition(
        actor=actor,
        instance=past,
        transition="resolve",
        now=opened + dt.timedelta(hours=2),
        data={
            "resolution_code": "fixed",
            "resolution_notes": "Load balancer pool restored; bad config rolled back.",
        },
    )
    major.review_record(
        actor=actor,
        data={
            "incident": past,
            "held_on": (opened + dt.timedelta(days=2)).date(),
            "participants": "Maria Keller, Ewa Nowak, customer's e-commerce manager",
            "summary": "A configuration push emptied the load balancer pool; checkout failed for 1 h 50 min.",
            "root_cause": "The deployment pipeline accepted an empty pool definition.",
            "went_well": "Monitoring raised the alarm within two minutes.",
            "to_improve": "Validate pool definitions before they are pushed.",
            "actions": "Add a pre-push validation step (change to be raised).",
        },
    )
    services.incident_transition(
        actor=actor, instance=past, transition="close", now=opened + dt.timedelta(days=3)
    )
    ongoing = services.incident_create(
        actor=actor,
        data={
            "title": "Database cluster failover loop",
            "service": Service.objects.filter(name="Managed PostgreSQL").first() or service,
            "customer": customer,
            "channel": "monitoring",
            "category": "availability",
            "impact": 1,
            "urgency": 1,
            "assignment_group": desk,
        },
    )
    major.major_declare(actor=actor, incident=ongoing, manager=manager)
    for title, category, risk in (
        ("Phishing mail reported by several staff", "phishing", 2),
        ("Malware detected on a jump host", "malware", 1),
        ("Suspicious logins from an unknown country", "unauthorised_access", 2),
    ):
        services.incident_create(
            actor=actor,
            data={
                "title": title,
                "customer": customer,
                "service": service,
                "category": "security",
                "is_security": True,
                "security_category": category,
                "security_risk": risk,
                "assignment_group": desk,
            },
        )
