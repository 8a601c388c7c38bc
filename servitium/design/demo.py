"""Demo data of service design and transition (idempotent: looked up by name or title first).

- "Managed Kubernetes", a new service for a new customer, Elm Analytics (Lena Vogel, Head of Platform):
  requirements from Elm of several kinds, agreed; a major change that opened its project on submit; the
  project taken through every stage (criteria met, outcomes achieved, release and change linked) and
  closed, which put the service live for Elm.
- The demo's major change "Retire the legacy web hosting control panel" gets its real project (opened
  when the change was submitted): a removal of Web Application Hosting in design, with handover items.
- Deliberate gaps: a changed-service project past planning without measurable outcomes, a
  requirement from Elm that was never agreed, and Elm's capacity requirement, raised from 120 to 200 worker
  nodes in the project spreadsheet with no change behind it (2011 7.1.s5), while its availability
  requirement was raised properly under the introducing change.
- The yearly portfolio review (2018 8.2.2): every live service fits but two. Web Application Hosting's
  legacy control panel is out of support and its removal change is proposed; Hosted Email runs below the
  margin objective and no change is proposed yet (the gap).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from servitium.catalog import services as catalog_services
from servitium.catalog.models import Service
from servitium.changes import services as change_services
from servitium.changes.models import Change
from servitium.cmdb.models import ConfigurationItem
from servitium.core import services as core_services
from servitium.parties.models import Organization, Person, User

from . import services
from .models import DesignProject, ServiceRequirement

ELM = "Elm Analytics"
LENA = "Lena Vogel"
MK = "Managed Kubernetes"
MK_CHANGE = "Introduce Managed Kubernetes"
REMOVAL_CHANGE = "Retire the legacy web hosting control panel"
GAP_TITLE = "Read replicas for Managed PostgreSQL"

PLAN = {
    "authorities": "Ewa Nowak owns the project and approves plan and design; the CAB approves the change; "
    "Elm's Head of Platform accepts the service.",
    "party_activities": "Nimbus builds and runs the clusters; Elm provides test workloads and its network "
    "ranges; Stratos adds rack space in Frankfurt.",
    "communication": "Fortnightly status call with Elm; release notes to Elm's platform team; service desk "
    "briefed a week before go-live.",
    "resources_human": "Two platform engineers for 10 weeks; one service desk trainer for 2 days.",
    "resources_technical": "Six worker nodes per site, a dedicated control-plane pool, 40 TB block storage.",
    "resources_information": "Reference architecture, runbooks, the CMDB entries of the new nodes.",
    "resources_financial": "Hardware 48,000 EUR (capital); licences 9,000 EUR a year.",
    "budget": Decimal("57000.00"),
    "milestones": "Plan agreed week 1; design approved week 3; pilot with Elm week 7; go-live week 10.",
    "risks": "Hardware delivery delay (mitigated by reserved capacity); on-call skills gap (training).",
    "dependencies": "Virtual Compute, Identity and Access and Block and Object Storage.",
    "testing": "Load test at three times Elm's forecast; failover between sites; restore from backup.",
    "impacts_financial": "New recurring revenue from Elm; capital spend this quarter.",
    "impacts_organisational": "Cloud Operations takes a second on-call rota.",
    "impacts_technical": "New network segments in both sites; more load on Identity and Access.",
    "impacts_sms": "New capacity, availability and continuity plans; the catalogue gains one service.",
}
DESIGN = {
    "delivery_responsibilities": "Cloud Operations operates the clusters; Ewa Nowak is service owner.",
    "delivery_activities": "Nimbus patches and upgrades; Elm deploys and runs its own workloads.",
    "staffing": "Two more engineers on the on-call rota, each with the Kubernetes administrator course.",
    "financial_needs": "Operating cost 6,500 EUR a month, charged to Elm under its contract.",
    "technology": "Upstream Kubernetes 1.30, managed control plane, CSI block storage, OIDC login.",
    "plans_and_policies": "Capacity, availability and continuity plans for the service; the backup policy "
    "extended to cluster state.",
    "agreements_notes": "An SLA with Elm (99.9 % monthly availability); the Stratos contract extended.",
    "sms_changes": "A new service owner role; Kubernetes added to the change policy's controlled CI types.",
    "catalogue_updates": "New catalogue entry Managed Kubernetes with one offering per cluster size.",
    "procedures": "Runbooks for upgrades and node failure; dashboards; a monthly service report section.",
    "effect_on_services": "Identity and Access serves one more tenant; storage grows by 40 TB.",
    "capacity_notes": "Sized for Elm's forecast of 120 nodes within a year.",
    "availability_notes": "Two sites, three control-plane nodes per cluster.",
    "continuity_notes": "Cluster state backed up hourly; restore tested before go-live.",
    "security_notes": "Network policies by default; audit logs to the SIEM.",
}
REQUIREMENTS = [
    ("functional", "Elm runs its analytics workloads on Kubernetes clusters it can create and scale itself."),
    ("service_level", "Clusters are available 99.9 % of each month."),
    ("capacity", "Up to 120 worker nodes within the first year."),
    ("security", "Logins through Elm's own identity provider; audit logs kept 12 months."),
    ("regulatory", "All data stays in EU data centres (GDPR)."),
    ("prerequisite", "Elm provides its network ranges and an OIDC identity provider before go-live."),
    ("context", "Batch jobs at night, interactive notebooks in office hours."),
]


def load(*, actor: Any) -> None:
    """Load this app's demo records (idempotent)."""
    if not Organization.objects.filter(kind="provider").exists():
        return
    with transaction.atomic():
        elm, lena = _elm(actor)
        _onboard(actor, elm, lena)
        ewa, sofia = (User.objects.filter(username=u).first() for u in ("ewa", "sofia"))
        owner = Person.objects.filter(name="Ewa Nowak").first()
        _managed_kubernetes(actor, elm, lena, owner, ewa, sofia)
        _removal(actor, owner, ewa)
        _gaps(actor, elm, lena, owner)
        _revisions(actor)
        _portfolio_review(actor)


