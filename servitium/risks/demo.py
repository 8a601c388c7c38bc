"""Demo data of risk management: the register of Nimbus Cloud Services, ~25 risks and opportunities linked
to its services, CIs, suppliers and changes.

Deliberate gaps (they show as "not met" or "partly met" in `servitium assess`):
- a high risk (the single chiller in Dublin) assessed but without any treatment
  -> risks.beyond_appetite_treated (2018 6.1.1.b, 6.1.3.a; 2011 4.1.1.g, 4.5.3.d);
- two risks past their review date -> risks.reviewed_on_schedule (2018 6.1.1.a; 2011 4.5.3.d).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from servitium.catalog.models import Service
from servitium.changes.models import Change
from servitium.cmdb.models import ConfigurationItem
from servitium.parties.models import Person
from servitium.suppliers.models import Supplier

from . import services
from .models import Risk

MARIA, JONAS, EWA, LIAM, SOFIA, KENJI = (
    "Maria Keller",
    "Jonas Weber",
    "Ewa Nowak",
    "Liam O'Connor",
    "Sofia Rossi",
    "Kenji Tanaka",
)
RISK, OPP = "risk", "opportunity"

# Each entry: the risk's fields, its treatment and where it stands. `actions`: (description, owner,
# due in days (negative: past), status). `review`: days from today to the next review (negative: overdue).
REGISTER: list[dict[str, Any]] = [
    {
        "title": "Extended power outage at the Frankfurt data centre",
        "category": "service",
        "cause": "Grid failure lasting longer than the generators' fuel on site (36 hours).",
        "consequence": "All Frankfurt-hosted services stop; failover to Dublin only for DR customers.",
        "customer_impact": "Compute, storage and hosted applications in Frankfurt unavailable.",
        "owner": EWA,
        "likelihood": 2,
        "impact": 5,
        "treatment": "reduce",
        "actions": [
            ("Contract priority fuel delivery with a second supplier", EWA, -60, "done"),
            ("Quarterly generator load test witnessed by Nimbus", EWA, 30, "in_progress"),
        ],
        "residual": (1, 5),
        "status": "monitored",
        "services": ["Data Centre Facilities", "Virtual Compute"],
        "suppliers": ["Stratos Datacenters"],
        "created": 320,
    },
    {
        "title": "Single chiller serving Dublin hall B",
        "category": "service",
        "cause": "Hall B has one chiller; the second was removed during the 2023 refit and not replaced.",
        "consequence": "Overheating forces a controlled shutdown of the racks in hall B.",
        "customer_impact": "Dublin replicas and DR targets unavailable until cooling returns.",
        "owner": EWA,
        "likelihood": 4,
        "impact": 4,
        "status": "assessed",  # deliberate gap: high, assessed, no treatment decided
        "services": ["Data Centre Facilities", "Disaster Recovery as a Service"],
        "suppliers": ["Stratos Datacenters"],
        "created": 40,
    },
    {
        "title": "Ransomware reaching the backup repository",
        "category": "service",
        "cause": "Stolen administrator credentials used to encrypt or delete backup copies.",
        "consequence": "Customers cannot restore; recovery depends on off-site copies only.",
        "customer_impact": "Data loss of up to 35 days for customers of Backup and Restore.",
        "owner": SOFIA,
        "likelihood": 3,
        "impact": 5,
        "treatment": "reduce",
        "actions": [
            ("Immutable object-lock copies for all backup jobs", SOFIA, -30, "done"),
            ("Separate admin accounts with hardware keys for the backup server", LIAM, 20, "in_progress"),
        ],
        "status": "treated",
        "services": ["Backup and Restore"],
        "cis": ["Backup server"],
        "changes": ["Move backups to the new repository"],
        "created": 280,
    },
    {
        "title": "Lock-in to Keystone Software's database licensing",
        "category": "sms",
        "cause": "Managed PostgreSQL tooling and backup agents depend on Keystone's licensed add-ons.",
        "consequence": "Price rises or end of support cannot be resisted; migration would take a year.",
        "owner": SOFIA,
        "likelihood": 3,
        "impact": 4,
        "treatment": "reduce",
        "actions": [("Evaluate open-source replacements for the backup agent", SOFIA, 75, "planned")],
        "status": "treated",
        "services": ["Managed PostgreSQL", "Backup and Restore"],
        "suppliers": ["Keystone Software"],
        "cis": ["PostgreSQL support subscription"],
        "created": 210,
    },
    {
        "title": "Loss of the only network engineer",
        "category": "sms",
        "cause": "All firewall and WAN knowledge sits with one person (Kenji Tanaka).",
        "consequence": "Network changes and major incidents stall during absence or after resignation.",
        "owner": MARIA,
        "likelihood": 3,
        "impact": 4,
        "treatment": "reduce",
        "actions": [
            ("Hire a second network engineer", MARIA, 60, "in_progress"),
            ("Document firewall and WAN runbooks", KENJI, -10, "done"),
        ],
        "status": "treated",
        "services": ["Network Connectivity"],
        "created": 190,
    },
    {
        "title": "Compute capacity exhausted in Frankfurt before the new hosts arrive",
        "category": "service",
        "cause": "Retail customers' peak season growth of 30 % on a cluster already at 78 %.",
        "consequence": "New VM requests refused; autoscaling of Kubernetes workloads fails.",
        "customer_impact": "Cedar Retail's web shop cannot scale during the peak.",
        "owner": EWA,
        "likelihood": 3,
        "impact": 4,
        "treatment": "reduce",
        "actions": [
            ("Order four additional hypervisor hosts", EWA, -20, "done"),
            ("Agree a reserved-capacity plan with Cedar Retail", JONAS, 14, "in_progress"),
        ],
        "status": "treated",
        "services": ["Virtual Compute", "Kubernetes Platform"],
        "cis": ["k8s-prod-fra"],
        "created": 120,
    },
    {
        "title": "WAN carrier outage isolating Dublin",
        "category": "service",
        "cause": "Both Dublin links run over Relay Networks' backbone (one carrier).",
        "consequence": "Replication to Dublin stops; Dublin-hosted services unreachable.",
        "customer_impact": "Customers in Dublin lose access; DR replication lags.",
        "owner": KENJI,
        "likelihood": 2,
        "impact": 4,
        "treatment": "transfer",
        "actions": [("Add a second carrier with diverse routing", KENJI, -90, "done")],
        "residual": (1, 4),
        "status": "monitored",
        "services": ["Network Connectivity"],
        "suppliers": ["Relay Networks"],
        "cis": ["fra-fw-01"],
        "created": 300,
    },
    {
        "title": "Failed database upgrades leaving clusters half-upgraded",
        "category": "service",
        "cause": "Minor upgrades run without a rehearsal on a copy of production.",
        "consequence": "Extended maintenance windows and possible data corruption.",
        "customer_impact": "Managed PostgreSQL customers see outages beyond the agreed window.",
        "owner": SOFIA,
        "likelihood": 3,
        "impact": 3,
        "treatment": "reduce",
        "actions": [("Rehearse every upgrade on a restored copy", SOFIA, 21, "planned")],
        "status": "treated",
        "services": ["Managed PostgreSQL"],
        "cis": ["pg-cluster-shared"],
        "changes": ["PostgreSQL 16.3 minor upgrade"],
        "created": 25,
    },
    {
        "title": "Expired TLS certificates on customer-facing endpoints",
        "category": "service",
        "cause": "Certificates renewed by hand from a spreadsheet.",
        "consequence": "Browsers and mail servers refuse connections.",
        "customer_impact": "Portal and mail unreachable for all customers until renewed.",
        "owner": LIAM,
        "likelihood": 3,
        "impact": 3,
        "treatment": "reduce",
        "actions": [("Automate renewal with ACME for all public endpoints", LIAM, -5, "done")],
        "residual": (1, 3),
        "status": "monitored",
        "services": ["Identity and Access", "Web Application Hosting"],
        "cis": ["Keycloak"],
        "changes": ["Renew the Keycloak certificate"],
        "created": 260,
    },
    {
        "title": "Service desk overwhelmed during a major incident",
        "category": "service",
        "cause": "Three agents; call volume rises tenfold during wide outages.",
        "consequence": "Calls abandoned; priority-1 tickets logged late.",
        "customer_impact": "Customers cannot report problems or get updates during outages.",
        "owner": JONAS,
        "likelihood": 3,
        "impact": 3,
        "treatment": "reduce",
        "actions": [("Status page with automatic incident updates", JONAS, 45, "planned")],
        "status": "treated",
        "services": ["Service Desk"],
        "review": -20,  # deliberate gap: review overdue
        "created": 230,
    },
    {
        "title": "Personal data disclosed through misconfigured object storage buckets",
        "category": "service",
        "cause": "Customers can make buckets public; no default policy prevents it.",
        "consequence": "Data breach notification duties for Nimbus and the customer.",
        "customer_impact": "Birchwood Health's patient documents could be exposed.",
        "owner": EWA,
        "likelihood": 2,
        "impact": 5,
        "treatment": "reduce",
        "actions": [("Block public buckets by default; exceptions by request", EWA, -45, "done")],
        "residual": (1, 5),
        "status": "monitored",
        "services": ["Block and Object Storage"],
        "cis": ["fra-objstore-01"],
        "created": 250,
    },
    {
        "title": "Monitoring blind spot after the Grafana upgrade failure",
        "category": "service",
        "cause": "Dashboards and alert routes were partly lost when the upgrade failed.",
        "consequence": "Incidents detected by customers rather than by monitoring.",
        "customer_impact": "Longer outages before anyone reacts.",
        "owner": EWA,
        "likelihood": 2,
        "impact": 3,
        "treatment": "accept",
        "acceptance_reason": "Alert routes restored from backup; dashboards rebuilt over time. Medium risk "
        "within appetite, accepted by the service owner.",
        "status": "treated",
        "services": ["Monitoring and Alerting"],
        "cis": ["Grafana"],
        "changes": ["Upgrade Grafana to 11"],
        "created": 85,
    },
    {
        "title": "Regulatory change: NIS2 duties for cloud providers",
        "category": "sms",
        "cause": "NIS2 transposition brings incident reporting within 24 hours and supply-chain duties.",
        "consequence": "Fines and loss of public-sector customers if not met.",
        "owner": MARIA,
        "likelihood": 4,
        "impact": 3,
        "treatment": "reduce",
        "actions": [
            ("Gap assessment against the national NIS2 law", MARIA, -15, "done"),
            ("Add the 24-hour authority notification to the major incident procedure", JONAS, 30, "planned"),
        ],
        "status": "treated",
        "created": 150,
    },
    {
        "title": "Management reviews slip when the Head of Service Management is absent",
        "category": "sms",
        "cause": "No deputy prepares the review pack.",
        "consequence": "Decisions on objectives and resources are delayed.",
        "owner": MARIA,
        "likelihood": 2,
        "impact": 2,
        "treatment": "accept",
        "acceptance_reason": "The review pack is generated; a deputy can run the meeting. Low risk.",
        "status": "treated",
        "review": -45,  # deliberate gap: review overdue
        "created": 330,
    },
    {
        "title": "Colocation contract with Stratos ends without renewal terms",
        "category": "sms",
        "cause": "The contract expires in 14 months; the renewal clause allows a 25 % price rise.",
        "consequence": "Cost increase or forced move of the Frankfurt site.",
        "owner": MARIA,
        "likelihood": 3,
        "impact": 3,
        "treatment": "reduce",
        "actions": [("Open renewal negotiations with Stratos 12 months ahead", MARIA, 60, "planned")],
        "status": "treated",
        "suppliers": ["Stratos Datacenters"],
        "created": 60,
    },
    {
        "title": "Identity provider outage locks customers out of every service",
        "category": "service",
        "cause": "All tenants authenticate through one Keycloak realm cluster.",
        "consequence": "No logins to portals, mail or consoles.",
        "customer_impact": "All customers lose access to every service at once.",
        "owner": LIAM,
        "likelihood": 2,
        "impact": 5,
        "treatment": "reduce",
        "actions": [("Second IdP node behind the load balancer", LIAM, -160, "done")],
        "residual": (1, 5),
        "status": "monitored",
        "services": ["Identity and Access"],
        "cis": ["Keycloak"],
        "changes": ["Add a second IdP node to the load balancer"],
        "created": 200,
    },
    {
        "title": "Kubernetes version falling out of support",
        "category": "service",
        "cause": "Upstream supports each minor version for about 14 months.",
        "consequence": "No security patches for the platform.",
        "customer_impact": "Cedar Retail's workloads run on an unpatched platform.",
        "owner": LIAM,
        "likelihood": 2,
        "impact": 3,
        "treatment": "reduce",
        "actions": [("Twice-yearly platform upgrade in the change schedule", LIAM, -60, "done")],
        "residual": (1, 3),
        "status": "closed",
        "services": ["Kubernetes Platform"],
        "cis": ["k8s-prod-fra"],
        "changes": ["Kubernetes 1.30 upgrade"],
        "created": 180,
    },
    {
        "title": "Spam blacklisting of the outbound mail relay",
        "category": "service",
        "cause": "A compromised customer mailbox sends spam through the shared relay.",
        "consequence": "Mail from all customers is rejected by large providers.",
        "customer_impact": "Outbound mail of Birchwood Health and Dunmore City Council bounces.",
        "owner": LIAM,
        "likelihood": 3,
        "impact": 2,
        "treatment": "reduce",
        "actions": [("Outbound rate limits per mailbox", LIAM, 10, "in_progress")],
        "status": "treated",
        "services": ["Hosted Email"],
        "cis": ["Postfix relay"],
        "created": 100,
    },
    {
        "title": "Supplier patch delays for the backup software",
        "category": "service",
        "cause": "Keystone's support answers security issues in weeks, not days.",
        "consequence": "Known vulnerabilities stay open on the backup server.",
        "customer_impact": "Backups at risk while a vulnerability is open.",
        "owner": SOFIA,
        "likelihood": 2,
        "impact": 2,
        "treatment": "accept",
        "acceptance_reason": "Backup server is not reachable from the internet; low risk.",
        "status": "treated",
        "suppliers": ["Keystone Software"],
        "services": ["Backup and Restore"],
        "created": 90,
    },
    {
        "title": "Budget cut to the continuity test programme",
        "category": "sms",
        "cause": "Finance proposes to halve the test budget for next year.",
        "consequence": "Only one failover test a year; DR plans age untested.",
        "owner": MARIA,
        "likelihood": 2,
        "impact": 3,
        "status": "identified",
        "created": 8,
    },
    {
        "title": "A third region in Vienna for public-sector customers",
        "kind": OPP,
        "category": "service",
        "cause": "Austrian authorities require data to stay in Austria; two tenders are expected.",
        "consequence": "New revenue of about EUR 1.2 m a year and a third site for DR.",
        "customer_impact": "Dunmore-style public-sector customers could keep data in-country.",
        "owner": MARIA,
        "likelihood": 3,
        "impact": 4,
        "treatment": "exploit",
        "actions": [
            ("Shortlist colocation providers in Vienna", EWA, 40, "in_progress"),
            ("Business case for the board", MARIA, 70, "planned"),
        ],
        "status": "treated",
        "services": ["Virtual Compute", "Disaster Recovery as a Service"],
        "created": 70,
    },
    {
        "title": "GPU compute for customers' analytics workloads",
        "kind": OPP,
        "category": "service",
        "cause": "Three customers asked for GPU instances this year.",
        "consequence": "A new service line with higher margins.",
        "customer_impact": "Customers run analytics near their data instead of at hyperscalers.",
        "owner": EWA,
        "likelihood": 3,
        "impact": 3,
        "treatment": "enhance",
        "actions": [("Pilot with two GPU hosts and Alder Logistics", EWA, 50, "planned")],
        "status": "treated",
        "services": ["GPU Compute"],
        "created": 55,
    },
    {
        "title": "Automating standard changes through the self-service portal",
        "kind": OPP,
        "category": "sms",
        "cause": "40 % of changes are standard and follow fixed steps.",
        "consequence": "Less workload on the change manager; faster delivery for customers.",
        "owner": EWA,
        "likelihood": 4,
        "impact": 2,
        "treatment": "exploit",
        "actions": [("Expose certificate renewals as a portal request", LIAM, -25, "done")],
        "residual": (4, 3),
        "status": "monitored",
        "changes": ["Renew the portal certificate"],
        "created": 140,
    },
    {
        "title": "Sharing a second data-centre fuel contract with a neighbouring tenant",
        "kind": OPP,
        "category": "sms",
        "cause": "The neighbouring tenant in Frankfurt wants the same priority fuel supply.",
        "consequence": "Lower cost of the priority fuel contract.",
        "owner": EWA,
        "likelihood": 2,
        "impact": 2,
        "treatment": "share",
        "actions": [("Draft a cost-sharing agreement", EWA, 35, "planned")],
        "status": "treated",
        "suppliers": ["Stratos Datacenters"],
        "created": 30,
    },
    {
        "title": "Customer churn after repeated mail outages",
        "category": "service",
        "cause": "Two mail outages in one quarter at Birchwood Health.",
        "consequence": "Contract not renewed; loss of the largest mail customer.",
        "customer_impact": "Birchwood Health's confidence in the service falls.",
        "owner": JONAS,
        "likelihood": 2,
        "impact": 4,
        "treatment": "reduce",
        "actions": [("Monthly service review with Birchwood until stable", JONAS, 20, "in_progress")],
        "status": "treated",
        "services": ["Hosted Email"],
        "created": 45,
    },
]

STEPS = {
    "identified": [],
    "assessed": ["assess"],
    "treated": ["assess", "treat"],
    "monitored": ["assess", "treat", "monitor"],
    "closed": ["assess", "treat", "close"],
}


def _named(model, field: str, names: list[str]) -> list:
    return list(model.objects.filter(**{f"{field}__in": names}))


@transaction.atomic
def load(*, actor: Any) -> None:
    """Create the demo register (idempotent: risks are looked up by title)."""
    services.matrix_ensure(actor=actor)
    people = {p.name: p for p in Person.objects.filter(organization__kind="provider")}
    if not people:
        return
    today = timezone.localdate()
    for entry in REGISTER:
        if Risk.objects.filter(title=entry["title"]).exists():
            continue
        _create(actor, entry, people, today)


def _create(actor: Any, entry: dict[str, Any], people: dict[str, Person], today: dt.date) -> None:
    data = {
        "title": entry["title"],
        "kind": entry.get("kind", RISK),
        "category": entry["category"],
        "cause": entry["cause"],
        "consequence": entry["consequence"],
        "customer_impact": entry.get("customer_impact", ""),
        "owner": people.get(entry["owner"]),
        "likelihood": entry["likelihood"],
        "impact": entry["impact"],
        "treatment_option": entry.get("treatment", ""),
        "acceptance_reason": entry.get("acceptance_reason", ""),
    }
    m2m = {
        "services": _named(Service, "name", entry.get("services", [])),
        "cis": _named(ConfigurationItem, "name", entry.get("cis", [])),
        "suppliers": _named(Supplier, "organization__name", entry.get("suppliers", [])),
        "changes": _named(Change, "title", entry.get("changes", [])),
    }
    risk = services.risk_create(actor=actor, data=data, m2m=m2m)
    for description, owner, due, status in entry.get("actions", []):
        action = services.action_create(
            actor=actor,
            data={
                "risk": risk,
                "description": description,
                "owner": people.get(owner),
                "due_date": today + dt.timedelta(days=due),
            },
        )
        if status in ("in_progress", "done"):
            action = services.action_transition(actor=actor, instance=action, transition="start")
        if status == "done":
            services.action_transition(
                actor=actor,
                instance=action,
                transition="complete",
                today=today + dt.timedelta(days=min(due, 0)),
            )
    residual = entry.get("residual")
    for step in STEPS[entry["status"]]:
        carried = {}
        if step == "close" or (residual and step == "monitor"):
            carried = {"residual_likelihood": residual[0], "residual_impact": residual[1]}
        risk = services.risk_transition(actor=actor, instance=risk, transition=step, data=carried)
    if residual and risk.residual_score is None and risk.is_open:
        risk = services.risk_update(
            actor=actor,
            instance=risk,
            data={"residual_likelihood": residual[0], "residual_impact": residual[1]},
        )
    if "review" in entry:
        Risk.objects.filter(pk=risk.pk).update(review_date=today + dt.timedelta(days=entry["review"]))
    # The register was built over the past year: back-date the entry (the change log keeps the real time).
    created = timezone.now() - dt.timedelta(days=entry.get("created", 0))
    Risk.objects.filter(pk=risk.pk).update(created=created)
