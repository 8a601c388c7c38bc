"""Demo data of the management system for Nimbus Cloud Services: a current scope (and the version it
replaced), context issues, interested parties with requirements, top-management commitments, a RACI for
the main processes, the management representative, seven objectives on live indicators with six months of
measurements, the SMS plan and the communication plan.

Deliberate gaps, each reported against its own requirement: the plan's "known limitations" section is
missing (2011 4.5.2 c, 2018 6.3 b); nobody is accountable for deploying releases to production (2018 5.3,
2011 4.1.3 a); the change success objective is off track with no improvement action (2018 6.2.1 f); an
internal issue was last reviewed 14 months ago (2018 4.1). In the process register, service request
management points to a procedure that is still a draft and demand management states no performance criteria
(2018 8.1, 2011 4.5.3 e); service reporting was last checked against the 2025 plan (2011 4.5.2).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from servitium.catalog.models import Service
from servitium.core import services as core_services
from servitium.documents.models import Document
from servitium.parties.models import Location, Organization, Person, Team, User
from servitium.suppliers.models import GovernedProcess

from . import services
from .models import (
    Commitment,
    CommunicationEntry,
    ContextIssue,
    Objective,
    PartyRequirement,
    ProcessRole,
    ScopeStatement,
    SmsPlan,
    SmsSettings,
    Stakeholder,
)
from .models.leadership import SERVICE_PROCESSES
from .services import add_months, closed_months

PROVIDER = "Nimbus Cloud Services"
MONTHS = 6


def load(*, actor) -> None:
    """Create the demo records idempotently."""
    provider = Organization.objects.filter(name=PROVIDER).first()
    if provider is None or ScopeStatement.objects.exists():
        return
    people = {p.name: p for p in Person.objects.filter(organization__kind__in=["provider", "internal"])}
    ceo = people.get("Helena Vogt") or core_services.record_create(
        model=Person,
        data={
            "name": "Helena Vogt",
            "email": "helena.vogt@nimbus.example",
            "job_title": "Managing Director",
            "organization": provider,
        },
        actor=actor,
    )
    people["Helena Vogt"] = ceo
    director = User.objects.filter(username="director").first()
    today = timezone.localdate()
    _scope(actor, director, provider, today)
    _context(actor, people, today)
    _parties(actor)
    _leadership(actor, people, today)
    _objectives(actor, people, today)
    _plan(actor, people, today)
    _processes(actor, people, today)
    _communication(actor, people)


def _scope(actor, approver, provider, today) -> None:
    live = list(Service.objects.filter(status="live").exclude(name="Hosted Email"))
    customers = list(Organization.objects.filter(kind="customer"))
    sites = list(Location.objects.filter(organization=provider))
    versions = [
        (
            "2025.1",
            "The cloud infrastructure services of Nimbus Cloud Services, run from Frankfurt.",
            live[:6],
            [],
        ),
        (
            "2026.1",
            "All live cloud, platform and support services Nimbus Cloud Services provides to its business "
            "customers from the Frankfurt and Dublin data centres, and the service desk supporting them.",
            live,
            list(GovernedProcess.objects.all()),
        ),
    ]
    for version, text, in_scope, governed in versions:
        scope = services.scope_create(
            actor=actor,
            data={
                "version": version,
                "text": text,
                "exclusions": [
                    {
                        "excluded": "Hosted Email",
                        "justification": "Resold: the partner runs it end to end under its own "
                        "certified SMS; we only invoice it.",
                    }
                ],
            },
            m2m={
                "services": in_scope,
                "organizations": customers,
                "locations": sites,
                "other_party_processes": governed,
            },
        )
        services.scope_transition(actor=approver or actor, instance=scope, transition="approve")
        services.scope_transition(actor=actor, instance=scope, transition="make_current")
    ScopeStatement.objects.filter(version="2025.1").update(
        approved_on=today - dt.timedelta(days=400), effective_from=today - dt.timedelta(days=395)
    )


ISSUES = [
    (
        "Customers ask for multi-cloud exit plans",
        "external",
        "market",
        40,
        "Maria Keller",
        "Alder and Cedar asked how they would leave us; tenders now score portability.",
        "Service design must include data export; the catalogue states exit terms.",
    ),
    (
        "NIS2 obligations for cloud providers",
        "external",
        "legal",
        60,
        "Maria Keller",
        "National NIS2 law makes us an essential entity with incident reporting duties.",
        "Security incident reporting within 24 h; supplier security reviewed yearly.",
    ),
    (
        "Rising electricity prices",
        "external",
        "economic",
        90,
        "Paul Fischer",
        "Power costs for both sites rose 35 % in a year.",
        "Budgets and charging basis under pressure; capacity planning favours efficiency.",
    ),
    (
        "Single network carrier for Dublin",
        "external",
        "suppliers",
        30,
        "Kenji Tanaka",
        "Relay Networks is the only carrier into the Dublin site.",
        "Availability of all Dublin services depends on one supplier; continuity plans must cover it.",
    ),
    (
        "Healthcare customers need data residency in the EU",
        "external",
        "legal",
        75,
        "Maria Keller",
        "Birchwood Health must keep patient data in the EU.",
        "Backups and replicas stay in EU sites; a requirement for every design.",
    ),
    (
        "Kubernetes skills concentrated in two people",
        "internal",
        "people",
        20,
        "Ewa Nowak",
        "Only two engineers can operate the Kubernetes platform.",
        "Key-person risk for the platform; training plan needed.",
    ),
    (
        "Service desk tooling moved to Servitium",
        "internal",
        "technology",
        10,
        "Jonas Weber",
        "The service desk moved its tickets, SLAs and reports into one tool.",
        "Records now serve as evidence for audits; old tool kept read-only for a year.",
    ),
    (
        "Growth plan: 30 % more customers in two years",
        "internal",
        "organization",
        120,
        "Helena Vogt",
        "The board set a growth target for the mid-market segment.",
        "Capacity, staffing and the service catalogue must scale with it.",
    ),
    # Deliberate gap: not looked at for over a year (2018 4.1).
    (
        "Office lease in Frankfurt ends",
        "internal",
        "organization",
        430,
        "Paul Fischer",
        "The office lease ends in two years; the operations team may move.",
        "Could disrupt on-site support during the move.",
    ),
]


def _context(actor, people, today) -> None:
    for title, kind, category, age, owner, description, effect in ISSUES:
        core_services.record_create(
            model=ContextIssue,
            data={
                "title": title,
                "origin": kind,
                "category": category,
                "description": description,
                "effect": effect,
                "owner": people[owner],
                "last_reviewed": today - dt.timedelta(days=age),
            },
            actor=actor,
        )


PARTIES = [
    (
        "Alder Logistics",
        "customer",
        "Alder Logistics",
        "Runs its warehouse systems on our compute.",
        [
            (
                "contract",
                "MSA §5",
                "Warehouse systems available 99.9 % in business hours",
                "SLA targets and monitoring",
            ),
            (
                "stated",
                "Quarterly service review",
                "An exit plan for their data within 30 days",
                "Data export offering",
            ),
        ],
    ),
    (
        "Birchwood Health",
        "customer",
        "Birchwood Health",
        "Clinic scheduling and email depend on us.",
        [
            (
                "law",
                "GDPR Art. 28",
                "Process patient data only on instruction and within the EU",
                "DPA; EU-only sites",
            ),
            ("contract", "DPA annex 2", "Breach notification within 24 hours", "Security incident procedure"),
        ],
    ),
    (
        "Our staff",
        "staff",
        None,
        "Run the services; need clear roles and training.",
        [
            ("internal", "Staff survey 2026", "Predictable on-call rota", "Rota published a month ahead"),
        ],
    ),
    (
        "Data protection and cyber security authorities",
        "regulator",
        None,
        "Supervise GDPR and NIS2.",
        [
            (
                "law",
                "NIS2",
                "Report significant incidents within 24 hours",
                "Major incident procedure, step 4",
            ),
            (
                "law",
                "GDPR Art. 33",
                "Notify personal data breaches within 72 hours",
                "Security incident procedure",
            ),
        ],
    ),
    (
        "Stratos Datacenters",
        "supplier",
        "Stratos Datacenters",
        "Colocation partner for both sites.",
        [
            ("contract", "CTR colocation", "Change notices ten days ahead", "Shared change calendar"),
        ],
    ),
    (
        "Owners and investors",
        "owner",
        None,
        "Expect profitable growth.",
        [
            ("internal", "Board plan 2026", "Certification to ISO/IEC 20000-1 by next year", "This SMS"),
            (
                "stated",
                "Board meeting",
                "Monthly figures on churn",
                "Not relevant to the SMS: finance reports it",
            ),
        ],
    ),
]


def _parties(actor) -> None:
    orgs = {o.name: o for o in Organization.objects.all()}
    for name, kind, org, interest, requirements in PARTIES:
        party = core_services.record_create(
            model=Stakeholder,
            data={
                "name": name,
                "party_type": kind,
                "organization": orgs.get(org) if org else None,
                "interest": interest,
            },
            actor=actor,
        )
        for source, detail, description, addressed in requirements:
            relevant = not addressed.startswith("Not relevant")
            core_services.record_create(
                model=PartyRequirement,
                data={
                    "party": party,
                    "source": source,
                    "source_detail": detail,
                    "description": description,
                    "relevant": relevant,
                    "how_addressed": addressed if relevant else "",
                },
                actor=actor,
            )


COMMITMENTS = [
    (
        "policy_objectives",
        "Helena Vogt",
        300,
        "Signed the service management policy and the objectives for the year.",
    ),
    ("plan", "Helena Vogt", 120, "Approved the SMS plan at the management meeting."),
    (
        "decisions",
        "Helena Vogt",
        200,
        "Delegated change approval limits: CAB for normal, director for major changes.",
    ),
    ("value", "Maria Keller", 180, "Agreed with the key customers what value the services must deliver."),
    ("other_parties", "Maria Keller", 150, "Required supplier performance reviews every half year."),
    ("integration", "Helena Vogt", 240, "Put SMS objectives into the yearly business plan and bonuses."),
    ("resources", "Helena Vogt", 90, "Approved two more cloud engineers and the Servitium budget."),
    ("communication", "Helena Vogt", 60, "All-hands talk on why meeting service commitments matters."),
    ("outcomes", "Maria Keller", 45, "Reviewed the SMS results in the management review."),
    ("people", "Maria Keller", 70, "Funded Kubernetes training for four engineers."),
    ("improvement", "Helena Vogt", 30, "Launched the improvement register and asked every team for ideas."),
    ("managers", "Helena Vogt", 100, "Coached the team leads on running their process reviews."),
    ("requirements", "Maria Keller", 110, "Briefed all staff on NIS2 and GDPR duties."),
]

RACI = [
    (
        "incident",
        "Resolve incidents",
        [("A", "Jonas Weber"), ("R", "Service Desk"), ("C", "Cloud Operations"), ("I", "Maria Keller")],
    ),
    (
        "incident",
        "Major incident handling",
        [("A", "Maria Keller"), ("R", "Jonas Weber"), ("R", "Cloud Operations"), ("I", "Helena Vogt")],
    ),
    (
        "change",
        "Approve normal changes",
        [("A", "Ewa Nowak"), ("R", "Cloud Operations"), ("C", "Sofia Rossi"), ("I", "Service Desk")],
    ),
    ("change", "Emergency changes", [("A", "Ewa Nowak"), ("R", "Cloud Operations"), ("I", "Maria Keller")]),
    ("problem", "Analyse root causes", [("A", "Ewa Nowak"), ("R", "Liam O'Connor"), ("C", "Service Desk")]),
    (
        "configuration",
        "Keep the CMDB accurate",
        [("A", "Ewa Nowak"), ("R", "Liam O'Connor"), ("I", "Service Desk")],
    ),
    (
        "service_level",
        "Agree and review SLAs",
        [("A", "Maria Keller"), ("R", "Jonas Weber"), ("C", "Ewa Nowak")],
    ),
    (
        "supplier",
        "Review supplier performance",
        [("A", "Ewa Nowak"), ("R", "Kenji Tanaka"), ("I", "Maria Keller")],
    ),
    ("budgeting_accounting", "Budget and charge services", [("A", "Paul Fischer"), ("C", "Maria Keller")]),
    # Deliberate gap: the release team does the work but nobody is accountable (2018 5.3).
    (
        "release_deployment",
        "Deploy to production",
        [("R", "Cloud Operations"), ("C", "Sofia Rossi"), ("I", "Service Desk")],
    ),
    (
        "objectives_planning",
        "Set objectives and maintain the SMS plan",
        [("A", "Maria Keller"), ("C", "Helena Vogt")],
    ),
    ("internal_audit", "Run the audit programme", [("A", "Maria Keller"), ("R", "Jonas Weber")]),
    ("management_review", "Hold management reviews", [("A", "Helena Vogt"), ("R", "Maria Keller")]),
]


def _leadership(actor, people, today) -> None:
    for area, who, age, description in COMMITMENTS:
        core_services.record_create(
            model=Commitment,
            data={
                "area": area,
                "made_by": people[who],
                "description": description,
                "made_on": today - dt.timedelta(days=age),
                "evidence": "Minutes of the management meeting",
            },
            actor=actor,
        )
    teams = {t.name: t for t in Team.objects.all()}
    for process, activity, cells in RACI:
        for raci, holder in cells:
            who = {"team": teams[holder]} if holder in teams else {"person": people[holder]}
            services.process_role_create(
                actor=actor, data={"process": process, "activity": activity, "raci": raci, **who}
            )
    services.settings_create(
        actor=actor,
        data={
            "management_representative": people["Maria Keller"],
            "appointed_by": people["Helena Vogt"],
            "appointed_on": today - dt.timedelta(days=420),
            "duties": "Keeps the SMS conforming to ISO/IEC 20000-1, assigns process owners, makes sure the "
            "processes work together and reports on the SMS to the management.",
            "reports_to_top_management": "Monthly SMS report and the yearly management review.",
        },
    )


OBJECTIVES = [
    (
        "Resolve tickets within their agreed time",
        "resolution_within_target",
        ">=",
        "80",
        "3",
        "Jonas Weber",
        "We meet what we agreed with our customers.",
        None,
    ),
    (
        "Answer tickets within their agreed time",
        "response_within_target",
        ">=",
        "95",
        "2",
        "Jonas Weber",
        "We meet what we agreed with our customers.",
        None,
    ),
    # Deliberate gap: off track and nobody has raised an improvement for it (2018 6.2.1 f).
    (
        "Changes succeed first time",
        "change_success_rate",
        ">=",
        "90",
        "5",
        "Ewa Nowak",
        "We change services safely.",
        None,
    ),
    (
        "Keep emergency changes rare",
        "emergency_change_share",
        "<=",
        "15",
        "10",
        "Ewa Nowak",
        "We change services safely.",
        "CAB-2026-11 action 3",
    ),
    (
        "At most two complaints a month",
        "complaints",
        "<=",
        "2",
        "1",
        "Maria Keller",
        "We listen to our customers.",
        None,
    ),
    (
        "Customers rate us 4 of 5 or better",
        "customer_satisfaction",
        ">=",
        "4",
        "0.3",
        "Maria Keller",
        "We listen to our customers.",
        None,
    ),
    (
        "Meet SLA targets in at least 65 % of target-months",
        "sla_compliance",
        ">=",
        "65",
        "10",
        "Maria Keller",
        "We meet what we agreed with our customers.",
        None,
    ),
]
SURVEY_SCORES = ["4.1", "4.0", "3.8", "4.2", "4.3", "4.2"]


def _objectives(actor, people, today) -> None:
    from servitium.agreements.services import performance_record

    zone = timezone.get_current_timezone()
    for start, end in closed_months(MONTHS, today):
        performance_record(
            period_start=dt.datetime.combine(start, dt.time.min, tzinfo=zone),
            period_end=dt.datetime.combine(end, dt.time.min, tzinfo=zone),
            actor=None,  # the system measures, as the nightly job does
        )
    requirements = list(PartyRequirement.objects.filter(relevant=True)[:3])
    live = list(Service.objects.filter(status="live")[:3])
    due = add_months(today, 7)
    for title, key, comparator, target, tolerance, owner, policy, action in OBJECTIVES:
        objective = services.objective_create(
            actor=actor,
            data={
                "title": title,
                "indicator": key,
                "comparator": comparator,
                "target_value": Decimal(target),
                "tolerance": Decimal(tolerance),
                "owner": people[owner],
                "due_date": due,
                "policy_basis": policy,
                "actions": "Monthly review of the figure with the team; actions agreed in the process "
                "review.",
                "resources": "Process owner and team leads, two hours a month.",
                "evaluation": "Monthly value against the target; a quarter off track goes to the "
                "management review.",
                "action_reference": action or "",
            },
            m2m={"requirements": requirements, "services": live},
        )
        services.objective_transition(actor=actor, instance=objective, transition="activate")
        if key == "customer_satisfaction":
            # Surveys ran in the previous tool: their monthly means are entered by hand.
            for (start, end), score in zip(closed_months(MONTHS, today), SURVEY_SCORES, strict=True):
                services.measurement_create(
                    actor=actor,
                    data={
                        "objective": objective,
                        "period_start": start,
                        "period_end": end,
                        "value": Decimal(score),
                        "note": "Monthly survey mean from the previous survey tool",
                    },
                )
    services.objective_measure_months(
        months=MONTHS,
        objectives=Objective.objects.exclude(indicator="customer_satisfaction"),
        actor=actor,
        today=today,
    )


PLAN = {
    "services": (
        "Maria Keller",
        "The services in scope are those of the current scope statement and the catalogue.",
    ),
    "objectives": (
        "Maria Keller",
        "See the objectives register: seven objectives with monthly measurements.",
    ),
    "requirements": (
        "Jonas Weber",
        "Service requirements are the agreed SLAs and the interested parties' requirements.",
    ),
    # "limitations" is left missing: the deliberate gap of 2011 4.5.2 c / 2018 6.3 b.
    "obligations": ("Maria Keller", "GDPR, NIS2, customer contracts and data processing agreements."),
    "policies_standards": (
        "Maria Keller",
        "Service management policy, information security policy, ISO/IEC 20000-1.",
    ),
    "authorities": (
        "Helena Vogt",
        "The RACI per process and the appointments of the management representative.",
    ),
    "resources": ("Paul Fischer", "Staffing plan 2026, tooling budget, the two data centres."),
    "other_parties": (
        "Ewa Nowak",
        "Suppliers are managed by supplier management; see processes operated by others.",
    ),
    "interfaces": ("Maria Keller", "Process map: incident, problem, change and release hand-offs."),
    "risk_approach": (
        "Maria Keller",
        "Risk register; risks scored 12 or more need treatment, below may be accepted.",
    ),
    "technology": ("Ewa Nowak", "Servitium, the monitoring platform, backup software."),
    "measurement": (
        "Maria Keller",
        "Monthly objective measurements, the internal audit programme, management review.",
    ),
}


def _plan(actor, people, today) -> None:
    plan = services.plan_create(
        actor=actor,
        data={"title": "Service management plan", "version": "2026", "owner": people["Maria Keller"]},
    )
    for section in plan.sections.all():
        if section.item not in PLAN:
            continue
        owner, text = PLAN[section.item]
        section = services.section_update(
            actor=actor, instance=section, data={"owner": people[owner], "text": text}
        )
        services.section_transition(actor=actor, instance=section, transition="complete")
    services.plan_review(
        actor=actor, plan=SmsPlan.objects.get(pk=plan.pk), reviewed_on=today - dt.timedelta(days=120)
    )


# process -> (owner, the document that describes it, performance criteria); the rest are described by the plan
PROCESS_REGISTER = {
    "incident": ("Jonas Weber", "Incident management process", "95 % of P1 incidents answered in 15 minutes"),
    "service_request": (
        "Jonas Weber",
        "Service request fulfilment procedure",
        "90 % of requests fulfilled on time",
    ),
    "problem": ("Ewa Nowak", "Problem management process", "Root cause of every P1 problem found in 30 days"),
    "change": ("Ewa Nowak", "Change management process", "Fewer than 5 % of changes fail; none unauthorised"),
    "release_deployment": ("Ewa Nowak", "Release and deployment management process", "No failed release"),
    "configuration": ("Ewa Nowak", "Configuration management process", "98 % of CIs match the yearly audit"),
    "service_level": ("Jonas Weber", "Service level management process", "Every SLA reviewed yearly"),
    "supplier": ("Sofia Rossi", "Supplier management process", "Every supplier reviewed twice a year"),
    "continuity": ("Maria Keller", "Service continuity plan", "Every plan tested yearly; RTO met in tests"),
    "information_security": (
        "Maria Keller",
        "Information security policy",
        "No security incident open past 30 days",
    ),
    "demand": ("Sofia Rossi", "Service management plan", ""),  # the deliberate gap: no criteria
}


def _processes(actor, people, today) -> None:
    """The process register: each service management process with its owner, procedure and criteria."""
    plan = SmsPlan.objects.first()
    documents = {d.title: d for d in Document.objects.all()}
    for key, label in SERVICE_PROCESSES:
        owner, title, criteria = PROCESS_REGISTER.get(
            key,
            ("Maria Keller", "Service management plan", f"The plan's targets for {label} met each quarter"),
        )
        services.process_definition_create(
            actor=actor,
            data={
                "process": key,
                "owner": people[owner],
                "procedure": documents.get(title),
                "performance_criteria": criteria,
                "records_kept": "Its records in Servitium and the monthly SMS performance report",
                "plan_version": "2025" if key == "service_reporting" else (plan.version if plan else ""),
                "last_reviewed": today - dt.timedelta(days=60),
            },
        )


COMMUNICATION = [
    (
        "Service performance against SLAs",
        "monthly",
        "Customer IT managers",
        "external",
        "Jonas Weber",
        None,
        "report",
    ),
    (
        "Planned changes and maintenance",
        "ten days ahead",
        "All customers",
        "external",
        None,
        "Cloud Operations",
        "portal",
    ),
    (
        "Major incident updates",
        "every hour during a major incident",
        "Affected customers",
        "external",
        "Maria Keller",
        None,
        "email",
    ),
    (
        "Service management policy and objectives",
        "after each approval",
        "All staff",
        "internal",
        "Helena Vogt",
        None,
        "intranet",
    ),
    ("SMS performance report", "monthly", "Management", "internal", "Maria Keller", None, "meeting"),
    (
        "Process changes and new procedures",
        "when they change",
        "Staff of the process",
        "internal",
        None,
        "Service Desk",
        "training",
    ),
    (
        "Supplier performance",
        "half-yearly",
        "Suppliers' account managers",
        "external",
        "Ewa Nowak",
        None,
        "meeting",
    ),
]


def _communication(actor, people) -> None:
    teams = {t.name: t for t in Team.objects.all()}
    for subject, timing, audience, direction, person, team, channel in COMMUNICATION:
        core_services.record_create(
            model=CommunicationEntry,
            data={
                "subject": subject,
                "timing": timing,
                "audience": audience,
                "direction": direction,
                "communicator": people[person] if person else None,
                "communicator_team": teams[team] if team else None,
                "channel": channel,
            },
            actor=actor,
        )


__all__ = ["SmsSettings", "ProcessRole"]
