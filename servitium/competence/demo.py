"""Demo data of resources and competence: the competence catalogue of Nimbus Cloud Services, what its roles
require, what its staff hold, their training, and a budget for each live service.

Deliberate gaps (they show as "partly met" in `servitium assess`):
- Liam O'Connor's Kubernetes certificate expired two months ago (renewal booked)
  -> competence.people_meet_requirements (2018 7.2.b);
- the Cloud Operations team must hold secure operations at level 3 since the ransomware review, and
  nobody in it does, with no training booked -> competence.people_meet_requirements (2018 7.2.b) and
  competence.gaps_addressed (2018 7.2.c; 2011 4.4.2.b).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from servitium.catalog.models import Service
from servitium.core import services as core_services
from servitium.parties.models import Person, Team

from .models import (
    Competence,
    CompetenceArea,
    CompetenceRequirement,
    PersonCompetence,
    ResourceBudget,
    TrainingRecord,
)

CATALOGUE = {
    "Service management": [
        ("ISO/IEC 20000 service management", "Running and improving an SMS to ISO/IEC 20000-1."),
        ("Incident and request handling", "Logging, classifying, resolving and escalating tickets."),
        ("Customer communication", "Clear updates to customers, in writing and on the phone."),
        ("Change management", "Assessing, approving and scheduling changes."),
    ],
    "Technical": [
        ("Linux administration", "Operating the hypervisor and VM estate."),
        ("Kubernetes operations", "Running managed Kubernetes clusters (CKA level)."),
        ("PostgreSQL administration", "High availability, backup, recovery and upgrades of PostgreSQL."),
        ("Network and firewall engineering", "WAN, routing and firewall rule design."),
    ],
    "Information security": [
        ("Secure operations", "Hardening, privileged access and ransomware resilience."),
    ],
    "Leadership": [
        ("Major incident command", "Leading the response to major incidents."),
    ],
}

# role (job title, or "team:<name>"), competence, required level
REQUIREMENTS = [
    ("Head of Service Management", "ISO/IEC 20000 service management", 3),
    ("Head of Service Management", "Change management", 2),
    ("team:Service Desk", "Incident and request handling", 2),
    ("team:Service Desk", "Customer communication", 2),
    ("Service Desk Lead", "Major incident command", 3),
    ("team:Cloud Operations", "Linux administration", 3),
    ("team:Cloud Operations", "Kubernetes operations", 2),
    ("team:Cloud Operations", "Secure operations", 3),  # raised after the ransomware review: nobody meets it
    ("Database Administrator", "PostgreSQL administration", 3),
    ("Network Engineer", "Network and firewall engineering", 3),
]

# person, competence, level, assessed by, evidence
HELD = [
    ("Maria Keller", "ISO/IEC 20000 service management", 4, "", "Lead implementer certificate LI-20K-2291."),
    ("Maria Keller", "Change management", 3, "", "Chairs the CAB since 2021."),
    ("Jonas Weber", "Incident and request handling", 4, "Maria Keller", "Service desk lead for five years."),
    ("Jonas Weber", "Customer communication", 3, "Maria Keller", "Customer survey scores 4.6 of 5."),
    (
        "Jonas Weber",
        "Major incident command",
        3,
        "Maria Keller",
        "Led 6 major incidents this year; reviews on file.",
    ),
    ("Aisha Rahman", "Incident and request handling", 3, "Jonas Weber", "Observed on shift; QA score 94 %."),
    ("Aisha Rahman", "Customer communication", 2, "Jonas Weber", "Observed on shift."),
    ("Tomás Silva", "Incident and request handling", 2, "Jonas Weber", "Completed onboarding programme."),
    ("Tomás Silva", "Customer communication", 2, "Jonas Weber", "Observed on shift."),
    ("Ewa Nowak", "Linux administration", 4, "Maria Keller", "RHCE; 12 years operating the estate."),
    ("Ewa Nowak", "Kubernetes operations", 3, "Maria Keller", "CKA certificate, current."),
    ("Ewa Nowak", "Secure operations", 2, "Maria Keller", "Internal hardening course."),
    ("Liam O'Connor", "Linux administration", 3, "Ewa Nowak", "RHCSA; on-call for three years."),
    ("Liam O'Connor", "Kubernetes operations", 3, "Ewa Nowak", "CKA certificate (see training record)."),
    ("Liam O'Connor", "Secure operations", 2, "Ewa Nowak", "Internal hardening course."),
    ("Sofia Rossi", "PostgreSQL administration", 4, "Maria Keller", "PostgreSQL professional certificate."),
    ("Kenji Tanaka", "Network and firewall engineering", 3, "Ewa Nowak", "CCNP certificate, current."),
]

# person, course, provider, competence, days ago (negative: ahead), hours, result, valid for (days), evidence,
# effectiveness
TRAINING = [
    (
        "Maria Keller",
        "ISO/IEC 20000-1 lead implementer",
        "Certa Academy",
        "ISO/IEC 20000 service management",
        200,
        32,
        "passed",
        None,
        "Certificate LI-20K-2291",
        "Led the gap analysis afterwards; stage-1 readiness rose from 55 % to 80 %.",
    ),
    (
        "Liam O'Connor",
        "Certified Kubernetes Administrator (CKA)",
        "Linux Foundation",
        "Kubernetes operations",
        36 * 30 + 60,
        40,
        "passed",
        36 * 30,
        "Certificate LF-CKA-1187",
        "Ran the 1.29 upgrade unaided afterwards.",
    ),
    (
        "Liam O'Connor",
        "CKA recertification exam",
        "Linux Foundation",
        "Kubernetes operations",
        -30,
        None,
        "booked",
        None,
        "Exam booked for next month",
        "",
    ),
    (
        "Ewa Nowak",
        "Certified Kubernetes Administrator (CKA)",
        "Linux Foundation",
        "Kubernetes operations",
        300,
        40,
        "passed",
        36 * 30,
        "Certificate LF-CKA-2290",
        "Reviewed cluster designs since; no platform incidents from design faults.",
    ),
    (
        "Kenji Tanaka",
        "CCNP Enterprise",
        "Cisco",
        "Network and firewall engineering",
        400,
        60,
        "passed",
        3 * 365,
        "Certificate CSCO-44871",
        "Designed the second-carrier routing alone.",
    ),
    (
        "Sofia Rossi",
        "PostgreSQL high availability",
        "PG Experts",
        "PostgreSQL administration",
        120,
        24,
        "passed",
        None,
        "Course certificate",
        "Failover drill after the course met the 60-second target.",
    ),
    (
        "Tomás Silva",
        "Service desk practitioner",
        "Service Desk Institute",
        "Incident and request handling",
        90,
        16,
        "passed",
        None,
        "SDI certificate 5521",
        "First-contact resolution rose from 58 % to 71 % in the following quarter.",
    ),
    (
        "Aisha Rahman",
        "Writing for customers",
        "Internal",
        "Customer communication",
        60,
        4,
        "attended",
        None,
        "Attendance list",
        "Ticket update quality checked in QA sampling: no rework needed.",
    ),
    (
        "Liam O'Connor",
        "Hardening Linux servers",
        "Internal",
        "Secure operations",
        150,
        8,
        "attended",
        None,
        "Attendance list",
        "Hardening checklist applied to the new hypervisors without findings.",
    ),
]

# Budgets per live service: (budget this year, spent so far); last year's actual was close to its budget.
BUDGETS = {
    "Data Centre Facilities": (820_000, 690_000),
    "Network Connectivity": (310_000, 262_000),
    "Identity and Access": (120_000, 95_000),
    "Virtual Compute": (640_000, 540_000),
    "Block and Object Storage": (410_000, 350_000),
    "Managed PostgreSQL": (260_000, 221_000),
    "Backup and Restore": (180_000, 166_000),
    "Hosted Email": (150_000, 158_000),
    "Kubernetes Platform": (220_000, 170_000),
    "Web Application Hosting": (140_000, 112_000),
    "Service Desk": (480_000, 401_000),
    "Monitoring and Alerting": (90_000, 71_000),
}


def _ensure(model, lookup: dict[str, Any], actor: Any, data: dict[str, Any] | None = None) -> Any:
    found = model.objects.filter(**lookup).first()
    if found is not None:
        return found
    return core_services.record_create(model=model, data={**lookup, **(data or {})}, actor=actor)


@transaction.atomic
def load(*, actor: Any) -> None:
    """Create the demo records (idempotent)."""
    people = {p.name: p for p in Person.objects.filter(organization__kind="provider")}
    if not people:
        return
    today = timezone.localdate()
    competences: dict[str, Competence] = {}
    for area_name, items in CATALOGUE.items():
        area = _ensure(CompetenceArea, {"name": area_name}, actor)
        for name, description in items:
            competences[name] = _ensure(
                Competence, {"area": area, "name": name}, actor, {"description": description}
            )
    for role, competence, level in REQUIREMENTS:
        if role.startswith("team:"):
            team = Team.objects.filter(name=role[5:]).first()
            if team is None:
                continue
            lookup = {"team": team, "job_title": "", "competence": competences[competence]}
        else:
            lookup = {"job_title": role, "team": None, "competence": competences[competence]}
        _ensure(CompetenceRequirement, lookup, actor, {"required_level": level})
    for person, competence, level, assessor, evidence in HELD:
        if person not in people:
            continue
        _ensure(
            PersonCompetence,
            {"person": people[person], "competence": competences[competence]},
            actor,
            {
                "level": level,
                "assessed_by": people.get(assessor),
                "assessed_on": today - dt.timedelta(days=45),
                "evidence": evidence,
            },
        )
    for person, course, provider, competence, ago, hours, result, valid, evidence, effect in TRAINING:
        if person not in people:
            continue
        date = today - dt.timedelta(days=ago)
        _ensure(
            TrainingRecord,
            {"person": people[person], "course": course},
            actor,
            {
                "date": date,
                "provider": provider,
                "competence": competences[competence],
                "hours": None if hours is None else Decimal(hours),
                "result": result,
                "expires_on": date + dt.timedelta(days=valid) if valid else None,
                "evidence": evidence,
                "effectiveness": effect,
            },
        )
    for service in Service.objects.filter(name__in=BUDGETS):
        budget, spent = BUDGETS[service.name]
        _ensure(
            ResourceBudget,
            {"service": service, "year": today.year},
            actor,
            {
                "budget": Decimal(budget),
                "actual": Decimal(spent),
                "notes": "Actual to the end of last month.",
            },
        )
        _ensure(
            ResourceBudget,
            {"service": service, "year": today.year - 1},
            actor,
            {"budget": Decimal(budget) * Decimal("0.92"), "actual": Decimal(budget) * Decimal("0.9")},
        )