def _elm(actor: Any) -> tuple[Organization, Person]:
    elm = Organization.objects.filter(name=ELM).first()
    if elm is None:
        elm = core_services.record_create(
            model=Organization,
            data={
                "name": ELM,
                "kind": "customer",
                "description": "Data analytics firm; runs its platform on Nimbus.",
            },
            actor=actor,
        )
    lena = Person.objects.filter(name=LENA, organization=elm).first()
    if lena is None:
        lena = core_services.record_create(
            model=Person,
            data={
                "name": LENA,
                "email": "lena.vogel@elm.example",
                "job_title": "Head of Platform",
                "organization": elm,
            },
            actor=actor,
        )
    return elm, lena


def _onboard(actor: Any, elm: Organization, lena: Person) -> None:
    """A new customer gets its relationship manager, its definition of a complaint and a first meeting
    (what the relationships demo gives every customer but one)."""
    from servitium.relationships import services as relationship_services
    from servitium.relationships.models import Communication, ComplaintDefinition, CustomerRelationship

    today = timezone.localdate()
    manager = Person.objects.filter(name="Maria Keller").first()
    if manager is not None and not CustomerRelationship.objects.filter(customer=elm).exists():
        core_services.record_create(
            model=CustomerRelationship,
            data={
                "customer": elm,
                "relationship_manager": manager,
                "business_context": "Moves its analytics platform to managed Kubernetes at Nimbus.",
                "next_review_due": today + dt.timedelta(days=60),
            },
            actor=actor,
        )
    if not ComplaintDefinition.objects.filter(customer=elm).exists():
        core_services.record_create(
            model=ComplaintDefinition,
            data={
                "customer": elm,
                "definition": "Any expression of dissatisfaction with the service from Elm's platform team.",
                "agreed_on": today - dt.timedelta(days=95),
                "agreed_with": lena,
            },
            actor=actor,
        )
    if not Communication.objects.filter(customer=elm).exists():
        relationship_services.communication_create(
            actor=actor,
            data={
                "customer": elm,
                "occurred_on": today - dt.timedelta(days=100),
                "channel": "meeting",
                "summary": "Kick-off workshop: Elm's requirements for a managed Kubernetes service.",
            },
            m2m={"participants": [lena]},
        )


