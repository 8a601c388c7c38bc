"""Fixtures of the design and transition tests: design staff, a pipeline service with a customer, and
builders that take a project to any stage the way a design team would."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from servitium.core import services as core_services
from servitium.design import services
from servitium.design.models import DesignProject
from tests import factories

FULL_PLAN = {
    "authorities": "Ewa approves the plan and the design; the CAB approves the change.",
    "party_activities": "Provider builds; the customer provides test users; the supplier delivers hardware.",
    "communication": "Fortnightly status mail to the customer; release notes to all users.",
    "resources_human": "Two platform engineers for three months.",
    "resources_technical": "Three worker nodes per site.",
    "resources_information": "Runbooks and the architecture decision records.",
    "resources_financial": "Hardware 40k, licences 12k a year.",
    "budget": "52000.00",
    "milestones": "Design by March, pilot in April, live in May.",
    "risks": "Supplier delay on hardware; skills gap in operations.",
    "dependencies": "Virtual Compute and Identity and Access.",
    "testing": "Load test to 3x the forecast demand; failover test in both sites.",
    "impacts_financial": "New revenue; capital spend this year.",
    "impacts_organisational": "A new on-call rota.",
    "impacts_technical": "Shared network segments change.",
    "impacts_sms": "New capacity plan and continuity plan.",
}
FULL_DESIGN = {
    "delivery_responsibilities": "Cloud Operations runs it; the service owner answers for it.",
    "delivery_activities": "Provider operates; the customer manages its workloads.",
    "staffing": "Two more on-call engineers, trained on the platform.",
    "financial_needs": "Operating cost 8k a month.",
    "technology": "Upstream Kubernetes with a managed control plane.",
    "plans_and_policies": "Capacity and continuity plans for the new service.",
    "agreements_notes": "An SLA per customer; the hardware contract extended.",
    "sms_changes": "A new service owner role.",
    "catalogue_updates": "A new catalogue entry with two offerings.",
    "procedures": "Runbooks, dashboards and a monthly report.",
    "effect_on_services": "More load on Identity and Access.",
}


@pytest.fixture
def staff(ctx):
    return SimpleNamespace(
        manager=factories.user("dsgm", ctx.provider, ["design-manager"]),
        manager2=factories.user("dsgm2", ctx.provider, ["design-manager"]),
        agent=factories.user("dsga", ctx.provider, ["design-agent"]),
        owner=factories.person("Pia Planner", ctx.provider),
        contact=factories.person("Carl Customer", ctx.org_a),
        service=factories.service("Managed Widgets", customers=[], status="pipeline"),
    )


def requirement(service, customer=None, *, agreed_by=None, **data):
    values = {
        "service": service,
        "customer": customer,
        "kind": "functional",
        "statement": "Widgets spin.",
        **data,
    }
    made = services.requirement_create(actor=None, data=values)
    if agreed_by is not None:
        core_services.record_update(instance=made, data={"agreed_by": agreed_by}, actor=None)
        made = services.requirement_transition(actor=None, instance=made, transition="agree")
    return made


def project(service, *, kind="new", actor=None, **data) -> DesignProject:
    return services.project_create(
        actor=actor, data={"title": f"Design of {service.name}", "kind": kind, "service": service, **data}
    )


def criterion(project_, text="Load test passes at 3x demand", **data):
    return services.criterion_create(actor=None, data={"project": project_, "criterion": text, **data})


def outcome(project_, measure="Customers live", target="3", **data):
    return services.outcome_create(
        actor=None, data={"project": project_, "measure": measure, "target": target, **data}
    )


def planned(ctx, staff, *, kind="new", service=None) -> DesignProject:
    """A project whose plan is complete and agreed with the customer: ready for design."""
    service = service or staff.service
    today = timezone.localdate()
    made = project(
        service,
        kind=kind,
        owner=staff.owner,
        planned_start=today,
        planned_end=today + dt.timedelta(days=90),
        plan_agreed_by=staff.contact,
        plan_agreed_on=today,
        **FULL_PLAN,
    )
    core_services.record_update(instance=made, data={}, m2m={"customers": [ctx.org_a]}, actor=None)
    req = requirement(service, ctx.org_a, agreed_by=staff.contact)
    made.requirements.add(req)
    criterion(made)
    outcome(made)
    if kind in ("removal", "transfer"):  # the plan of a removal or transfer lists what is handed over
        services.handover_create(
            actor=None,
            data={
                "project": made,
                "kind": "knowledge",
                "description": "Runbooks",
                "action": "archive",
                "done_at": today,
            },
        )
    return made


def move(project_, transition, actor=None):
    return services.project_transition(actor=actor, instance=project_, transition=transition)


def to_acceptance(ctx, staff, **kw) -> DesignProject:
    made = planned(ctx, staff, **kw)
    move(made, "approve_plan", staff.manager)
    services.project_update(actor=None, instance=made, data=FULL_DESIGN)
    move(made, "approve_design", staff.manager)
    services.project_update(
        actor=None, instance=made, data={"test_results": "All load and failover tests passed."}
    )
    return move(made, "start_acceptance", staff.manager)


def release_for(service):
    from servitium.releases.models import Release

    return core_services.record_create(
        model=Release, data={"title": f"Release of {service.name}", "release_type": "major"}, actor=None
    )


# the change management fixtures, for the change gate
from tests.changes.conftest import chg  # noqa: E402, F401
