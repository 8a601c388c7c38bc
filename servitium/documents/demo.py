"""Demo data of documented information for Nimbus Cloud Services: about twenty controlled documents, several
in two or three versions, acknowledgements by most staff, and a records register of nine series.

Deliberate gaps (they show as not met in `servitium assess`):
- the problem management process is overdue for review (2011 4.3.2.c; 2018 7.5.2.c);
- the service request fulfilment procedure is a draft never approved (2011 4.3.2.a; 2018 7.5.1.b, 7.5.2.c);
- the Cloud Operations team has not acknowledged the policy in force (2011 4.1.2.e; 2018 7.3.s1);
- no procedure for customer complaints is written yet (documents.complaint_procedure, 2011 7.1.s7);
- the self-service password reset improvement changes the request fulfilment procedure, but the version
  written for it is that draft (documents.sms_changed_by_improvement, 2011 4.5.5.2.c; 2018 10.1.e);
- the VPN troubleshooting guide, a knowledge article, was classified confidential by mistake, so the
  desk's people cannot use it with customers (documents.knowledge_available, 2018 7.6.s2).

Idempotent: documents are looked up by title and series by name; nothing is created twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from servitium.core import services as core_services
from servitium.improvement.models import CorrectiveAction, ImprovementOpportunity
from servitium.parties import services as party_services
from servitium.parties.models import Organization, Person, Team, User

from . import services
from .checks import POLICY_CONTENT
from .models import Document, RecordSeries

E11, E18 = "iso20000-1:2011#", "iso20000-1:2018#"

# title, kind, owner, processes, requirements, extra fields, versions: (label, author, approver user,
# days ago in force or None for a draft, summary)
DOCUMENTS: list[tuple[str, str, str, list[str], list[str], dict[str, Any], list[tuple]]] = [
    (
        "Service management policy",
        "policy",
        "Maria Keller",
        ["sms"],
        [*POLICY_CONTENT, f"{E18}5.2", f"{E11}4.1.2"],
        {
            "sms_policy": True,
            "requires_acknowledgement": True,
            "confidentiality": "public",
            "people": ["Maria Keller"],
            "points_of_use": "nimbus.example/sms-policy and the intranet start page",
        },
        [
            ("1.0", "Ewa Nowak", "director", 420, "First issue of the policy."),
            (
                "2.0",
                "Ewa Nowak",
                "director",
                45,
                "Adds the cloud scenarios (multi-tenancy, data export) and the "
                "commitment to publish service performance to customers.",
            ),
        ],
    ),
    (
        "Service management objectives 2026",
        "other",
        "Maria Keller",
        ["sms"],
        [f"{E18}6.2", f"{E11}4.1.1"],
        {"requires_acknowledgement": True, "points_of_use": "Intranet, SMS page", "people": ["Maria Keller"]},
        [("2026.1", "Ewa Nowak", "director", 300, "Objectives for 2026 as agreed in the management review.")],
    ),
    (
        "Service management plan",
        "plan",
        "Maria Keller",
        ["sms"],
        [f"{E18}6.3", f"{E11}4.5.2"],
        {"points_of_use": "Intranet, SMS page"},
        [
            ("1.0", "Ewa Nowak", "director", 380, "First plan."),
            ("1.1", "Ewa Nowak", "director", 90, "Resources for the Dublin site added."),
        ],
    ),
    (
        "Incident management process",
        "process",
        "Jonas Weber",
        ["incidents"],
        [f"{E18}8.6.1", f"{E18}8.6.2", f"{E11}8.1"],
        {"points_of_use": "Service desk wiki"},
        [
            ("1.0", "Jonas Weber", "director", 500, "First issue."),
            ("2.0", "Jonas Weber", "director", 200, "Major incident handling moved into its own procedure."),
            ("2.1", "Jonas Weber", "director", 20, "Priority matrix aligned with the SLAs of 2026."),
        ],
    ),
    (
        "Change management process",
        "process",
        "Ewa Nowak",
        ["changes"],
        [f"{E18}8.5.1", f"{E11}9.2"],
        {"points_of_use": "Operations wiki"},
        [
            ("1.0", "Ewa Nowak", "director", 480, "First issue."),
            ("2.0", "Ewa Nowak", "director", 150, "Standard change templates introduced."),
        ],
    ),
    (
        "Problem management process",
        "process",
        "Sofia Rossi",
        ["problems"],
        [f"{E18}8.6.3", f"{E11}8.2"],
        {"points_of_use": "Operations wiki"},
        # Deliberate gap: in force for fourteen months with a twelve-month review cycle, never reviewed.
        [("1.0", "Sofia Rossi", "director", 425, "First issue.")],
    ),
    (
        "Configuration management process",
        "process",
        "Ewa Nowak",
        ["cmdb"],
        [f"{E18}8.2.6", f"{E11}9.1"],
        {"points_of_use": "Operations wiki"},
        [("1.0", "Ewa Nowak", "director", 240, "First issue.")],
    ),
    (
        "Release and deployment management process",
        "process",
        "Ewa Nowak",
        ["releases"],
        [f"{E18}8.5.3", f"{E11}9.3"],
        {"points_of_use": "Operations wiki"},
        [("1.0", "Ewa Nowak", "director", 230, "First issue.")],
    ),
    (
        "Service level management process",
        "process",
        "Maria Keller",
        ["agreements"],
        [f"{E18}8.3.3", f"{E11}6.1"],
        {"points_of_use": "Intranet, SMS page"},
        [("1.0", "Maria Keller", "ewa", 260, "First issue.")],
    ),
    (
        "Supplier management process",
        "process",
        "Kenji Tanaka",
        ["suppliers"],
        [f"{E18}8.3.4", f"{E11}7.2"],
        {"points_of_use": "Intranet, SMS page"},
        [
            ("1.0", "Kenji Tanaka", "director", 330, "First issue."),
            ("1.1", "Kenji Tanaka", "director", 60, "Quarterly supplier reviews."),
        ],
    ),
    (
        "Change management policy",
        "policy",
        "Ewa Nowak",
        ["changes"],
        [f"{E18}8.5.1.1", f"{E11}9.2"],
        {"points_of_use": "Operations wiki"},
        [("1.0", "Ewa Nowak", "director", 340, "Which changes the process governs and which need the CAB.")],
    ),
    (
        "Information security policy",
        "policy",
        "Maria Keller",
        ["security"],
        [f"{E18}8.7.3", f"{E11}6.6"],
        {"points_of_use": "Intranet, SMS page"},
        [("3.0", "Kenji Tanaka", "director", 180, "Yearly update; MFA for every administrative access.")],
    ),
    (
        "Service continuity plan",
        "plan",
        "Ewa Nowak",
        ["continuity", "availability"],
        [f"{E18}8.7.2", f"{E11}6.3"],
        {
            "confidentiality": "confidential",
            "points_of_use": "Operations vault and printed copy in both sites",
            "teams": ["Cloud Operations", "Network Team", "Database Team"],
        },
        [
            ("1.0", "Liam O'Connor", "ewa", 360, "First plan after the Dublin site opened."),
            ("1.1", "Liam O'Connor", "ewa", 100, "Results of the spring failover test."),
        ],
    ),
    (
        "Document and record control procedure",
        "procedure",
        "Maria Keller",
        ["documents", "sms"],
        [f"{E11}4.3.2", f"{E11}4.3.3", f"{E18}7.5.2", f"{E18}7.5.3"],
        {"points_of_use": "Intranet, SMS page"},
        [
            (
                "1.0",
                "Ewa Nowak",
                "director",
                330,
                "Who writes, reviews, approves and retires documents; records register.",
            )
        ],
    ),
    (
        "Major incident procedure",
        "procedure",
        "Jonas Weber",
        ["incidents"],
        [f"{E18}8.6.1.s3", f"{E11}8.1.s9"],
        {"points_of_use": "Service desk wiki"},
        [("1.0", "Jonas Weber", "director", 200, "Split out of the incident process.")],
    ),
    (
        "Internal audit procedure",
        "procedure",
        "Paul Fischer",
        ["sms"],
        [f"{E18}9.2", f"{E11}4.5.4.2"],
        {"points_of_use": "Intranet, SMS page"},
        [("1.0", "Paul Fischer", "director", 300, "Programme, auditor selection, reporting and follow-up.")],
    ),
    (
        "Improvement procedure",
        "procedure",
        "Maria Keller",
        ["sms"],
        [f"{E18}10", f"{E11}4.5.5"],
        {"points_of_use": "Intranet, SMS page"},
        [
            (
                "1.0",
                "Maria Keller",
                "ewa",
                280,
                "From a proposal to its evaluation; nonconformities and corrections.",
            )
        ],
    ),
    (
        "Emergency change procedure",
        "procedure",
        "Ewa Nowak",
        ["changes"],
        [f"{E18}8.5.1.3", f"{E11}9.2"],
        {"points_of_use": "Operations wiki"},
        [("1.0", "Ewa Nowak", "director", 150, "Emergency CAB and the review afterwards.")],
    ),
    (
        "Service request fulfilment procedure",
        "procedure",
        "Jonas Weber",
        ["incidents"],
        [f"{E18}8.6.2", f"{E11}8.1"],
        {"points_of_use": "Service desk wiki"},
        # Deliberate gap: written months ago and never submitted for approval.
        [("0.1", "Aisha Rahman", None, None, "Draft for the new request catalogue.")],
    ),
    (
        "Database backup and restore work instruction",
        "work_instruction",
        "Sofia Rossi",
        ["continuity", "cmdb"],
        [f"{E18}8.7.2"],
        {"points_of_use": "Database team runbook"},
        [("1.0", "Sofia Rossi", "director", 210, "Restore tested monthly.")],
    ),
    (
        "Request for change form",
        "form",
        "Ewa Nowak",
        ["changes"],
        [f"{E18}8.5.1.2"],
        {"points_of_use": "Servitium change form"},
        [("1.0", "Ewa Nowak", "director", 300, "Fields of the change request.")],
    ),
    # Knowledge the desk and operations rely on (2018 7.6); the VPN guide is locked away (a gap).
    (
        "Storage platform known workarounds",
        "knowledge",
        "Ewa Nowak",
        ["incidents", "problems"],
        [f"{E18}7.6"],
        {"points_of_use": "Service desk wiki", "teams": ["Service Desk"]},
        [("1.0", "Ewa Nowak", "director", 40, "Workarounds for the known errors of the storage array.")],
    ),
    (
        "VPN client troubleshooting guide",
        "knowledge",
        "Jonas Weber",
        ["incidents"],
        [f"{E18}7.6"],
        {"points_of_use": "Operations wiki", "teams": ["Service Desk"], "confidentiality": "confidential"},
        [("1.0", "Jonas Weber", "director", 20, "Steps for the five most common VPN client errors.")],
    ),
    (
        "Stratos colocation service description",
        "external",
        "Kenji Tanaka",
        ["suppliers", "continuity"],
        [f"{E18}8.3.4"],
        {
            "source": "Stratos Datacenters",
            "external_version": "SD-2026.2",
            "external_url": "https://stratos.example/service-description",
            "points_of_use": "Supplier folder in the intranet",
        },
        [("SD-2026.2", "Kenji Tanaka", "director", 120, "Issuer's edition 2026.2 received and checked.")],
    ),
]

# Everyone acknowledges the objectives; the policy in force is acknowledged by all but one team.
POLICY_NOT_ACKNOWLEDGED_BY = "Cloud Operations"

SERIES = [
    ("Incident and service request records", "incidents.incident", "Servitium", 36, "delete", False, ""),
    ("Problem and known error records", "problems.problem", "Servitium", 60, "delete", False, ""),
    ("Change records", "changes.change", "Servitium", 60, "delete", False, ""),
    ("Configuration item records", "cmdb.configurationitem", "Servitium CMDB", 84, "archive", False, ""),
    (
        "Supplier contracts",
        "suppliers.suppliercontract",
        "Servitium and the legal archive",
        120,
        "archive",
        False,
        "",
    ),
    ("Customer complaints", "relationships.complaint", "Servitium", 36, "anonymise", False, ""),
    ("Change log (audit trail)", "", "Servitium change log, sealed SHA-256 chain", 120, "archive", False, ""),
    ("Training and competence records", "", "HR system, training folder", 60, "delete", False, ""),
    (
        "Signed customer contracts (paper)",
        "",
        "Finance archive, Frankfurt office, cabinet 3",
        120,
        "destroy",
        True,
        "Dispute with Cedar Retail Group about the 2025 invoices; keep everything until it is settled.",
    ),
]


def _person(name: str) -> Person | None:
    return Person.objects.filter(name=name).first()


def _at(days_ago: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


def _release(
    doc: Document,
    label: str,
    author: Person | None,
    approver: User | None,
    days_ago,
    summary: str,
    **reason: Any,
):
    draft = services.version_create(
        actor=None,
        data={},
        derived={
            "document": doc,
            "version": label,
            "author": author,
            "summary": summary,
            "body": f"{doc.title}, version {label}.\n\n{summary}",
            "effective_date": (_at(days_ago).date() if days_ago is not None else None),
            **reason,
        },
    )
    if days_ago is None or approver is None:
        return draft
    when = _at(days_ago + 7)
    services.version_transition(actor=None, instance=draft, transition="submit", now=when)
    services.version_transition(
        actor=approver, instance=draft, transition="approve", note="Reviewed and approved.", now=when
    )
    return services.version_transition(
        actor=approver, instance=draft, transition="make_effective", now=_at(days_ago)
    )


def _document(spec, actor: Any, teams: list[Team]) -> Document:
    title, kind, owner, processes, requirements, extra, versions = spec
    extra = dict(extra)
    wanted_teams = extra.pop("teams", None)
    people = [p for p in (_person(n) for n in extra.pop("people", [])) if p]
    doc = services.document_create(
        actor=None,
        data={},
        derived={
            "title": title,
            "kind": kind,
            "owner": _person(owner),
            "processes": processes,
            "requirements": requirements,
            **extra,
        },
    )
    reach = [t for t in teams if wanted_teams is None or t.name in wanted_teams]
    core_services.record_update(
        instance=doc,
        data={},
        derived={"distribution_teams": reach, "distribution_people": people},
        actor=None,
    )
    for label, author, approver, days_ago, summary in versions:
        approving = User.objects.filter(username=approver).first() if approver else None
        _release(doc, label, _person(author), approving, days_ago, summary)
    return doc


def _answer_improvements(made: dict[str, Document]) -> None:
    """Versions written because the improvement register asked for them (2011 4.5.5.2 c; 2018 10.1 e):
    the emergency change procedure gains the approver rota of a corrective action; the request fulfilment
    procedure's draft was written for the password-reset improvement and is still not approved (a gap)."""
    action = CorrectiveAction.objects.filter(
        description__startswith="On-call rota of emergency change approvers", changes_sms=True
    ).first()
    emergency = made.get("Emergency change procedure")
    if action is not None and emergency is not None:
        summary = "Night-time rota of emergency change approvers added."
        _release(
            emergency,
            "1.1",
            _person("Ewa Nowak"),
            User.objects.filter(username="director").first(),
            95,
            summary,
            corrective_action=action,
        )
    improvement = ImprovementOpportunity.objects.filter(
        description__startswith="Self-service password"
    ).first()
    requests = made.get("Service request fulfilment procedure")
    draft = requests.versions.filter(status="draft").first() if requests else None
    if improvement is not None and draft is not None:
        core_services.record_update(instance=draft, data={}, derived={"improvement": improvement}, actor=None)