def _agreement(actor: Any, service: Service, elm: Organization, lena: Person, owner) -> Any:
    """Elm's SLA for the new service, agreed before the design was approved."""
    from servitium.agreements import services as agreement_services
    from servitium.agreements.models import ServiceLevelAgreement
    from servitium.core.models import ServiceHoursCalendar

    found = ServiceLevelAgreement.objects.filter(kind="sla", customer=elm, service=service).first()
    if found is not None:
        return found
    today = timezone.localdate()
    agreement = agreement_services.agreement_create(
        actor=actor,
        data={
            "kind": "sla",
            "title": f"{service.name} for {elm.name}",
            "customer": elm,
            "service": service,
            "calendar": ServiceHoursCalendar.objects.filter(name="24x7").first(),
            "valid_from": today - dt.timedelta(days=60),
            "valid_until": today.replace(year=today.year + 1, month=12, day=31),
            "service_level_manager": Person.objects.filter(name="Maria Keller").first() or owner,
            "customer_signatory": lena,
            "scope": "Managed Kubernetes clusters in Frankfurt and Dublin for Elm's analytics platform.",
            "workload": {"expected_volumes": [{"measure": "worker nodes", "value": 120}]},
            "exceptions": [
                {
                    "kind": "planned_maintenance",
                    "description": "Sundays 02:00-06:00 CET, announced 5 days ahead.",
                }
            ],
        },
    )
    for metric, priority, value in (("availability", None, "99.9"), ("resolution_time", 1, 4 * 3600)):
        agreement_services.target_create(
            actor=actor,
            data={"agreement": agreement, "metric": metric, "priority": priority, "target_value": value},
        )
    agreement = agreement_services.agreement_transition(actor=actor, instance=agreement, transition="agree")
    # Agreed two months ago; its first service review fell due last week (a gap of service level
    # management, and the agreements demo's "late review" rule has nothing left to do on a second load).
    return core_services.record_update(
        instance=agreement,
        data={},
        derived={"agreed_on": today - dt.timedelta(days=60), "next_review_due": today - dt.timedelta(days=5)},
        actor=actor,
    )


def _requirements(actor: Any, service: Service, elm: Organization, lena: Person) -> list[ServiceRequirement]:
    made = []
    raised = timezone.localdate() - dt.timedelta(days=100)
    for kind, statement in REQUIREMENTS:
        found = ServiceRequirement.objects.filter(service=service, statement=statement).first()
        if found is None:
            found = services.requirement_create(
                actor=actor,
                data={
                    "service": service,
                    "customer": elm,
                    "kind": kind,
                    "statement": statement,
                    "source": "Elm's request for proposal and the kick-off workshop",
                    "source_person": lena,
                    "raised_on": raised,
                    "agreed_by": lena,
                    "agreed_on": raised + dt.timedelta(days=10),
                },
            )
            found = services.requirement_transition(actor=actor, instance=found, transition="agree")
        made.append(found)
    return made


