"""Demo data: a believable cloud service provider and its customers, suppliers, people and services.

Idempotent: records are looked up by name and only created when missing. Each process app adds its own
part here as it lands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from servitium.catalog import services as catalog_services
from servitium.catalog.models import Service
from servitium.core import searchindex
from servitium.core import services as core_services
from servitium.core.context import change_context
from servitium.core.dbstats import refresh_statistics
from servitium.core.models import ServiceHoursCalendar
from servitium.parties import services as party_services
from servitium.parties.models import Location, Organization, Person, Team, User

PROVIDER = "Nimbus Cloud Services"
CUSTOMERS = {
    "Alder Logistics": "Freight forwarding across the EU; runs its warehouse systems on Nimbus.",
    "Birchwood Health": "Regional clinic group; hosts patient scheduling and email.",
    "Cedar Retail Group": "Fashion retailer with 120 stores and a web shop.",
    "Dunmore City Council": "Local authority; citizen portal and back-office systems.",
}
SUPPLIERS = {
    "Stratos Datacenters": "Colocation and power for the Frankfurt and Dublin sites.",
    "Relay Networks": "Wide-area network links and internet transit.",
    "Keystone Software": "Database and backup software licences with vendor support.",
}
INTERNAL = {"Nimbus Finance": "Internal finance department (budgeting and charging)."}

PEOPLE = [
    ("Maria Keller", "maria.keller@nimbus.example", "Head of Service Management", PROVIDER),
    ("Jonas Weber", "jonas.weber@nimbus.example", "Service Desk Lead", PROVIDER),
    ("Aisha Rahman", "aisha.rahman@nimbus.example", "Service Desk Agent", PROVIDER),
    ("Tomás Silva", "tomas.silva@nimbus.example", "Service Desk Agent", PROVIDER),
    ("Ewa Nowak", "ewa.nowak@nimbus.example", "Cloud Operations Lead", PROVIDER),
    ("Liam O'Connor", "liam.oconnor@nimbus.example", "Cloud Engineer", PROVIDER),
    ("Sofia Rossi", "sofia.rossi@nimbus.example", "Database Administrator", PROVIDER),
    ("Kenji Tanaka", "kenji.tanaka@nimbus.example", "Network Engineer", PROVIDER),
    ("Grace Miller", "grace.miller@alder.example", "IT Manager", "Alder Logistics"),
    ("Peter Lindqvist", "peter.lindqvist@alder.example", "Warehouse Systems Lead", "Alder Logistics"),
    ("Dr. Hannah Brooks", "hannah.brooks@birchwood.example", "Chief Information Officer", "Birchwood Health"),
    ("Omar Haddad", "omar.haddad@cedar.example", "E-commerce Manager", "Cedar Retail Group"),
    ("Fiona Walsh", "fiona.walsh@dunmore.example", "Head of Digital Services", "Dunmore City Council"),
    ("Marco Bianchi", "marco.bianchi@stratos.example", "Account Manager", "Stratos Datacenters"),
    ("Ines Duarte", "ines.duarte@relay.example", "Service Manager", "Relay Networks"),
    ("Paul Fischer", "paul.fischer@nimbus.example", "Finance Controller", "Nimbus Finance"),
    ("Nina Brandt", "nina.brandt@nimbus.example", "Service Finance Analyst", PROVIDER),
]

TEAMS = [
    (
        "Service Desk",
        "First-line support for all customers.",
        "Jonas Weber",
        ["Jonas Weber", "Aisha Rahman", "Tomás Silva"],
    ),
    (
        "Cloud Operations",
        "Compute, storage and platform operations.",
        "Ewa Nowak",
        ["Ewa Nowak", "Liam O'Connor"],
    ),
    ("Database Team", "Managed database services.", "Sofia Rossi", ["Sofia Rossi"]),
    ("Network Team", "Data-centre and WAN networking.", "Kenji Tanaka", ["Kenji Tanaka"]),
]

# name, description, status, owner, customers, depends on
SERVICES: list[tuple[str, str, str, str, list[str], list[str]]] = [
    (
        "Data Centre Facilities",
        "Power, cooling and physical security in two sites.",
        "live",
        "Ewa Nowak",
        [],
        [],
    ),
    (
        "Network Connectivity",
        "Redundant WAN links, internet transit and firewalls.",
        "live",
        "Kenji Tanaka",
        [],
        ["Data Centre Facilities"],
    ),
    (
        "Identity and Access",
        "Single sign-on and directory for customer tenants.",
        "live",
        "Liam O'Connor",
        ["Alder Logistics", "Birchwood Health", "Cedar Retail Group", "Dunmore City Council"],
        ["Network Connectivity"],
    ),
    (
        "Virtual Compute",
        "Virtual machines in sizes S to XL, in Frankfurt and Dublin.",
        "live",
        "Ewa Nowak",
        ["Alder Logistics", "Cedar Retail Group", "Dunmore City Council"],
        ["Data Centre Facilities", "Network Connectivity"],
    ),
    (
        "Block and Object Storage",
        "Replicated block volumes and S3-compatible object storage.",
        "live",
        "Ewa Nowak",
        ["Alder Logistics", "Birchwood Health", "Cedar Retail Group"],
        ["Data Centre Facilities"],
    ),
    (
        "Managed PostgreSQL",
        "Highly available PostgreSQL with point-in-time recovery.",
        "live",
        "Sofia Rossi",
        ["Alder Logistics", "Cedar Retail Group"],
        ["Virtual Compute", "Block and Object Storage"],
    ),
    (
        "Backup and Restore",
        "Daily backups kept 35 days, restores on request.",
        "live",
        "Sofia Rossi",
        ["Alder Logistics", "Birchwood Health", "Cedar Retail Group", "Dunmore City Council"],
        ["Block and Object Storage"],
    ),
    (
        "Hosted Email",
        "Mailboxes, calendars and spam filtering.",
        "live",
        "Liam O'Connor",
        ["Birchwood Health", "Dunmore City Council"],
        ["Identity and Access", "Virtual Compute"],
    ),
    (
        "Kubernetes Platform",
        "Managed container clusters with autoscaling.",
        "live",
        "Liam O'Connor",
        ["Cedar Retail Group"],
        ["Virtual Compute", "Block and Object Storage", "Identity and Access"],
    ),
    (
        "Web Application Hosting",
        "Managed hosting for web shops and portals.",
        "live",
        "Liam O'Connor",
        ["Cedar Retail Group", "Dunmore City Council"],
        ["Kubernetes Platform", "Managed PostgreSQL"],
    ),
    (
        "Service Desk",
        "Single point of contact, 24x7 for priority 1, business hours otherwise.",
        "live",
        "Jonas Weber",
        ["Alder Logistics", "Birchwood Health", "Cedar Retail Group", "Dunmore City Council"],
        [],
    ),
    (
        "Monitoring and Alerting",
        "Metrics, logs and alert routing for customer workloads.",
        "live",
        "Ewa Nowak",
        ["Alder Logistics", "Cedar Retail Group"],
        ["Virtual Compute"],
    ),
    (
        "Disaster Recovery as a Service",
        "Replication to the second site with tested failover.",
        "pipeline",
        "Ewa Nowak",
        ["Birchwood Health"],
        ["Backup and Restore", "Network Connectivity"],
    ),
    (
        "GPU Compute",
        "GPU instances for analytics workloads.",
        "pipeline",
        "Ewa Nowak",
        [],
        ["Virtual Compute"],
    ),
    (
        "Legacy File Transfer",
        "SFTP drop boxes; replaced by object storage.",
        "retired",
        "Kenji Tanaka",
        [],
        [],
    ),
]

# How much the customers suffer when each service is down; Monitoring and Alerting is not yet judged (a
# deliberate gap of 2018 8.2.2.s2).
CRITICALITY = {
    "Service Desk": "critical",
    "Identity and Access": "critical",
    "Data Centre Facilities": "critical",
    "Hosted Email": "high",
    "Network Connectivity": "critical",
    "Virtual Compute": "high",
    "Block and Object Storage": "high",
    "Kubernetes Platform": "high",
    "Managed PostgreSQL": "high",
    "Web Application Hosting": "medium",
    "Backup and Restore": "high",
    "Disaster Recovery as a Service": "high",
    "GPU Compute": "low",
}

CALENDARS = [
    (
        "24x7",
        "Round the clock, every day.",
        "UTC",
        {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        "",
    ),
    (
        "Business hours Frankfurt",
        "Mon-Fri 08:00-18:00, German public holidays (Hesse).",
        "Europe/Berlin",
        {d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "DE",
    ),
    (
        "Business hours Dublin",
        "Mon-Fri 09:00-17:30, Irish public holidays.",
        "Europe/Dublin",
        {d: [["09:00", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "IE",
    ),
]


def _ensure(model, lookup: dict[str, Any], create) -> Any:
    existing = model._default_manager.filter(**lookup).first()
    return existing if existing is not None else create()


@transaction.atomic
def load(
    *,
    admin_username: str = "admin",
    admin_password: str = "",
    stdout=None,
    small: bool = False,
    progress: Callable[[float, str], None] | None = None,
) -> dict[str, int]:
    """`small`: every kind of record, but a few dozen tickets instead of six months of them (for tests that
    need realistic data of every kind without waiting for the history). `progress(share, step)` is told
    the share done (0 to 1) and the step starting."""
    report = progress or (lambda share, step: None)
    with change_context(context="shell"):
        counts = _load(admin_username, admin_password, small, report)
    report(0.98, str(_("search index")))
    searchindex.reindex()  # the generated history is indexed as it is written; this catches the rest
    report(0.99, str(_("statistics")))
    refresh_statistics()
    report(1.0, str(_("done")))
    return counts


def _load(
    admin_username: str, admin_password: str, small: bool, report: Callable[[float, str], None]
) -> dict[str, int]:
    report(0.0, str(_("organizations, people and services")))
    orgs: dict[str, Organization] = {}
    kinds = [(PROVIDER, "provider", "Cloud and managed services provider (the demo's own organization).")]
    kinds += [(n, "customer", d) for n, d in CUSTOMERS.items()]
    kinds += [(n, "supplier", d) for n, d in SUPPLIERS.items()]
    kinds += [(n, "internal", d) for n, d in INTERNAL.items()]
    admin = User.objects.filter(username=admin_username).first()
    actor = admin
    for name, kind, description in kinds:
        orgs[name] = _ensure(
            Organization,
            {"name": name},
            lambda n=name, k=kind, d=description: core_services.record_create(
                model=Organization, data={"name": n, "kind": k, "description": d}, actor=actor
            ),
        )
    if admin is None:
        admin = party_services.user_create(
            actor=None,
            data={
                "username": admin_username,
                "password": admin_password,
                "email": "admin@nimbus.example",
                "organization": orgs[PROVIDER],
                "roles": ["administrator"],
                "is_staff": True,
            },
        )
    actor = admin
    for org_name, site, country, tz in [
        (PROVIDER, "Frankfurt data centre", "DE", "Europe/Berlin"),
        (PROVIDER, "Dublin data centre", "IE", "Europe/Dublin"),
        ("Alder Logistics", "Rotterdam head office", "NL", "Europe/Amsterdam"),
        ("Cedar Retail Group", "Manchester head office", "GB", "Europe/London"),
    ]:
        _ensure(
            Location,
            {"organization": orgs[org_name], "name": site},
            lambda o=orgs[org_name], s=site, c=country, t=tz: core_services.record_create(
                model=Location, data={"organization": o, "name": s, "country": c, "time_zone": t}, actor=actor
            ),
        )
    people = {}
    for name, email, title, org_name in PEOPLE:
        people[name] = _ensure(
            Person,
            {"name": name, "organization": orgs[org_name]},
            lambda n=name, e=email, t=title, o=orgs[org_name]: core_services.record_create(
                model=Person, data={"name": n, "email": e, "job_title": t, "organization": o}, actor=actor
            ),
        )
    for name, description, lead, members in TEAMS:
        _ensure(
            Team,
            {"name": name},
            lambda n=name, d=description, ld=lead, ms=members: party_services.team_create(
                actor=actor,
                data={"name": n, "description": d, "organization": orgs[PROVIDER], "lead": people[ld]},
                m2m={"members": [people[m] for m in ms]},
            ),
        )
    services: dict[str, Service] = {}
    for name, description, status, owner, customers, depends in SERVICES:
        services[name] = _ensure(
            Service,
            {"name": name},
            lambda n=name, d=description, s=status, o=owner, c=customers, dep=depends: (
                catalog_services.service_create(
                    actor=actor,
                    data={
                        "name": n,
                        "description": d,
                        "owner": people[o],
                        "criticality": CRITICALITY.get(n, ""),
                    },
                    m2m={"customers": [orgs[x] for x in c], "depends_on": [services[x] for x in dep]},
                    derived={"status": s},
                )
            ),
        )
    for name, description, tz, hours, country in CALENDARS:
        _ensure(
            ServiceHoursCalendar,
            {"name": name},
            lambda n=name, d=description, t=tz, h=hours, c=country: core_services.record_create(
                model=ServiceHoursCalendar,
                data={
                    "name": n,
                    "description": d,
                    "time_zone": t,
                    "weekly_hours": h,
                    "holiday_country": c,
                    "holiday_subdivision": "HE" if c == "DE" else "",
                },
                actor=actor,
            ),
        )
    _load_catalogue_extras(services, orgs, actor)
    demo_users = [
        (
            "agent",
            "aisha.rahman@nimbus.example",
            PROVIDER,
            ["catalog-agent", "parties-agent", "incident-agent", "problem-agent", "configuration-agent"],
            "Aisha Rahman",
        ),
        (
            "director",
            "maria.keller@nimbus.example",
            PROVIDER,
            ["top-management", "incident-manager", "sms-manager"],
            "Maria Keller",
        ),
        (
            "ewa",
            "ewa.nowak@nimbus.example",
            PROVIDER,
            [
                "change-manager",
                "configuration-manager",
                "release-manager",
                "conformity-manager",
                "design-manager",
            ],
            "Ewa Nowak",
        ),
        (
            "sofia",
            "sofia.rossi@nimbus.example",
            PROVIDER,
            ["change-agent", "configuration-agent", "release-manager", "design-agent"],
            "Sofia Rossi",
        ),
        (
            "kenji",
            "kenji.tanaka@nimbus.example",
            PROVIDER,
            ["change-agent", "configuration-agent", "release-agent"],
            "Kenji Tanaka",
        ),
        # The assurance processes: service reports; availability, continuity, capacity and security; money.
        ("jonas", "jonas.weber@nimbus.example", PROVIDER, ["report-manager"], "Jonas Weber"),
        (
            "liam",
            "liam.oconnor@nimbus.example",
            PROVIDER,
            ["availability-manager", "capacity-manager", "security-manager"],
            "Liam O'Connor",
        ),
        ("nina", "nina.brandt@nimbus.example", PROVIDER, ["finance-manager"], "Nina Brandt"),
        # Runs the internal audit programme from finance, outside the processes audited.
        ("paul", "paul.fischer@nimbus.example", "Nimbus Finance", ["audit-manager"], "Paul Fischer"),
        ("auditor", "auditor@nimbus.example", PROVIDER, ["auditor"], None),
        ("alder", "grace.miller@alder.example", "Alder Logistics", ["customer"], "Grace Miller"),
        ("cedar", "omar.haddad@cedar.example", "Cedar Retail Group", ["customer"], "Omar Haddad"),
    ]
    for username, email, org_name, roles, person in demo_users:
        if not User.objects.filter(username=username).exists():
            user = party_services.user_create(
                actor=actor,
                data={
                    "username": username,
                    "password": admin_password or None,
                    "email": email,
                    "organization": orgs[org_name],
                    "roles": roles,
                },
            )
            if person:
                core_services.record_update(instance=people[person], data={"user": user}, actor=actor)
    from servitium.agreements import demo as agreements_demo
    from servitium.audits import demo as audits_demo
    from servitium.availability import demo as availability_demo
    from servitium.capacity import demo as capacity_demo
    from servitium.changes import demo as changes_demo
    from servitium.cloud import demo as cloud_demo
    from servitium.cmdb import demo as cmdb_demo
    from servitium.competence import demo as competence_demo
    from servitium.conformity import demo as conformity_demo
    from servitium.design import demo as design_demo
    from servitium.documents import demo as documents_demo
    from servitium.events import demo as events_demo
    from servitium.exits import demo as exits_demo
    from servitium.finance import demo as finance_demo
    from servitium.improvement import demo as improvement_demo
    from servitium.incidents import demo as incidents_demo
    from servitium.portal import demo as portal_demo
    from servitium.problems import demo as problems_demo
    from servitium.relationships import demo as relationships_demo
    from servitium.releases import demo as releases_demo
    from servitium.reporting import demo as reporting_demo
    from servitium.reviews import demo as reviews_demo
    from servitium.risks import demo as risks_demo
    from servitium.security import demo as security_demo
    from servitium.sms import demo as sms_demo
    from servitium.suppliers import demo as suppliers_demo

    steps = (
        agreements_demo,
        relationships_demo,
        suppliers_demo,
        cmdb_demo,
        incidents_demo,
        problems_demo,
        changes_demo,
        releases_demo,
        improvement_demo,
        documents_demo,
        sms_demo,
        risks_demo,
        competence_demo,
        audits_demo,
        finance_demo,
        availability_demo,
        capacity_demo,
        security_demo,
        design_demo,
        reporting_demo,
        reviews_demo,
        cloud_demo,
        exits_demo,
        events_demo,
        portal_demo,
        conformity_demo,
    )
    # Weights of the steps by how long they take (six months of tickets are most of the wait).
    weights = [WEIGHTS.get(step.__name__.split(".")[1], 1) for step in steps]
    done, total = 1, sum(weights) + 2
    for app_demo, weight in zip(steps, weights, strict=True):
        report(done / total, app_demo.__name__.split(".")[1])
        done += weight
        if small and app_demo is incidents_demo:
            app_demo.load(actor=actor, count=12, history=60)
        else:
            app_demo.load(actor=actor)
    return {
        "organizations": Organization.objects.count(),
        "people": Person.objects.count(),
        "services": Service.objects.count(),
        "users": User.objects.count(),
    }


WEIGHTS = {"incidents": 12, "cmdb": 3, "conformity": 3, "changes": 2, "availability": 2}

COMPONENTS = [
    ("Virtual Compute", "Hypervisor cluster", "infrastructure", None, []),
    ("Virtual Compute", "VM provisioning portal", "application", None, ["Identity and Access"]),
    ("Managed PostgreSQL", "Database engine licences and support", "supplied", "Keystone Software", []),
    ("Managed PostgreSQL", "Point-in-time recovery", "data", None, ["Backup and Restore"]),
    ("Network Connectivity", "WAN links", "supplied", "Relay Networks", []),
    ("Data Centre Facilities", "Colocation space and power", "supplied", "Stratos Datacenters", []),
    ("Service Desk", "First-line support", "support", None, []),
]

OFFERINGS = [
    (
        "Virtual Compute",
        "Virtual machine",
        "A Linux or Windows virtual machine, billed monthly.",
        [
            ("size", "S (2 vCPU, 4 GB)", True),
            ("size", "M (4 vCPU, 16 GB)", False),
            ("size", "XL (16 vCPU, 64 GB)", False),
            ("region", "Frankfurt", True),
            ("region", "Dublin", False),
            ("support_level", "Business hours", True),
            ("support_level", "24x7", False),
        ],
    ),
    (
        "Managed PostgreSQL",
        "PostgreSQL database",
        "A highly available PostgreSQL cluster with daily backups.",
        [
            ("size", "Small", True),
            ("size", "Large", False),
            ("region", "Frankfurt", True),
            ("region", "Dublin", False),
        ],
    ),
    (
        "Block and Object Storage",
        "Object storage bucket",
        "S3-compatible storage, billed per GB stored.",
        [("region", "Frankfurt", True), ("region", "Dublin", False)],
    ),
    (
        "Hosted Email",
        "Mailbox",
        "A 50 GB mailbox with calendar and spam filtering.",
        [("support_level", "Business hours", True)],
    ),
    ("Backup and Restore", "Server backup", "Nightly backup of one server, kept 35 days.", []),
]


def _load_catalogue_extras(services, orgs, actor) -> None:
    from servitium.catalog.models import Offering, OfferingOption, ServiceComponent

    for svc_name, name, kind, provider, depends in COMPONENTS:
        _ensure(
            ServiceComponent,
            {"service": services[svc_name], "name": name},
            lambda s=services[svc_name], n=name, k=kind, p=provider, d=depends: (
                catalog_services.component_create(
                    actor=actor,
                    data={"service": s, "name": n, "kind": k, "provided_by": orgs.get(p) if p else None},
                    m2m={"depends_on_services": [services[x] for x in d]},
                )
            ),
        )
    for svc_name, name, summary, options in OFFERINGS:
        offering = _ensure(
            Offering,
            {"service": services[svc_name], "name": name},
            lambda s=services[svc_name], n=name, sm=summary: core_services.record_create(
                model=Offering, data={"service": s, "name": n, "summary": sm}, actor=actor
            ),
        )
        for order, (kind, option, default) in enumerate(options):
            _ensure(
                OfferingOption,
                {"offering": offering, "kind": kind, "name": option},
                lambda o=offering, k=kind, n=option, d=default, i=order: catalog_services.option_save(
                    actor=actor, data={"offering": o, "kind": k, "name": n, "is_default": d, "sort_order": i}
                ),
            )
