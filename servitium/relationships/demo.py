"""Demo data of business relationship management: relationship managers (one customer left without, so
the check shows a gap), communications, complaint definitions, complaints in several states including an
escalated one, and a periodic survey round whose low score raised an improvement opportunity."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.catalog.models import Service
from servitium.core import services as core_services
from servitium.parties.models import Organization, Person

from . import services
from .models import Communication, Complaint, ComplaintDefinition, CustomerRelationship, Survey

DEFINITION = (
    "Any expression of dissatisfaction about a service or about how we handled a request or incident, "
    "made in writing or by phone to the service desk or the relationship manager, that the customer asks "
    "us to treat as a complaint."
)
QUESTIONS = [
    {"id": "overall", "text": "How satisfied are you with our services overall?", "type": "scale"},
    {"id": "desk", "text": "How satisfied are you with the service desk?", "type": "scale"},
    {"id": "comment", "text": "What should we do better?", "type": "text"},
]


# Named rather than "the last by name", so that a customer another demo adds later (design's Elm Analytics)
# does not move the gap on a second load.
NO_RELATIONSHIP = "Dunmore City Council"


def load(*, actor) -> None:
    """Create this app's demo records idempotently."""
    customers = list(Organization.objects.filter(kind="customer").order_by("name"))
    if not customers:
        return
    manager = Person.objects.get(name="Maria Keller")
    lead = Person.objects.get(name="Jonas Weber")
    today = timezone.localdate()
    for customer in customers:
        if customer.name == NO_RELATIONSHIP:  # this customer has none yet: the check reports it
            continue
        if not CustomerRelationship.objects.filter(customer=customer).exists():
            core_services.record_create(
                model=CustomerRelationship,
                data={
                    "customer": customer,
                    "relationship_manager": manager if customer.name < "C" else lead,
                    "business_context": customer.description,
                    "next_review_due": today + dt.timedelta(days=60),
                },
                actor=actor,
            )
        if not ComplaintDefinition.objects.filter(customer=customer).exists():
            core_services.record_create(
                model=ComplaintDefinition,
                data={
                    "customer": customer,
                    "definition": DEFINITION,
                    "agreed_on": today.replace(month=1, day=15),
                },
                actor=actor,
            )
        if not Communication.objects.filter(customer=customer).exists():
            core_services.record_create(
                model=Communication,
                data={
                    "customer": customer,
                    "occurred_on": today - dt.timedelta(days=14),
                    "channel": "meeting",
                    "summary": "Quarterly business review: growth plans and the storage roadmap.",
                    "follow_up": "Send capacity forecast by month end.",
                },
                actor=actor,
            )
    if not Complaint.objects.exists():
        alder, cedar = customers[0], next((c for c in customers if c.name.startswith("Cedar")), customers[-1])
        email = Service.objects.filter(name="Hosted Email").first()
        web = Service.objects.filter(name="Web Application Hosting").first()
        first = services.complaint_create(
            actor=actor,
            data={
                "customer": alder,
                "title": "Repeated VPN drop-outs at the Rotterdam depot",
                "description": "Third week running that handhelds lose the connection at shift start.",
                "received_via": "email",
            },
        )
        services.complaint_transition(actor=actor, instance=first, transition="investigate")
        services.complaint_escalate(
            actor=actor,
            instance=first,
            reason="Not resolved after two weeks; customer asked for management attention.",
        )
        second = services.complaint_create(
            actor=actor,
            data={
                "customer": cedar,
                "service": web,
                "title": "Web shop slow during the sale",
                "description": "Checkout took over 10 seconds on Saturday afternoon.",
                "received_via": "call",
            },
        )
        services.complaint_transition(actor=actor, instance=second, transition="investigate")
        services.complaint_transition(
            actor=actor,
            instance=second,
            transition="resolve",
            data={
                "findings": "Autoscaling limit reached; the limit was set for last year's traffic.",
                "resolution": "Limit raised and load test scheduled before each sale; credit of 5 % applied.",
            },
        )
        services.complaint_transition(actor=actor, instance=second, transition="close")
        if email:
            services.complaint_create(
                actor=actor,
                data={
                    "customer": customers[1],
                    "service": email,
                    "title": "Spam filter holds invoices",
                    "description": "Supplier invoices end up in quarantine.",
                    "received_via": "portal",
                },
            )
    if not Survey.objects.exists():
        survey = core_services.record_create(
            model=Survey,
            data={
                "title": f"Customer satisfaction {today.year}",
                "kind": "periodic",
                "questions": QUESTIONS,
                "period_start": today.replace(month=1, day=1),
                "period_end": today.replace(month=12, day=31),
            },
            actor=actor,
        )
        survey = services.survey_set_status(actor=actor, survey=survey, status="open")
        invitations = services.survey_round_send(
            actor=actor, survey=survey, sample_size=6, seed=2026, label="autumn"
        )
        scores = [
            (5, 4, ""),
            (4, 4, "Keep the monthly reports coming."),
            (2, 1, "Service desk hard to reach at 8 am."),
        ]
        for invitation, (overall, desk, comment) in zip(invitations, scores, strict=False):
            services.survey_response_submit(
                actor=actor,
                data={
                    "survey": survey,
                    "invitation": invitation,
                    "answers": {"overall": overall, "desk": desk, "comment": comment},
                },
            )