def _managed_kubernetes(actor, elm, lena, owner, ewa, sofia) -> None:
    if DesignProject.objects.filter(title=MK_CHANGE).exists():
        return
    service = Service.objects.filter(name=MK).first() or catalog_services.service_create(
        actor=actor,
        data={
            "name": MK,
            "description": "Kubernetes clusters run by Nimbus for a customer's own workloads.",
            "owner": owner,
        },
    )
    requirements = _requirements(actor, service, elm, lena)
    today = timezone.localdate()
    capacity_plan = _capacity_plan(actor, service, owner, ewa, today)
    sla = _agreement(actor, service, elm, lena, owner)
    start = timezone.now() - dt.timedelta(days=40)
    change = change_services.change_create(
        actor=actor,
        data={
            "title": MK_CHANGE,
            "category": "major",
            "change_type": "service_change",
            "justification": "Elm Analytics signed for a managed Kubernetes service.",
            "risk_level": "medium",
            "planned_start": start,
            "planned_end": start + dt.timedelta(hours=4),
            "implementation_plan": "Build both sites' clusters, then onboard Elm in a pilot.",
            "remediation_plan": "Elm stays on its current hosting until acceptance.",
            "test_plan": "The project's load, failover and restore tests.",
            "impact_assessment": "New service; no effect on existing customers.",
            "risk_assessment": "Medium: new technology for operations.",
        },
        m2m={"affected_services": [service]},
    )
    change = change_services.change_transition(actor=actor, instance=change, transition="submit")
    project = DesignProject.objects.get(change=change)  # opened by the change's submission
    services.project_update(
        actor=actor,
        instance=project,
        data={
            **PLAN,
            **DESIGN,
            "owner": owner,
            "planned_start": today - dt.timedelta(days=90),
            "planned_end": today - dt.timedelta(days=20),
            "plan_agreed_by": lena,
            "plan_agreed_on": today - dt.timedelta(days=85),
            "test_results": "Load test at 3x forecast passed; failover in 4 min; restore in 35 min.",
            "tested_on": today - dt.timedelta(days=45),
            "capacity_plan": capacity_plan,
        },
        m2m={
            "requirements": requirements,
            "customers": [elm],
            "depends_on": _services("Virtual Compute", "Identity and Access"),
            "agreements": [sla],
        },
    )
    for text, evidence in (
        ("The load test at three times the forecast passes.", "Load test report of the pilot."),
        ("Failover between sites within 10 minutes.", "Failover test: 4 minutes."),
        ("A cluster is restored from backup within 1 hour.", "Restore test: 35 minutes."),
    ):
        services.criterion_create(
            actor=actor, data={"project": project, "criterion": text, "result": "met", "evidence": evidence}
        )
    outcomes = [
        services.outcome_create(actor=actor, data={"project": project, "measure": m, "target": t})
        for m, t in (("Monthly availability in the first month", "99.9 %"), ("Elm worker nodes in use", "40"))
    ]
    for step in ("approve_plan", "approve_design", "start_acceptance"):
        services.project_transition(actor=actor, instance=project, transition=step)
    services.project_transition(actor=ewa, instance=project, transition="pass_acceptance")
    change = _implement(actor, change, ewa, sofia)
    # the implemented change's window is a planned outage of the new service, as the nightly sync records it
    from servitium.availability import services as availability_services

    availability_services.outages_sync(actor=actor)
    release = _release(service, change, start)
    services.project_update(
        actor=actor,
        instance=project,
        data={"transition_report": "Both clusters built; Elm onboarded in the pilot week; no incidents."},
        m2m={"releases": [release], "changes": [change]},
    )
    services.project_transition(actor=ewa, instance=project, transition="complete_transition")
    for outcome, achieved in zip(outcomes, ("99.97 %", "46"), strict=True):
        services.outcome_update(actor=actor, instance=outcome, data={"achieved": achieved, "met": True})
    services.project_update(
        actor=actor,
        instance=project,
        data={
            "review_conclusions": "Both outcomes met; the on-call rota needs a third engineer by spring.",
            "reported_to": "Elm Analytics (Lena Vogel) at the service review; Nimbus management by mail.",
        },
    )
    services.project_transition(actor=ewa, instance=project, transition="close")


def _capacity_plan(actor, service: Service, owner, ewa, today: dt.date):
    """The new service's capacity plan, designed with it (approved by the design manager, written by the
    demo's administrator)."""
    from servitium.capacity import services as capacity_services

    plan = capacity_services.plan_create(
        actor=actor,
        data={
            "service": service,
            "title": f"Capacity plan {service.name} {today.year}",
            "owner": owner,
            "period_start": today - dt.timedelta(days=60),
            "period_end": today + dt.timedelta(days=305),
            "current_demand": "Elm Analytics: 46 worker nodes.",
            "forecast_demand": "120 worker nodes within a year, from Elm's forecast.",
            "demand_unit": "worker nodes",
            "current_demand_figure": Decimal("46"),
            "forecast_demand_figure": Decimal("120"),
            "requirements_impact": "99.9 % availability needs spare nodes in each site (N+1).",
            "upgrades": "Add a rack of nodes at 70 % allocation; each rack costs 24,000 EUR.",
            "external_changes": "Elm's growth plan; EU data residency.",
            "new_technology": "Autoscaling of worker pools.",
            "predictive_analysis": "Linear trend of allocated nodes, reviewed monthly with Elm.",
        },
    )
    for kind, item, current, need, unit in (
        ("human", "Platform engineers on call", 2, 3, "FTE"),
        ("technical", "Worker nodes", 60, 130, "nodes"),
        ("information", "Runbooks and dashboards", 1, 1, "set"),
        ("financial", "Hardware budget", 48000, 72000, "EUR"),
    ):
        capacity_services.line_create(
            actor=actor,
            data={
                "plan": plan,
                "resource_type": kind,
                "item": item,
                "current_capacity": Decimal(current),
                "forecast_need": Decimal(need),
                "unit": unit,
            },
        )
    return capacity_services.plan_transition(actor=ewa, instance=plan, transition="approve")


