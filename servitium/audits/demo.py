"""Demo data of internal audit for Nimbus Cloud Services: this year's programme (four process areas), two
audits done and reported with findings that opened nonconformities and an opportunity, one planned.

Deliberate gap: supplier management was planned for August and has not been audited (2018 9.2.2.a,
9.2.1.b; 2011 4.5.4.2.s2, 4.5.4.2.c)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from servitium.conformity.models import Requirement
from servitium.core import services as core_services
from servitium.improvement import services as improvement_services
from servitium.parties import services as party_services
from servitium.parties.models import Organization, Person, User

from . import services
from .models import Audit, AuditProgramme, ChecklistItem, Finding, ProgrammeItem

R18 = "iso20000-1:2018#"
ITEMS = [
    # area, clauses, risk, month
    ("incidents", f"{R18}8.6.1 {R18}8.6.2", "high", 3),
    ("suppliers", f"{R18}8.3.4", "medium", 8),  # never audited: the deliberate gap
    ("changes", f"{R18}8.5.1", "high", 10),
    ("problems", f"{R18}8.6.3", "medium", 12),
]


def _person(name: str) -> Person | None:
    return Person.objects.filter(name=name).first()


def _programme_owner(actor: Any) -> Person | None:
    """Paul Fischer runs the audit programme (he works in finance, outside the processes audited)."""
    paul = _person("Paul Fischer")
    if paul is not None and paul.user_id is None and not User.objects.filter(username="paul").exists():
        user = party_services.user_create(
            actor=actor,
            data={
                "username": "paul",
                "email": paul.email,
                "organization": Organization.objects.get(pk=paul.organization_id),
                "roles": ["audit-manager"],
            },
        )
        core_services.record_update(instance=paul, data={"user": user}, actor=actor)
    return paul


def load(*, actor: Any) -> None:
    """Create the demo records (idempotent)."""
    today = timezone.localdate()
    if AuditProgramme.objects.filter(year=today.year).exists():
        return
    owner = _programme_owner(actor)
    if owner is None:
        return
    programme = core_services.record_create(
        model=AuditProgramme,
        data={
            "year": today.year,
            "owner": owner,
            "approach": "High-risk processes (incidents, changes) every 6 months, others yearly; an "
            "area with open nonconformities or a major finding last time is audited sooner.",
            "methods": "Interviews, sampling of records in Servitium, observation at the service desk.",
        },
        actor=actor,
    )
    items = {}
    for area, clauses, risk, month in ITEMS:
        items[area] = services.programme_item_create(
            actor=actor,
            data={
                "programme": programme,
                "area": area,
                "clauses": clauses,
                "risk_level": risk,
                "planned_month": month,
            },
        )
    _incident_audit(actor, items["incidents"], owner, today)
    _change_audit(actor, items["changes"], owner, today)
    _planned_problem_audit(actor, items["problems"], owner, today)


# Written objectives per audit (2011 4.5.4.1.s2); the planned problem audit has none yet: a deliberate gap.
OBJECTIVES = {
    "Incident and service request management": "Find out whether tickets are classified, prioritised and "
    "resolved within the SLA targets, and whether customers are told how their tickets progress.",
    "Change management": "Find out whether every change is approved by the right authority before it is "
    "implemented, emergency changes included, and whether failed changes are reviewed.",
}


def _audit(
    actor: Any, item: ProgrammeItem, lead: Any, auditors: list, auditees: list, title: str, start: dt.date
) -> Audit:
    return services.audit_create(
        actor=actor,
        data={
            "title": title,
            "programme_item": item,
            "criteria": "ISO/IEC 20000-1:2018 and our own process descriptions and SLAs.",
            "objectives": OBJECTIVES.get(title, ""),
            "planned_start": start,
            "planned_end": start + dt.timedelta(days=2),
            "lead_auditor": lead,
        },
        m2m={"auditors": [p for p in auditors if p], "auditees": [p for p in auditees if p]},
    )


def _run(
    actor: Any, audit: Audit, findings: list[tuple[str, str, str, Any]], summary: str, day: dt.date
) -> Audit:
    """Start the audit, judge its checklist, record the findings and report it; the dates tell the story."""
    audit = services.audit_transition(actor=actor, instance=audit, transition="start")
    flagged = {identifier for _grade, identifier, _text, _owner in findings if identifier}
    for item in audit.checklist.select_related("requirement"):
        verdict = (
            ChecklistItem.Verdict.NONCONFORMITY if item.requirement.identifier in flagged else "conforms"
        )
        services.checklist_item_update(actor=actor, instance=item, data={"verdict": verdict})
    for grade, identifier, text, owner in findings:
        requirement = Requirement.objects.filter(
            framework__slug="iso20000-1:2018", identifier=identifier
        ).first()
        services.finding_create(
            actor=actor,
            data={
                "audit": audit,
                "grade": grade,
                "description": text,
                "requirement": requirement,
                "owner": owner,
            },
        )
    audit = services.audit_transition(
        actor=actor, instance=audit, transition="report", data={"summary": summary}
    )
    Audit.objects.filter(pk=audit.pk).update(started_on=day, reported_on=day + dt.timedelta(days=5))
    return audit


def _incident_audit(actor: Any, item: ProgrammeItem, lead: Any, today: dt.date) -> None:
    jonas = _person("Jonas Weber")
    start = dt.date(today.year, item.planned_month, 10)
    audit = _audit(
        actor,
        item,
        lead,
        [_person("Sofia Rossi")],
        [jonas, _person("Aisha Rahman")],
        "Incident and service request management",
        start,
    )
    _run(
        actor,
        audit,
        [
            (
                Finding.Grade.MINOR,
                "8.6.1.s1",
                "Three P2 incidents of 40 sampled had no recorded priority "
                "change reason after being downgraded.",
                jonas,
            ),
            (
                Finding.Grade.OBSERVATION,
                "",
                "Work notes are thorough; public replies are sometimes terse.",
                jonas,
            ),
            (
                Finding.Grade.OPPORTUNITY,
                "",
                "Suggest known-error search at ticket creation for the desk.",
                jonas,
            ),
        ],
        "The incident process is run as described; SLA clocks and escalations work. One minor "
        "nonconformity on priority changes.",
        start,
    )
    _follow_up(actor, audit, jonas, start)


def _follow_up(actor: Any, audit: Audit, owner: Any, start: dt.date) -> None:
    """The service desk acted on the finding; a re-check found it effective; the audit closed."""
    for finding in audit.findings.filter(grade__in=Finding.NONCONFORMITIES).select_related("nonconformity"):
        nc = finding.nonconformity
        for name, data in (
            ("record_correction", {"correction": "The three incidents were corrected."}),
            ("analyse_cause", {"root_cause": "The form allowed a priority change without a reason."}),
        ):
            nc = improvement_services.nonconformity_transition(
                actor=actor, instance=nc, transition=name, data=data
            )
        action = improvement_services.corrective_action_create(
            actor=actor,
            data={
                "nonconformity": nc,
                "description": "Priority changes require a reason in the incident form",
                "owner": owner,
                "due_date": start + dt.timedelta(days=30),
            },
        )
        nc = improvement_services.nonconformity_transition(actor=actor, instance=nc, transition="plan_action")
        improvement_services.corrective_action_transition(actor=actor, instance=action, transition="complete")
        nc = improvement_services.nonconformity_transition(
            actor=actor, instance=nc, transition="complete_action"
        )
        nc = improvement_services.nonconformity_transition(
            actor=actor,
            instance=nc,
            transition="effective",
            data={"effectiveness_method": "Re-sampled 40 P2 incidents in June: every change has its reason."},
        )
        improvement_services.nonconformity_transition(actor=actor, instance=nc, transition="close")
    services.audit_transition(actor=actor, instance=audit, transition="close")


def _change_audit(actor: Any, item: ProgrammeItem, lead: Any, today: dt.date) -> None:
    ewa = _person("Ewa Nowak")
    start = dt.date(today.year, item.planned_month, 14)
    audit = _audit(
        actor,
        item,
        lead,
        [_person("Aisha Rahman")],
        [ewa, _person("Kenji Tanaka")],
        "Change management",
        start,
    )
    _run(
        actor,
        audit,
        [
            (
                Finding.Grade.MAJOR,
                "8.5.1.3.s2",
                "Emergency changes are approved by the implementer alone; 4 of "
                "6 sampled had no second approver.",
                ewa,
            ),
            (
                Finding.Grade.MINOR,
                "8.5.1.3.s8",
                "Post-implementation reviews of 2 failed changes were never held.",
                ewa,
            ),
        ],
        "Normal changes are well controlled through the CAB; the emergency path is not: one major and "
        "one minor nonconformity.",
        start,
    )


def _planned_problem_audit(actor: Any, item: ProgrammeItem, lead: Any, today: dt.date) -> None:
    _audit(
        actor,
        item,
        lead,
        [_person("Kenji Tanaka")],
        [_person("Jonas Weber")],
        "Problem management",
        dt.date(today.year, item.planned_month, 15),
    )
