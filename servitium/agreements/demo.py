"""Demo data of service level management: an agreed SLA for every customer and service it receives,
targets per priority, an internal agreement with the finance department, held and planned reviews."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.catalog.models import Service
from servitium.core.models import ServiceHoursCalendar
from servitium.parties.models import Organization, Person

from . import services
from .models import ServiceLevelAgreement, ServiceReview

H = 3600
# priority -> (response, resolution) in business seconds
STANDARD = {
    1: (15 * 60, 4 * H),
    2: (30 * 60, 8 * H),
    3: (2 * H, 24 * H),
    4: (4 * H, 40 * H),
    5: (8 * H, 80 * H),
}
EXCEPTIONS = [
    {
        "kind": "planned_maintenance",
        "description": "Sundays 02:00-06:00 CET, announced at least 5 working days ahead.",
    },
    {
        "kind": "force_majeure",
        "description": "Events outside reasonable control, such as natural disasters or war.",
    },
    {"kind": "customer_caused", "description": "Outages caused by the customer's own changes or equipment."},
]


def _agreement(actor, customer, service, calendar, manager, signatory, *, kind="sla", agree=True):
    existing = ServiceLevelAgreement.objects.filter(kind=kind, customer=customer, service=service).first()
    if existing:
        return existing
    today = timezone.localdate()
    agreement = services.agreement_create(
        actor=actor,
        data={
            "kind": kind,
            "title": f"{service.name} for {customer.name}",
            "customer": customer,
            "service": service,
            "calendar": calendar,
            "valid_from": today.replace(month=1, day=1),
            "valid_until": today.replace(year=today.year + 1, month=12, day=31),
            "service_level_manager": manager,
            "customer_signatory": signatory,
            "scope": f"{service.description} Delivered to {customer.name} from Frankfurt and Dublin.",
            "workload": {
                "expected_volumes": [
                    {"measure": "incidents per month", "value": 30},
                    {"measure": "service requests per month", "value": 80},
                ],
                "peak_periods": ["month end", "Black Friday week"]
                if "Cedar" in customer.name
                else ["month end"],
            },
            "exceptions": EXCEPTIONS,
            "pause_statuses": ["pending_customer"],
        },
    )
    for priority, (response, resolution) in STANDARD.items():
        services.target_create(
            actor=actor,
            data={
                "agreement": agreement,
                "metric": "response_time",
                "priority": priority,
                "target_value": response,
            },
        )
        services.target_create(
            actor=actor,
            data={
                "agreement": agreement,
                "metric": "resolution_time",
                "priority": priority,
                "target_value": resolution,
            },
        )
    services.target_create(
        actor=actor,
        data={
            "agreement": agreement,
            "metric": "availability",
            "target_value": "99.9" if kind == "sla" else "99.5",
        },
    )
    if agree:
        services.agreement_transition(actor=actor, instance=agreement, transition="agree", note="signed")
    return agreement


def load(*, actor) -> None:
    """Create this app's demo records idempotently."""
    office = ServiceHoursCalendar.objects.get(name="Business hours Frankfurt")
    always = ServiceHoursCalendar.objects.get(name="24x7")
    manager = Person.objects.get(name="Maria Keller")
    signatories = {
        p.organization_id: p for p in Person.objects.filter(organization__kind="customer").order_by("-id")
    }
    for service in (
        Service.objects.filter(status=Service.Status.LIVE).prefetch_related("customers").order_by("name")
    ):
        for customer in service.customers.all():
            if customer.kind != Organization.Kind.CUSTOMER:
                continue
            calendar = (
                always
                if service.name in {"Virtual Compute", "Network Connectivity", "Hosted Email"}
                else office
            )
            # One pair left as a draft so the coverage check shows a real gap.
            agree = not (service.name == "Monitoring and Alerting" and customer.name == "Alder Logistics")
            _agreement(actor, customer, service, calendar, manager, signatories.get(customer.pk), agree=agree)
    finance = Organization.objects.filter(name="Nimbus Finance").first()
    desk = Service.objects.filter(name="Service Desk").first()
    if finance and desk:
        _agreement(
            actor,
            finance,
            desk,
            office,
            manager,
            Person.objects.filter(organization=finance).first(),
            kind="internal",
        )
    _reviews(actor)


def _reviews(actor) -> None:
    today = timezone.localdate()
    agreed = ServiceLevelAgreement.objects.filter(status="agreed", kind="sla").order_by("id")
    first = agreed.first()
    if first and not ServiceReview.objects.filter(agreement=first).exists():
        held = services.review_create(
            actor=actor,
            data={"agreement": first, "scheduled_for": today - dt.timedelta(days=20)},
            m2m={"attendees": [first.service_level_manager, first.customer_signatory]},
        )
        services.review_transition(
            actor=actor,
            instance=held,
            transition="hold",
            data={
                "held_on": (today - dt.timedelta(days=20)).isoformat(),
                "performance_discussed": "All resolution targets met; two P2 responses late in week 3.",
            },
        )
        services.review_update(
            actor=actor,
            instance=held,
            data={
                "actions": [
                    {
                        "description": "Add a second on-call engineer for P2 mornings",
                        "owner": "Jonas Weber",
                        "due": (today + dt.timedelta(days=10)).isoformat(),
                        "done": False,
                    }
                ]
            },
        )
        services.review_create(
            actor=actor, data={"agreement": first, "scheduled_for": today + dt.timedelta(days=70)}
        )
    # One agreement whose review date has passed, so the review check shows a gap.
    late = agreed.exclude(pk=getattr(first, "pk", None)).last()
    if late and late.next_review_due and late.next_review_due >= today:
        from servitium.core import services as core_services

        core_services.record_update(
            instance=late, data={}, derived={"next_review_due": today - dt.timedelta(days=5)}, actor=actor
        )