def _acknowledge(doc: Document, people: list[Person]) -> None:
    doc.refresh_from_db()
    for person in people:
        services.acknowledgement_create(actor=None, data={"document": doc}, derived={"person": person})


# Who runs documented information in the demo: the head of service management approves, the cloud
# operations lead writes (an SMS agent).
SMS_ROLES = {"director": "sms-manager", "ewa": "sms-agent"}


def _grant_sms_roles(actor: Any) -> None:
    for username, role in SMS_ROLES.items():
        user = User.objects.filter(username=username).first()
        if user is not None and role not in (user.roles or []):
            party_services.user_update(actor=actor, instance=user, data={"roles": [*user.roles, role]})


@transaction.atomic
def load(*, actor: Any) -> None:
    """Create the demo records (idempotent)."""
    _grant_sms_roles(actor)
    if Document.objects.filter(title=DOCUMENTS[0][0]).exists():
        return
    provider = Organization.objects.filter(kind=Organization.Kind.PROVIDER).order_by("pk").first()
    teams = list(Team.objects.filter(organization=provider).order_by("name")) if provider else []
    made = {spec[0]: _document(spec, actor, teams) for spec in DOCUMENTS}
    _answer_improvements(made)
    staff = list(Person.objects.filter(active=True, organization=provider).order_by("name"))
    missing = set()
    for team in teams:
        if team.name == POLICY_NOT_ACKNOWLEDGED_BY:
            missing = set(team.members.values_list("pk", flat=True))
    _acknowledge(made["Service management policy"], [p for p in staff if p.pk not in missing])
    _acknowledge(made["Service management objectives 2026"], staff)
    for name, record_type, location, months, method, hold, reason in SERIES:
        if RecordSeries.objects.filter(name=name).exists():
            continue
        core_services.record_create(
            model=RecordSeries,
            data={},
            derived={
                "name": name,
                "record_type": record_type,
                "location": location,
                "owner": _person("Maria Keller" if not record_type else "Ewa Nowak"),
                "retention_months": months,
                "disposal_method": method,
                "legal_hold": hold,
                "legal_hold_reason": reason,
            },
            actor=None,
        )
    services.series_flag_due()
    services.documents_flag_review_overdue()
