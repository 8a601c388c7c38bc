"""Information security kept as the checks expect, for tests of other areas (the well-run provider)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from servitium.audits import services as audit_services
from servitium.audits.models import AuditProgramme, ChecklistItem
from servitium.catalog.models import Service
from servitium.changes.models import Change
from servitium.core import services as core_services
from servitium.documents import selectors as document_selectors
from servitium.documents import services as document_services
from servitium.documents.models import Document
from servitium.incidents import services as incident_services
from servitium.parties.models import Organization, Person
from servitium.risks import services as risk_services
from servitium.security.models import (
    AccessGrant,
    SecurityControl,
    SecurityImpactAssessment,
    SecurityIncidentLink,
    SecurityRiskAssessment,
    SecuritySettings,
)
from servitium.security.services import ASSESSED_CATEGORIES


def _make(model, m2m=None, **data):
    return core_services.record_create(model=model, data={}, derived=data, m2m=m2m or {}, actor=None)


def well_kept_security(*, provider: Any) -> None:
    """The security policy (the documents app's policy of the security process, else a new one) with a
    version in force approved by top management, published and acknowledged by everyone it reaches;
    settings with objectives, the risk approach and the change assessment rule; a risk assessment of this
    year whose risk is treated by an implemented, reviewed control (and a control that does not apply, with
    its reason); a security impact assessment of every approved change, dated no later than its approval;
    a security incident resolved, linked and reviewed; the reviewed access of an external supplier; an
    internal audit of information security, reported."""
    from tests.documents.conftest import in_force, person_user
    from tests.security.conftest import policy_in_force

    today = timezone.localdate()
    officer = person_user("wk_security", "Sid Security", provider, ["security-manager"])
    chief = person_user("wk_ceo", "Clara Chief", provider, ["top-management"])
    me = officer.person
    live = list(Service.objects.filter(status=Service.Status.LIVE).order_by("pk"))

    # The policy: a controlled document in force, approved by top management, published.
    policy = next(
        (
            d
            for d in Document.objects.filter(kind="policy").order_by("pk")
            if "security" in (d.processes or [])
        ),
        None,
    )
    if policy is None:
        policy = policy_in_force(officer, chief)
    else:
        in_force(policy, officer, chief)
        policy = core_services.record_update(
            instance=Document.objects.get(pk=policy.pk), data={"requires_acknowledgement": True}, actor=None
        )
    for person in document_selectors.audience(policy):  # communicated: everyone it reaches has read it
        document_services.acknowledgement_create(
            actor=None, data={"document": policy}, derived={"person": person}
        )
    policy.refresh_from_db()
    _make(
        SecuritySettings,
        policy=policy,
        objectives="No customer data disclosed; security incidents resolved within a day.",
        risk_approach=(
            "Yearly assessment with the risk matrix; risks above 12 are treated, the owner accepts the rest."
        ),
        assessment_interval_months=12,
        require_change_assessment=True,
    )

    # A security risk, assessed and treated in the risk register (as the register's builder does).
    risk_services.matrix_ensure()
    risk = risk_services.risk_create(
        actor=None,
        data={
            "kind": "risk",
            "category": "service",
            "title": "Stolen administrator credentials",
            "owner": me,
            "likelihood": 3,
            "impact": 4,
            "customer_impact": "Customers' mail could be read.",
        },
        m2m={"services": live} if live else {},
    )
    risk = risk_services.risk_transition(actor=None, instance=risk, transition="assess")
    risk_services.action_create(
        actor=None,
        data={
            "risk": risk,
            "description": "Enforce multi-factor sign-in",
            "owner": me,
            "due_date": today + dt.timedelta(days=60),
        },
    )
    risk = risk_services.risk_transition(
        actor=None, instance=risk, transition="treat", data={"treatment_option": "reduce"}
    )

    # The register of controls: one implemented and reviewed, one that does not apply.
    control = _make(
        SecurityControl,
        m2m={"services": live, "risks": [risk]},
        identifier="A.5.15",
        title="Access control",
        description="Administrator access needs multi-factor sign-in and is granted per role.",
        category=SecurityControl.Category.TECHNOLOGICAL,
        owner=me,
        status=SecurityControl.Status.IMPLEMENTED,
        evidence="Sign-in policy export and the quarterly access review.",
        last_reviewed=today - dt.timedelta(days=30),
        review_interval_months=12,
    )
    _make(
        SecurityControl,
        identifier="A.7.1",
        title="Physical security perimeters",
        description="Perimeters protect the areas holding information.",
        category=SecurityControl.Category.PHYSICAL,
        owner=me,
        status=SecurityControl.Status.NOT_APPLICABLE,
        justification="No premises of our own hold information; the hosting contract covers the datacentre.",
    )
    _make(
        SecurityRiskAssessment,
        m2m={"services": live, "risks": [risk], "controls": [control]},
        date=today - dt.timedelta(days=30),
        scope="All live services",
        assessor=me,
        method="The risk matrix with a threat workshop",
        result_summary="One risk above the acceptance level, treated by access control.",
        next_due=today + dt.timedelta(days=335),
    )

    # Every change approved (normal, major, emergency) was assessed for security impact first.
    assessed = SecurityImpactAssessment.objects.values("change")
    for change in Change.objects.filter(approved_at__isnull=False, category__in=ASSESSED_CATEGORIES).exclude(
        pk__in=assessed
    ):
        _make(
            SecurityImpactAssessment,
            change=change,
            impact=SecurityImpactAssessment.Impact.LOW,
            notes="No new risk; access control unchanged.",
            assessor=me,
            assessed_on=min(timezone.localdate(change.approved_at), timezone.localdate(change.created)),
        )

    # A security incident: classified, resolved, closed, linked to the control and risk, reviewed.
    if live:
        service = live[0]
        customer = service.customers.order_by("pk").first()
        reporter = core_services.record_create(
            model=Person,
            data={"name": "Rita Reporter", "organization": customer, "email": "rita@reporter.example"},
            actor=None,
        )
        ticket = incident_services.incident_create(
            actor=None,
            data={
                "customer": customer,
                "caller": reporter,  # told by mail when it is resolved (2011 8.1.s6)
                "title": "Phishing mail reached staff",
                "kind": "incident",
                "service": service,
                "category": "security",
                "is_security": True,
                "security_category": "phishing",
                "security_risk": 2,
            },
        )
        for step, data in (
            ("start_work", None),
            ("resolve", {"resolution_code": "fixed", "resolution_notes": "Mail purged, passwords reset."}),
            ("close", None),
        ):
            ticket = incident_services.incident_transition(
                actor=None, instance=ticket, transition=step, data=data
            )
        _make(
            SecurityIncidentLink,
            m2m={"controls": [control], "risks": [risk]},
            incident=ticket,
            reviewed_by=me,
            reviewed_on=today,
            review_notes="Multi-factor sign-in held; awareness training repeated.",
        )

    # External parties' access: the supplier's, with its purpose, reviewed on time.
    supplier = Organization.objects.filter(kind="supplier").order_by("pk").first()
    if supplier is not None:
        _make(
            AccessGrant,
            m2m={"services": live},
            organization=supplier,
            purpose="Remote support of the hosting platform",
            information="Server logs",
            granted_by=me,
            valid_from=today - dt.timedelta(days=60),
            last_reviewed=today - dt.timedelta(days=10),
        )

    # An internal audit of information security, reported.
    programme = AuditProgramme.objects.filter(year=today.year).first()
    if programme is not None:
        planned = audit_services.audit_create(
            actor=None,
            data={
                "title": "Information security",
                "programme": programme,
                "scope_areas": ["security"],
                "scope_clauses": "iso20000-1:2018#8.7.3",
                "criteria": "The standard and our security policy",
                "objectives": "Find out whether the security controls work as the policy says.",
                "planned_start": today,
                "planned_end": today,
                "lead_auditor": programme.owner,
            },
        )
        running = audit_services.audit_transition(actor=None, instance=planned, transition="start")
        ChecklistItem.objects.filter(audit=running).update(verdict="conforms")
        audit_services.audit_transition(
            actor=None, instance=running, transition="report", data={"summary": "Conforms."}
        )