def _services(*names: str) -> list[Service]:
    return list(Service.objects.filter(name__in=names))


def _implement(actor, change: Change, ewa, sofia) -> Change:
    """The change goes through the CAB and is implemented once its project passed acceptance."""
    from servitium.security.models import SecurityImpactAssessment

    if not SecurityImpactAssessment.objects.filter(change=change).exists():
        core_services.record_create(
            model=SecurityImpactAssessment,
            data={},
            derived={
                "change": change,
                "impact": "low",
                "notes": "Network policies and OIDC reviewed.",
                "assessor": Person.objects.filter(name="Kenji Tanaka").first(),
            },
            actor=None,
        )
    for user in (ewa, sofia):
        change.refresh_from_db()
        if user is not None and change.status == "submitted":
            change_services.change_approval_record(
                actor=user, change=change, decision="approve", comment="CAB."
            )
    change.refresh_from_db()
    if change.status != "approved":
        return change
    change = change_services.change_transition(actor=actor, instance=change, transition="implement")
    change = change_services.change_transition(actor=actor, instance=change, transition="complete")
    return change_services.change_transition(
        actor=actor,
        instance=change,
        transition="review",
        data={"review_notes": "Delivered through design and transition.", "objectives_met": True},
    )


def _release(service: Service, change: Change, start) -> Any:
    from servitium.releases.models import Release

    return core_services.record_create(
        model=Release,
        data={},
        derived={
            "title": "Managed Kubernetes 1.0",
            "release_type": "major",
            "status": Release.Status.REVIEWED,
            "planned_start": start,
            "planned_end": start + dt.timedelta(hours=4),
            "deliverables": "Two production clusters, runbooks, dashboards.",
            "deployed_at": start + dt.timedelta(hours=3),
            "review_notes": "Deployed as planned.",
            "services": [service],
            "changes": [change],
        },
        actor=None,
    )


def _removal(actor: Any, owner, ewa) -> None:
    """The removal of Web Application Hosting, opened by the demo's major change: planned with its handover
    items, the plan approved, in design."""
    change = Change.objects.filter(title=REMOVAL_CHANGE).first()
    if change is None:
        return
    project = change.design_projects.order_by("pk").first()
    if project is None:
        services.open_for_major_change(change, actor)
        project = change.design_projects.order_by("pk").first()
    if project is None or project.status != DesignProject.Status.PLANNING or project.handover_items.exists():
        return
    service = project.service
    today = timezone.localdate()
    customers = list(service.customers.all()) if service else []
    contact = Person.objects.filter(organization__in=customers).order_by("name").first() or owner
    services.project_update(
        actor=actor,
        instance=project,
        data={
            "title": "Removal of Web Application Hosting",
            "owner": owner,
            **{k: v for k, v in PLAN.items() if k != "budget"},
            "authorities": "Ewa Nowak owns the removal; each customer confirms its sites were moved.",
            "party_activities": "Nimbus moves each site to the Kubernetes platform; customers test them.",
            "resources_financial": "Migration effort 12 person-days; no new spend.",
            "milestones": "Customers told now; sites moved in 6 weeks; hosting switched off in 8 weeks.",
            "risks": "A customer site that does not run in containers.",
            "testing": "Each moved site is compared with the old one before DNS is switched.",
            "dependencies": "Kubernetes Platform takes over the sites.",
            "planned_start": today,
            "planned_end": today + dt.timedelta(days=60),
            "plan_agreed_by": contact,
            "plan_agreed_on": today,
        },
        m2m={"customers": customers},
    )
    services.criterion_create(
        actor=actor, data={"project": project, "criterion": "Every customer site runs on the new platform."}
    )
    services.outcome_create(
        actor=actor, data={"project": project, "measure": "Sites left on the old hosting", "target": "0"}
    )
    server = ConfigurationItem.objects.filter(name="web-fra-01").first()
    for data in (
        {"kind": "data", "description": "Customer web content and logs", "action": "archive"},
        {
            "kind": "knowledge",
            "description": "Hosting runbooks moved to the platform team",
            "action": "transfer",
        },
        {"kind": "ci", "ci": server, "description": "Web server web-fra-01", "action": "retire"}
        if server
        else None,
    ):
        if data is not None:
            services.handover_create(
                actor=actor, data={"project": project, "target_date": today + dt.timedelta(days=56), **data}
            )
    if service is not None:
        project.requirements.add(
            services.requirement_create(
                actor=actor,
                data={
                    "service": service,
                    "kind": "prerequisite",
                    "statement": "Each customer names a contact who tests its moved site.",
                    "source": "Removal planning",
                    "agreed_by": contact,
                    "agreed_on": today,
                },
            )
        )
        for requirement in project.requirements.filter(status="proposed"):
            services.requirement_transition(actor=actor, instance=requirement, transition="agree")
    project.refresh_from_db()
    if not services.L.next_step_blocked(project):
        services.project_transition(actor=ewa, instance=project, transition="approve_plan")


