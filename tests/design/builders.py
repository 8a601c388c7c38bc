"""Design and transition kept as the checks expect, for tests of other areas (the well-run provider): a
change to a live service planned with its customer, designed, built, tested, accepted by a second
person, transitioned through a release and closed after reviewing its outcomes."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from servitium.agreements.models import ServiceLevelAgreement
from servitium.changes import services as change_services
from servitium.changes.models import Change
from servitium.design import services
from servitium.design.models import DesignProject
from tests.changes.conftest import change
from tests.design.conftest import FULL_DESIGN, move, planned, release_for

ASSESSED = {
    "risk_assessment": "Low: storage is mirrored.",
    "impact_assessment": "Mail slower for ten minutes.",
    "remediation_plan": "Switch back to the old volume.",
    "continuity_availability_impact": "None beyond the window.",
    "security_impact": "None: same encryption.",
    "capacity_impact": "Twice the storage.",
    "cost": "2,000 a year.",
    "test_plan": "Restore a mailbox from the new volume.",
    "justification": "Mailboxes reach their quota in three months.",
    "priority": 3,
}


def closed_change(service, *, manager, cis=()) -> Change:
    """A normal change to the service, assessed in every respect, approved, implemented, reviewed and
    closed by a change manager."""
    made = change(
        "Mail storage upgrade",
        cis=cis,
        services_=[service],
        start=timezone.now() - dt.timedelta(days=3),
        **ASSESSED,
    )
    for step, data in (
        ("submit", None),
        ("approve", None),
        ("implement", None),
        ("complete", None),
        ("review", {"review_notes": "Upgraded, no incident.", "objectives_met": True}),
        ("close", None),
    ):
        made = change_services.change_transition(actor=manager, instance=made, transition=step, data=data)
    return made


def reviewed_project(
    ctx, *, service, manager, manager2, owner, contact, change_manager, cis=()
) -> DesignProject:
    """A changed service taken from planning to closure; its change and the customer's agreements linked."""
    staff = SimpleNamespace(service=service, owner=owner, contact=contact)
    made = planned(ctx, staff, kind="changed", service=service)
    services.project_update(
        actor=None,
        instance=made,
        data={},
        m2m={
            "changes": [closed_change(service, manager=change_manager, cis=cis)],
            "agreements": list(ServiceLevelAgreement.objects.filter(service=service, status="agreed")),
        },
    )
    move(made, "approve_plan", manager)
    services.project_update(actor=None, instance=made, data=FULL_DESIGN)
    move(made, "approve_design", manager)
    services.project_update(actor=None, instance=made, data={"test_results": "Load and failover passed."})
    move(made, "start_acceptance", manager)
    services.criterion_update(
        actor=None, instance=made.criteria.get(), data={"result": "met", "evidence": "Load test report."}
    )
    move(made, "pass_acceptance", manager2)
    services.project_update(
        actor=None,
        instance=made,
        data={"transition_report": "Deployed in one window, no incident."},
        m2m={"releases": [release_for(service)]},
    )
    move(made, "complete_transition", manager)
    services.outcome_update(actor=None, instance=made.outcomes.get(), data={"achieved": "3", "met": True})
    services.project_update(
        actor=None,
        instance=made,
        data={"review_conclusions": "Met its targets.", "reported_to": "Customer board, by mail."},
    )
    return move(made, "close", manager)
