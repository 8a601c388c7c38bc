"""Availability and continuity kept as the checks expect, for tests of other areas (the well-run
provider)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.agreements import services as sla_services
from servitium.agreements.models import ServiceLevelAgreement, ServiceTarget
from servitium.availability import services
from servitium.availability.models import AvailabilityRequirement, ContinuityRequirement
from servitium.catalog.models import Service
from servitium.core import services as core_services


def _with_availability_target(agreement: ServiceLevelAgreement, target: str) -> None:
    """An agreed SLA without an availability target is renegotiated: reopened, the target added, agreed."""
    if ServiceTarget.objects.filter(agreement=agreement, metric="availability").exists():
        return
    draft = sla_services.agreement_transition(actor=None, instance=agreement, transition="reopen")
    sla_services.target_create(
        actor=None, data={"agreement": draft, "metric": "availability", "target_value": target}
    )
    sla_services.agreement_transition(actor=None, instance=draft, transition="agree")


def well_kept_availability(target: str = "99.5") -> None:
    """Every live service: an availability target in each of its agreed SLAs, its availability
    requirement, continuity requirements (with the availability while invoked) and an approved,
    complete continuity plan tested recently and reviewed after the test; outages derived from major
    incidents; one approved availability plan for the whole provider."""
    from tests.availability.conftest import PLAN_TEXT

    today = timezone.localdate()
    live = list(Service.objects.filter(status="live").order_by("name"))
    for service in live:
        for agreement in ServiceLevelAgreement.objects.filter(service=service, status="agreed"):
            _with_availability_target(agreement, target)
        if not AvailabilityRequirement.objects.filter(service=service).exists():
            core_services.record_create(
                model=AvailabilityRequirement,
                data={
                    "service": service,
                    "maintenance_allowance_minutes": 60,
                    "requirement": f"{target} % in service hours, agreed in the SLAs.",
                    "access_rights": "The customer's named users, with single sign-on.",
                    "response_times": "Pages answer within 2 seconds for 95 % of requests.",
                },
                actor=None,
            )
        if not ContinuityRequirement.objects.filter(service=service).exists():
            core_services.record_create(
                model=ContinuityRequirement,
                data={
                    "service": service,
                    "rto_minutes": 240,
                    "rpo_minutes": 15,
                    "priority": 1,
                    "availability_when_invoked": "95.0",
                    "requirement": "Agreed in the service review: recovery within 4 hours.",
                },
                actor=None,
            )
        _continuity_risk(service)
        plan = services.continuity_plan_create(
            actor=None,
            data={"title": f"{service.name} site loss", "location": "Printed copy at the duty desk"}
            | PLAN_TEXT,
            m2m={"services": [service]},
        )
        plan = services.continuity_plan_transition(actor=None, instance=plan, transition="approve")
        services.continuity_test_create(
            actor=None,
            data={
                "plan": plan,
                "tested_on": today - dt.timedelta(days=10),
                "scenario": "Primary site lost; fail over to the second site.",
                "result": "passed",
                "recovery_minutes": 120,
                "findings": "Recovered within the RTO.",
            },
        )
        plan.refresh_from_db()
        services.continuity_plan_review(actor=None, instance=plan, note="Test passed; plan unchanged.")
    services.outages_sync(actor=None)
    plan = services.availability_plan_create(
        actor=None,
        data={
            "title": "Availability plan",
            "requirements_and_targets": f"Every live service: {target} % in service hours, per its SLAs.",
            "measures": "Redundant servers, monitoring, maintenance in agreed windows.",
            "risks": "Loss of the primary site; supplier outages.",
        },
    )
    services.availability_plan_transition(actor=None, instance=plan, transition="approve")


def _continuity_risk(service: Service) -> None:
    """The loss of the service's site, assessed and treated in the risk register (2018 8.7.2.s1)."""
    from servitium.parties.models import Person
    from servitium.risks import services as risk_services

    risk_services.matrix_ensure()
    owner = service.owner or Person.objects.order_by("pk").first()
    risk = risk_services.risk_create(
        actor=None,
        data={
            "kind": "risk",
            "category": "service",
            "title": f"Loss of the site running {service.name}",
            "owner": owner,
            "likelihood": 2,
            "impact": 5,
            "customer_impact": "The service stops until it is recovered at the second site.",
        },
        m2m={"services": [service]},
    )
    risk = risk_services.risk_transition(actor=None, instance=risk, transition="assess")
    risk_services.action_create(
        actor=None,
        data={
            "risk": risk,
            "description": "Test the fail-over to the second site",
            "owner": owner,
            "due_date": timezone.localdate() + dt.timedelta(days=60),
        },
    )
    risk_services.risk_transition(
        actor=None, instance=risk, transition="treat", data={"treatment_option": "reduce"}
    )