def _revisions(actor: Any) -> None:
    """One agreed requirement revised under the authorised change, one revised around change control."""
    change = Change.objects.filter(title=MK_CHANGE, status__in=Change.AUTHORISED).first()
    availability = ServiceRequirement.objects.filter(statement=REQUIREMENTS[1][1], status="agreed").first()
    if change is not None and availability is not None:
        services.requirement_update(
            actor=actor,
            instance=availability,
            data={"statement": "Clusters are available 99.95 % of each month.", "change": change},
        )
    capacity = ServiceRequirement.objects.filter(statement=REQUIREMENTS[2][1], status="agreed").first()
    if capacity is not None:
        core_services.record_update(  # written around the service, as a spreadsheet import would
            instance=capacity,
            data={"statement": "Up to 200 worker nodes within the first year."},
            derived={"revision": 1, "revised_on": timezone.localdate() - dt.timedelta(days=20)},
            actor=actor,
        )


PORTFOLIO_MISFITS = {
    "Web Application Hosting": "The legacy control panel is out of vendor support (security policy).",
    "Hosted Email": "Runs below the 2026 margin objective; two customers are moving to SaaS mail.",
}


def _portfolio_review(actor: Any) -> None:
    """The portfolio review of every live service, held ten days ago."""
    held = timezone.localdate() - dt.timedelta(days=10)
    for service in Service.objects.filter(status="live", portfolio_fit=""):
        note = PORTFOLIO_MISFITS.get(service.name, "")
        core_services.record_update(
            instance=service,
            data={
                "portfolio_fit": "does_not_fit" if note else "fits",
                "portfolio_reviewed_on": held,
                "portfolio_note": note,
            },
            actor=actor,
        )


def _gaps(actor: Any, elm: Organization, lena: Person, owner) -> None:
    """A project past planning that states no measurable outcome, and a requirement never agreed."""
    statement = "Support answers in German as well as English."
    if not ServiceRequirement.objects.filter(statement=statement).exists():
        service = Service.objects.filter(name=MK).first()
        if service is not None:
            services.requirement_create(
                actor=actor,
                data={
                    "service": service,
                    "customer": elm,
                    "kind": "context",
                    "statement": statement,
                    "source": "Mail from Lena Vogel",
                    "source_person": lena,
                    "raised_on": timezone.localdate() - dt.timedelta(days=120),
                },
            )
    if DesignProject.objects.filter(title=GAP_TITLE).exists():
        return
    service = Service.objects.filter(name="Managed PostgreSQL").first()
    if service is None:
        return
    today = timezone.localdate()
    services.project_create(
        actor=actor,
        data={},
        derived={
            "title": GAP_TITLE,
            "kind": DesignProject.Kind.CHANGED,
            "service": service,
            "owner": Person.objects.filter(name="Sofia Rossi").first() or owner,
            "status": DesignProject.Status.DESIGN,  # recorded as it stood when taken over, approved outside
            **{k: v for k, v in PLAN.items() if k != "budget"},
            "dependencies": "Block and Object Storage.",
            "planned_start": today - dt.timedelta(days=10),
            "planned_end": today + dt.timedelta(days=50),
            "plan_agreed_by": Person.objects.filter(name="Grace Miller").first(),
            "plan_agreed_on": today - dt.timedelta(days=12),
            "planning_approved_at": timezone.now() - dt.timedelta(days=11),
        },
    )
