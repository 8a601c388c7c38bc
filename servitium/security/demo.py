"""Demo data of information security for Nimbus Cloud Services: the settings naming the information
security policy (the documents app's controlled document), a register of thirty controls in Nimbus's own
words, a security risk assessment linking risks of the register, links for the demo's security incidents,
security impact assessments of the recent changes, and external parties' access.

Deliberate gaps (they show as not met or partly met in `servitium assess`):
- five controls are planned, not started or only partly implemented -> security.controls_implemented
  (2018 8.7.3.2.s3; 2011 6.6.2.a-c);
- the privileged access review control is overdue for review -> security.controls_reviewed
  (2018 8.7.3.2.s3; 2011 6.6.2.s2);
- Relay Networks' access to the edge routers is overdue for review -> security.external_access_reviewed
  (2018 8.7.3.2.s4; 2011 6.6.2.s4);
- the suspicious-logins incident is linked but not yet reviewed (open incidents are not judged; it shows on
  the incident's page and in the review input).

Idempotent: controls are looked up by identifier, the rest by their subject; nothing is created twice.
The settings turn on the rule that a change needs a security impact assessment before approval; the
changes demo has already run, so its approved changes are assessed here after the fact where they are
(the check counts those assessed on or before their approval day).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from servitium.catalog.models import Service
from servitium.changes.models import Change
from servitium.cmdb.models import ConfigurationItem
from servitium.core import services as core_services
from servitium.documents import services as document_services
from servitium.documents.models import Document
from servitium.incidents.models import Incident
from servitium.parties.models import Organization, Person
from servitium.risks.models import Risk

from .models import (
    AccessGrant,
    SecurityControl,
    SecurityImpactAssessment,
    SecurityIncidentLink,
    SecurityRiskAssessment,
    SecuritySettings,
)

MARIA, EWA, LIAM, SOFIA, KENJI, JONAS = (
    "Maria Keller",
    "Ewa Nowak",
    "Liam O'Connor",
    "Sofia Rossi",
    "Kenji Tanaka",
    "Jonas Weber",
)
ORG, PEOPLE, PHYS, TECH = "organizational", "people", "physical", "technological"
IMPL, PART, PLAN, NOT, NA = "implemented", "partial", "planned", "not_started", "not_applicable"

# identifier, title, description, category, owner, status, services, evidence, reviewed (days ago; the
# controls not yet implemented were reviewed when their plan was decided)
CONTROLS: list[tuple[str, str, str, str, str, str, list[str], str, int | None]] = [
    (
        "NIM-ORG-01",
        "Security roles and responsibilities",
        "Each service has a named security contact; the security officer reports monthly to the director.",
        ORG,
        MARIA,
        IMPL,
        [],
        "RACI in the SMS plan; monthly security report",
        60,
    ),
    (
        "NIM-ORG-02",
        "Supplier security clauses",
        "Contracts with suppliers that touch customer data carry security and audit clauses.",
        ORG,
        MARIA,
        IMPL,
        [],
        "Contract register, clause 14 in every supplier contract",
        90,
    ),
    (
        "NIM-ORG-03",
        "Asset inventory in the CMDB",
        "Every server, network device and platform component is a configuration item with an owner.",
        ORG,
        EWA,
        IMPL,
        ["Virtual Compute", "Network Connectivity"],
        "CMDB audit report of the last quarter",
        45,
    ),
    (
        "NIM-ORG-04",
        "Information classification",
        "Customer data, operational data and public information are labelled and handled by class.",
        ORG,
        MARIA,
        PART,
        [],
        "Classification guide v1; labelling not yet in object storage",
        120,
    ),
    (
        "NIM-ORG-05",
        "Security incident handling",
        "Security incidents are raised as incidents with a type and a risk level that sets their priority.",
        ORG,
        JONAS,
        IMPL,
        ["Service Desk"],
        "Incident categories and priority matrix in Servitium",
        30,
    ),
    (
        "NIM-ORG-06",
        "Threat intelligence subscription",
        "Vendor advisories and the national CERT feed are read daily and turned into changes when needed.",
        ORG,
        KENJI,
        IMPL,
        [],
        "Advisory log in the operations wiki",
        100,
    ),
    (
        "NIM-ORG-07",
        "Legal and contractual register",
        "The data protection, NIS2 and contractual duties that bind Nimbus are listed with their owners.",
        ORG,
        MARIA,
        PLAN,
        [],
        "",
        60,
    ),
    (
        "NIM-ORG-08",
        "Security in change assessment",
        "Every normal and major change is assessed for its effect on security before approval.",
        ORG,
        EWA,
        IMPL,
        ["Kubernetes Platform", "Virtual Compute"],
        "Security impact assessments on changes",
        20,
    ),
    (
        "NIM-PPL-01",
        "Screening before access",
        "Staff with administrative access are screened before they start.",
        PEOPLE,
        MARIA,
        IMPL,
        [],
        "HR screening checklist",
        150,
    ),
    (
        "NIM-PPL-02",
        "Security awareness training",
        "Everyone completes the yearly awareness course and a phishing exercise each quarter.",
        PEOPLE,
        MARIA,
        IMPL,
        [],
        "Training records; phishing exercise results",
        70,
    ),
    (
        "NIM-PPL-03",
        "Leavers lose access the same day",
        "HR informs the service desk; accounts and keys are revoked on the last working day.",
        PEOPLE,
        JONAS,
        IMPL,
        ["Identity and Access"],
        "Leaver tickets with revocation times",
        40,
    ),
    (
        "NIM-PPL-04",
        "Confidentiality undertakings",
        "Staff and contractors sign a confidentiality undertaking before they see customer data.",
        PEOPLE,
        MARIA,
        IMPL,
        [],
        "Signed undertakings in the HR file",
        200,
    ),
    (
        "NIM-PHY-01",
        "Data centre access control",
        "Entry to the halls needs a badge and a PIN; the colocation provider escorts and logs visitors.",
        PHYS,
        EWA,
        IMPL,
        ["Data Centre Facilities"],
        "Stratos access reports, monthly",
        80,
    ),
    (
        "NIM-PHY-02",
        "Secure disposal of disks",
        "Failed and retired disks are shredded on site with a certificate per batch.",
        PHYS,
        EWA,
        IMPL,
        ["Data Centre Facilities", "Block and Object Storage"],
        "Shredding certificates",
        110,
    ),
    (
        "NIM-PHY-03",
        "Office clear desk",
        "Nimbus runs no office holding customer data; staff work from the data centres and remotely.",
        PHYS,
        MARIA,
        NA,
        [],
        "",
        300,
    ),
    (
        "NIM-TEC-01",
        "Multi-factor authentication for administrators",
        "Every administrative login to hosts, the cloud console and network devices needs a second factor.",
        TECH,
        KENJI,
        IMPL,
        ["Identity and Access", "Virtual Compute"],
        "IdP policy export; login audit",
        25,
    ),
    (
        "NIM-TEC-02",
        "Privileged access review",
        "Administrative group memberships are reviewed every quarter by the service owners.",
        TECH,
        KENJI,
        IMPL,
        ["Identity and Access"],
        "Quarterly review minutes",
        400,
    ),  # overdue review
    (
        "NIM-TEC-03",
        "Patching within agreed times",
        "Critical security patches within 7 days, others within 30, through standard changes.",
        TECH,
        LIAM,
        PART,
        ["Virtual Compute", "Kubernetes Platform"],
        "Patch compliance report (hosts only)",
        50,
    ),
    (
        "NIM-TEC-04",
        "Encryption at rest",
        "Block and object storage and database volumes are encrypted with keys held in the key service.",
        TECH,
        SOFIA,
        IMPL,
        ["Block and Object Storage", "Managed PostgreSQL"],
        "Storage encryption audit",
        60,
    ),
    (
        "NIM-TEC-05",
        "Encryption in transit",
        "Customer-facing endpoints accept TLS 1.2 or later only; internal service traffic is encrypted.",
        TECH,
        KENJI,
        IMPL,
        ["Web Application Hosting", "Hosted Email"],
        "TLS scan results",
        35,
    ),
    (
        "NIM-TEC-06",
        "Immutable backup copies",
        "Backups are copied to object-locked storage in the second site, out of reach of administrators.",
        TECH,
        SOFIA,
        IMPL,
        ["Backup and Restore"],
        "Object lock configuration; restore test",
        55,
    ),
    (
        "NIM-TEC-07",
        "Network segmentation",
        "Customer networks, management networks and the backup network are separated by firewalls.",
        TECH,
        KENJI,
        IMPL,
        ["Network Connectivity"],
        "Firewall rule review",
        95,
    ),
    (
        "NIM-TEC-08",
        "Central logging and alerting",
        "Security-relevant logs go to the central log store, kept 13 months, with alerts on known patterns.",
        TECH,
        LIAM,
        IMPL,
        ["Monitoring and Alerting"],
        "Log retention settings; alert rules",
        65,
    ),
    (
        "NIM-TEC-09",
        "Malware protection on jump hosts",
        "Jump hosts and build servers run endpoint protection with daily signature updates.",
        TECH,
        LIAM,
        IMPL,
        [],
        "Endpoint console report",
        45,
    ),
    (
        "NIM-TEC-10",
        "Vulnerability scanning",
        "External and internal scans every month; findings become problems or changes by severity.",
        TECH,
        KENJI,
        PLAN,
        ["Web Application Hosting"],
        "",
        60,
    ),
    (
        "NIM-TEC-11",
        "Object storage bucket policy guard",
        "New buckets are private by default; public buckets need an approved change.",
        TECH,
        SOFIA,
        NOT,
        ["Block and Object Storage"],
        "",
        60,
    ),
    (
        "NIM-TEC-12",
        "Mail filtering",
        "Inbound mail is filtered for spam, malware and spoofed senders before it reaches mailboxes.",
        TECH,
        LIAM,
        IMPL,
        ["Hosted Email"],
        "Filter statistics, monthly",
        30,
    ),
    (
        "NIM-TEC-13",
        "Secure configuration baselines",
        "Hosts and network devices are built from hardened images and checked against the baseline weekly.",
        TECH,
        LIAM,
        IMPL,
        ["Virtual Compute"],
        "Baseline drift report",
        75,
    ),
    (
        "NIM-TEC-14",
        "Kubernetes workload isolation",
        "Customer namespaces have network policies and no privileged containers.",
        TECH,
        LIAM,
        IMPL,
        ["Kubernetes Platform"],
        "Admission policy export",
        40,
    ),
    (
        "NIM-TEC-15",
        "Key and certificate management",
        "Certificates are issued and renewed automatically and expiry is monitored 30 days ahead.",
        TECH,
        KENJI,
        IMPL,
        ["Web Application Hosting"],
        "Certificate inventory with expiry alerts",
        20,
    ),
]

# Risk titles of the risk register (risks demo) and the controls that treat them.
TREATS = {
    "Ransomware reaching the backup repository": ["NIM-TEC-06", "NIM-TEC-01", "NIM-TEC-09"],
    "Personal data disclosed through misconfigured object storage buckets": ["NIM-TEC-11", "NIM-ORG-04"],
    "Expired TLS certificates on customer-facing endpoints": ["NIM-TEC-15", "NIM-TEC-05"],
    "Identity provider outage locks customers out of every service": ["NIM-TEC-01"],
    "Regulatory change: NIS2 duties for cloud providers": ["NIM-ORG-07"],
}

# Security incidents of the incidents demo: controls involved, risk titles, reviewed?
INCIDENTS = {
    "Phishing mail reported by several staff": (["NIM-TEC-12", "NIM-PPL-02"], [], True),
    "Malware detected on a jump host": (
        ["NIM-TEC-09", "NIM-TEC-03"],
        ["Ransomware reaching the backup repository"],
        True,
    ),
    "Suspicious logins from an unknown country": (["NIM-TEC-01", "NIM-TEC-08"], [], False),
}


def _person(name: str) -> Person | None:
    return Person.objects.filter(name=name).first()


def _settings(policy: Document | None) -> None:
    if SecuritySettings.objects.exists():
        return
    core_services.record_create(
        model=SecuritySettings,
        data={},
        derived={
            "policy": policy,
            "objectives": (
                "No customer data disclosed; administrative access only with a second factor; critical "
                "patches within 7 days; every security incident reviewed within 10 working days."
            ),
            "risk_approach": (
                "Security risks are scored on the risk register's 5 x 5 matrix; scores above the appetite "
                "are treated with controls; the director accepts what remains. Assessed every 12 months "
                "and after major changes."
            ),
            "assessment_interval_months": 12,
            "require_change_assessment": True,
        },
        actor=None,
    )


def _policy() -> Document | None:
    """The information security policy of the documents demo, asking staff to acknowledge it; all have."""
    policy = Document.objects.filter(title="Information security policy", kind="policy").first()
    if policy is None or policy.current_version_id is None:
        return policy
    if not policy.requires_acknowledgement:
        policy = document_services.document_update(
            actor=None, instance=policy, data={"requires_acknowledgement": True}
        )
    from servitium.documents.selectors import acknowledgement_standing

    for person in acknowledgement_standing(policy).missing:
        document_services.acknowledgement_create(
            actor=None, data={"document": policy}, derived={"person": person}
        )
    return policy


def _controls(today: dt.date) -> dict[str, SecurityControl]:
    services = {s.name: s for s in Service.objects.all()}
    made = {}
    for identifier, title, description, category, owner, status, on, evidence, reviewed in CONTROLS:
        found = SecurityControl.objects.filter(identifier=identifier).first()
        if found is None:
            found = core_services.record_create(
                model=SecurityControl,
                data={},
                derived={
                    "identifier": identifier,
                    "title": title,
                    "description": description,
                    "category": category,
                    "owner": _person(owner),
                    "status": status,
                    "justification": description if status == NA else "",
                    "evidence": evidence,
                    "last_reviewed": today - dt.timedelta(days=reviewed) if reviewed is not None else None,
                    "review_interval_months": 12,
                },
                m2m={"services": [services[n] for n in on if n in services]},
                actor=None,
            )
        made[identifier] = found
    for title, identifiers in TREATS.items():
        risk = Risk.objects.filter(title=title).first()
        if risk is None:
            continue
        for identifier in identifiers:
            control = made[identifier]
            if not control.risks.filter(pk=risk.pk).exists():
                core_services.record_update(
                    instance=control, data={}, derived={"risks": [*control.risks.all(), risk]}, actor=None
                )
    return made


def _assessment(today: dt.date, controls: dict[str, SecurityControl]) -> None:
    if SecurityRiskAssessment.objects.exists():
        return
    risks = list(Risk.objects.filter(title__in=TREATS))
    core_services.record_create(
        model=SecurityRiskAssessment,
        data={},
        derived={
            "date": today - dt.timedelta(days=75),
            "scope": "All hosted services in Frankfurt and Dublin, the identity platform, the backup chain.",
            "assessor": _person(KENJI),
            "method": "Threat workshop per service, scored on the risk register's 5 x 5 matrix.",
            "result_summary": (
                "Five security risks recorded or confirmed; ransomware against backups and public buckets "
                "remain the highest; bucket policy guard and vulnerability scanning still to be implemented."
            ),
            "next_due": today + dt.timedelta(days=290),
        },
        m2m={
            "risks": risks,
            "controls": [c for k, c in controls.items() if any(k in v for v in TREATS.values())],
            "services": list(
                Service.objects.filter(name__in=["Backup and Restore", "Block and Object Storage"])
            ),
        },
        actor=None,
    )


def _incident_links(today: dt.date, controls: dict[str, SecurityControl]) -> None:
    reviewer = _person(KENJI)
    for title, (identifiers, risk_titles, reviewed) in INCIDENTS.items():
        incident = Incident.objects.filter(title=title, is_security=True).first()
        if incident is None or SecurityIncidentLink.objects.filter(incident=incident).exists():
            continue
        core_services.record_create(
            model=SecurityIncidentLink,
            data={},
            derived={
                "incident": incident,
                "reviewed_by": reviewer if reviewed else None,
                "reviewed_on": today - dt.timedelta(days=2) if reviewed else None,
                "review_notes": "Controls held; awareness refresher sent to the affected team."
                if reviewed
                else "",
            },
            m2m={
                "controls": [controls[i] for i in identifiers],
                "risks": list(Risk.objects.filter(title__in=risk_titles)),
            },
            actor=None,
        )


def _impact_assessments(controls: dict[str, SecurityControl]) -> None:
    """The changes awaiting approval, and the most recent approved ones, assessed by the security officer
    (once: a second load must not assess the next six)."""
    if SecurityImpactAssessment.objects.exists():
        return
    assessor = _person(KENJI)
    changes = Change.objects.filter(category__in=("normal", "major", "emergency")).exclude(
        security_impact_assessment__isnull=False
    )
    recent = list(changes.filter(status="submitted")) + list(
        changes.filter(approved_at__isnull=False).order_by("-approved_at")[:6]
    )
    for number, change in enumerate(recent):
        impact = ("none", "low", "medium")[number % 3]
        approved = change.approved_at.date() if change.approved_at else timezone.localdate()
        core_services.record_create(
            model=SecurityImpactAssessment,
            data={},
            derived={
                "change": change,
                "impact": impact,
                "notes": "" if impact == "none" else "Reviewed firewall and access rules the change touches.",
                "assessor": assessor,
                "assessed_on": approved,
            },
            m2m={"controls": [controls["NIM-ORG-08"]]},
            actor=None,
        )


def _grants(today: dt.date) -> None:
    if AccessGrant.objects.exists():
        return
    granted_by = _person(EWA)
    cis = {c.name: c for c in ConfigurationItem.objects.filter(name__in=["fra-core-sw-01", "dub-backup-01"])}
    for org_name, person, purpose, information, on, valid_from, reviewed, interval in (
        (
            "Keystone Software",
            None,
            "Vendor support of the backup software during escalated cases, by screen share only.",
            "Backup job logs and configuration; no customer data",
            ["dub-backup-01"],
            300,
            20,
            6,
        ),
        (
            "Relay Networks",
            None,
            "Remote hands on the edge routers for WAN link faults.",
            "Router configuration and interface counters",
            ["fra-core-sw-01"],
            500,
            260,  # overdue: reviewed 260 days ago on a 6-month interval
            6,
        ),
        (
            "Alder Logistics",
            "Grace Miller",
            "Read access to the warehouse system's monitoring dashboards for Alder's IT manager.",
            "Monitoring dashboards of Alder's own systems",
            [],
            120,
            30,
            12,
        ),
    ):
        organization = Organization.objects.filter(name=org_name).first()
        if organization is None:
            continue
        core_services.record_create(
            model=AccessGrant,
            data={},
            derived={
                "organization": organization,
                "person": Person.objects.filter(name=person).first() if person else None,
                "purpose": purpose,
                "information": information,
                "granted_by": granted_by,
                "valid_from": today - dt.timedelta(days=valid_from),
                "last_reviewed": today - dt.timedelta(days=reviewed),
                "review_interval_months": interval,
            },
            m2m={"cis": [cis[n] for n in on if n in cis]},
            actor=None,
        )


def load(*, actor: Any) -> None:
    """Create the demo records (idempotent)."""
    if _person(KENJI) is None:
        return
    today = timezone.localdate()
    with transaction.atomic():
        policy = _policy()
        controls = _controls(today)
        _assessment(today, controls)
        _incident_links(today, controls)
        _impact_assessments(controls)
        _grants(today)
        _settings(policy)
