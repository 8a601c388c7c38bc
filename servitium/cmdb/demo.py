"""Demo configuration: the default CI types and about sixty CIs behind the demo's services, related as a
realistic stack: service -> application -> virtual machine -> hypervisor host -> network and storage; then
the customers' estate on top, licences, the definitive library, baselines and an audit (`demo_control`).

Idempotent: the default types are ensured each time; CIs are only created when there are none.
"""

from __future__ import annotations

from typing import Any

from servitium.catalog.models import Service
from servitium.parties.models import Location, Person

from . import demo_control, services
from .models import ConfigurationItem

FRA, DUB = "Frankfurt data centre", "Dublin data centre"
EWA, LIAM, SOFIA, KENJI = "Ewa Nowak", "Liam O'Connor", "Sofia Rossi", "Kenji Tanaka"

# name, type, service, owner, location, version, attributes
CIS: list[tuple[str, str, str, str, str, str, dict[str, Any]]] = [
    # services (one CI per live catalogue service)
    ("Hosted Email", "service", "Hosted Email", LIAM, "", "", {"service_level": "gold"}),
    ("Virtual Compute", "service", "Virtual Compute", EWA, "", "", {"service_level": "gold"}),
    ("Managed PostgreSQL", "service", "Managed PostgreSQL", SOFIA, "", "", {"service_level": "gold"}),
    ("Web Application Hosting", "service", "Web Application Hosting", LIAM, "", "", {}),
    ("Identity and Access", "service", "Identity and Access", LIAM, "", "", {"service_level": "gold"}),
    ("Block and Object Storage", "service", "Block and Object Storage", EWA, "", "", {}),
    ("Backup and Restore", "service", "Backup and Restore", SOFIA, "", "", {"service_level": "silver"}),
    ("Kubernetes Platform", "service", "Kubernetes Platform", LIAM, "", "", {}),
    ("Monitoring and Alerting", "service", "Monitoring and Alerting", EWA, "", "", {}),
    ("Network Connectivity", "service", "Network Connectivity", KENJI, "", "", {}),
    # network
    (
        "fra-fw-01",
        "network device",
        "Network Connectivity",
        KENJI,
        FRA,
        "FortiOS 7.4",
        {"role": "firewall", "vendor": "Fortinet", "model": "FG-600F", "management_ip": "10.0.0.2"},
    ),
    (
        "fra-fw-02",
        "network device",
        "Network Connectivity",
        KENJI,
        FRA,
        "FortiOS 7.4",
        {"role": "firewall", "vendor": "Fortinet", "model": "FG-600F", "management_ip": "10.0.0.3"},
    ),
    (
        "fra-core-sw-01",
        "network device",
        "Network Connectivity",
        KENJI,
        FRA,
        "NX-OS 10.3",
        {"role": "switch", "vendor": "Cisco", "model": "N9K-C93180YC", "management_ip": "10.0.0.10"},
    ),
    (
        "fra-core-sw-02",
        "network device",
        "Network Connectivity",
        KENJI,
        FRA,
        "NX-OS 10.3",
        {"role": "switch", "vendor": "Cisco", "model": "N9K-C93180YC", "management_ip": "10.0.0.11"},
    ),
    (
        "dub-fw-01",
        "network device",
        "Network Connectivity",
        KENJI,
        DUB,
        "FortiOS 7.4",
        {"role": "firewall", "vendor": "Fortinet", "model": "FG-400F", "management_ip": "10.1.0.2"},
    ),
    (
        "dub-core-sw-01",
        "network device",
        "Network Connectivity",
        KENJI,
        DUB,
        "NX-OS 10.3",
        {"role": "switch", "vendor": "Cisco", "model": "N9K-C93180YC", "management_ip": "10.1.0.10"},
    ),
    (
        "fra-lb-01",
        "network device",
        "Web Application Hosting",
        KENJI,
        FRA,
        "HAProxy 2.8",
        {"role": "load balancer", "vendor": "HAProxy", "management_ip": "10.0.0.20"},
    ),
    # storage
    (
        "fra-san-01",
        "storage",
        "Block and Object Storage",
        EWA,
        FRA,
        "ONTAP 9.14",
        {"kind": "block", "capacity_tb": 480},
    ),
    (
        "dub-san-01",
        "storage",
        "Block and Object Storage",
        EWA,
        DUB,
        "ONTAP 9.14",
        {"kind": "block", "capacity_tb": 240},
    ),
    (
        "fra-objstore-01",
        "storage",
        "Block and Object Storage",
        EWA,
        FRA,
        "Ceph 18.2",
        {"kind": "object", "capacity_tb": 1200},
    ),
    (
        "dub-backup-repo-01",
        "storage",
        "Backup and Restore",
        SOFIA,
        DUB,
        "",
        {"kind": "backup", "capacity_tb": 800},
    ),
    # hypervisor hosts
    *[
        (
            f"fra-hv-0{n}",
            "server",
            "Virtual Compute",
            EWA,
            FRA,
            "ESXi 8.0U2",
            {"os": "VMware ESXi 8.0", "cpu_cores": 64, "memory_gb": 1024, "rack": f"FRA-R1{n}"},
        )
        for n in range(1, 5)
    ],
    *[
        (
            f"dub-hv-0{n}",
            "server",
            "Virtual Compute",
            EWA,
            DUB,
            "ESXi 8.0U2",
            {"os": "VMware ESXi 8.0", "cpu_cores": 48, "memory_gb": 768, "rack": f"DUB-R0{n}"},
        )
        for n in range(1, 3)
    ],
    # virtual machines: name, service, owner, host
    *[
        (
            name,
            "virtual machine",
            svc,
            owner,
            FRA if name.startswith(("fra", "mx", "mail", "idp", "k8s", "web")) else DUB,
            "",
            {"os": os, "vcpus": cpus, "memory_gb": mem},
        )
        for name, svc, owner, os, cpus, mem in [
            ("mx-relay-01", "Hosted Email", LIAM, "Debian 12", 4, 8),
            ("mx-relay-02", "Hosted Email", LIAM, "Debian 12", 4, 8),
            ("mail-store-01", "Hosted Email", LIAM, "Debian 12", 8, 32),
            ("mail-store-02", "Hosted Email", LIAM, "Debian 12", 8, 32),
            ("idp-01", "Identity and Access", LIAM, "Debian 12", 4, 16),
            ("idp-02", "Identity and Access", LIAM, "Debian 12", 4, 16),
            ("pg-fra-01", "Managed PostgreSQL", SOFIA, "Ubuntu 24.04", 16, 64),
            ("pg-fra-02", "Managed PostgreSQL", SOFIA, "Ubuntu 24.04", 16, 64),
            ("pg-dub-01", "Managed PostgreSQL", SOFIA, "Ubuntu 24.04", 16, 64),
            ("k8s-node-01", "Kubernetes Platform", LIAM, "Flatcar 3815", 16, 64),
            ("k8s-node-02", "Kubernetes Platform", LIAM, "Flatcar 3815", 16, 64),
            ("k8s-node-03", "Kubernetes Platform", LIAM, "Flatcar 3815", 16, 64),
            ("web-fra-01", "Web Application Hosting", LIAM, "Debian 12", 8, 16),
            ("web-fra-02", "Web Application Hosting", LIAM, "Debian 12", 8, 16),
            ("dub-backup-01", "Backup and Restore", SOFIA, "Windows Server 2022", 8, 32),
            ("dub-mon-01", "Monitoring and Alerting", EWA, "Debian 12", 8, 32),
            ("fra-portal-01", "Virtual Compute", EWA, "Debian 12", 4, 8),
        ]
    ],
    # clusters, applications, databases
    (
        "k8s-prod-fra",
        "container cluster",
        "Kubernetes Platform",
        LIAM,
        FRA,
        "1.29",
        {"platform": "Kubernetes", "platform_version": "1.29", "node_count": 3},
    ),
    ("Postfix relay", "application", "Hosted Email", LIAM, "", "3.7", {"vendor": "Postfix", "port": 25}),
    (
        "Dovecot mail store",
        "application",
        "Hosted Email",
        LIAM,
        "",
        "2.3",
        {"vendor": "Dovecot", "port": 993},
    ),
    ("Keycloak", "application", "Identity and Access", LIAM, "", "24.0", {"vendor": "Red Hat", "port": 8443}),
    ("VM provisioning portal", "application", "Virtual Compute", EWA, "", "3.2", {"language": "Python"}),
    ("Prometheus", "application", "Monitoring and Alerting", EWA, "", "2.51", {"port": 9090}),
    ("Grafana", "application", "Monitoring and Alerting", EWA, "", "10.4", {"port": 3000}),
    ("Backup server", "application", "Backup and Restore", SOFIA, "", "12.1", {"vendor": "Veeam"}),
    ("Web hosting control panel", "application", "Web Application Hosting", LIAM, "", "2.0", {}),
    (
        "pg-cluster-shared",
        "database",
        "Managed PostgreSQL",
        SOFIA,
        FRA,
        "16.2",
        {"engine": "postgresql", "engine_version": "16.2", "size_gb": 900, "replicated": True},
    ),
    (
        "pg-cluster-dub",
        "database",
        "Managed PostgreSQL",
        SOFIA,
        DUB,
        "16.2",
        {"engine": "postgresql", "engine_version": "16.2", "size_gb": 300, "replicated": False},
    ),
    (
        "keycloak-db",
        "database",
        "Identity and Access",
        LIAM,
        FRA,
        "15.6",
        {"engine": "postgresql", "engine_version": "15.6", "size_gb": 20, "replicated": True},
    ),
    # licences, supplier services, documents
    (
        "vSphere Enterprise Plus licences",
        "licence",
        "Virtual Compute",
        EWA,
        "",
        "8",
        {"licensed_units": 24, "unit": "CPU", "expires_on": "2027-03-31", "contract_reference": "VMW-4471"},
    ),
    (
        "PostgreSQL support subscription",
        "licence",
        "Managed PostgreSQL",
        SOFIA,
        "",
        "",
        {
            "licensed_units": 10,
            "unit": "cluster",
            "expires_on": "2026-12-31",
            "contract_reference": "KS-2210",
        },
    ),
    (
        "WAN links (Relay Networks)",
        "supplier service",
        "Network Connectivity",
        KENJI,
        "",
        "",
        {"contract_reference": "RN-88", "support_hours": "24x7"},
    ),
    (
        "Colocation Frankfurt (Stratos)",
        "supplier service",
        "Data Centre Facilities",
        EWA,
        FRA,
        "",
        {"contract_reference": "SD-FRA-12", "support_hours": "24x7"},
    ),
    (
        "Hosted Email runbook",
        "document",
        "Hosted Email",
        LIAM,
        "",
        "1.4",
        {"document_version": "1.4", "review_due": "2027-01-15"},
    ),
    ("Virtual Compute design", "document", "Virtual Compute", EWA, "", "2.0", {"document_version": "2.0"}),
]

R, D, C, P, B = "runs_on", "depends_on", "connects_to", "part_of", "provided_by"

# source, kind, target
RELATIONSHIPS: list[tuple[str, str, str]] = [
    # services on their applications and platforms
    ("Hosted Email", D, "Postfix relay"),
    ("Hosted Email", D, "Dovecot mail store"),
    ("Hosted Email", D, "Identity and Access"),
    ("Identity and Access", D, "Keycloak"),
    ("Virtual Compute", D, "VM provisioning portal"),
    ("Virtual Compute", D, "vSphere Enterprise Plus licences"),
    *[
        ("Virtual Compute", D, f"{site}-hv-0{n}")
        for site, k in (("fra", 4), ("dub", 2))
        for n in range(1, k + 1)
    ],
    ("Managed PostgreSQL", D, "pg-cluster-shared"),
    ("Managed PostgreSQL", D, "pg-cluster-dub"),
    ("Managed PostgreSQL", D, "PostgreSQL support subscription"),
    ("Web Application Hosting", D, "Web hosting control panel"),
    ("Web Application Hosting", D, "k8s-prod-fra"),
    ("Web Application Hosting", D, "Managed PostgreSQL"),
    ("Web Application Hosting", D, "fra-lb-01"),
    ("Kubernetes Platform", D, "k8s-prod-fra"),
    ("Monitoring and Alerting", D, "Prometheus"),
    ("Monitoring and Alerting", D, "Grafana"),
    ("Backup and Restore", D, "Backup server"),
    ("Block and Object Storage", D, "fra-san-01"),
    ("Block and Object Storage", D, "dub-san-01"),
    ("Block and Object Storage", D, "fra-objstore-01"),
    ("Network Connectivity", D, "fra-fw-01"),
    ("Network Connectivity", D, "fra-fw-02"),
    ("Network Connectivity", D, "dub-fw-01"),
    ("Network Connectivity", D, "WAN links (Relay Networks)"),
    # applications on virtual machines
    ("Postfix relay", R, "mx-relay-01"),
    ("Postfix relay", R, "mx-relay-02"),
    ("Dovecot mail store", R, "mail-store-01"),
    ("Dovecot mail store", R, "mail-store-02"),
    ("Keycloak", R, "idp-01"),
    ("Keycloak", R, "idp-02"),
    ("Keycloak", D, "keycloak-db"),
    ("VM provisioning portal", R, "fra-portal-01"),
    ("VM provisioning portal", D, "Identity and Access"),
    ("Prometheus", R, "dub-mon-01"),
    ("Grafana", R, "dub-mon-01"),
    ("Backup server", R, "dub-backup-01"),
    ("Backup server", D, "dub-backup-repo-01"),
    ("Web hosting control panel", R, "web-fra-01"),
    ("Web hosting control panel", R, "web-fra-02"),
    ("pg-cluster-shared", R, "pg-fra-01"),
    ("pg-cluster-shared", R, "pg-fra-02"),
    ("pg-cluster-dub", R, "pg-dub-01"),
    *[("k8s-prod-fra", R, f"k8s-node-0{n}") for n in range(1, 4)],
    # virtual machines on hypervisor hosts
    ("mx-relay-01", R, "fra-hv-01"),
    ("mx-relay-02", R, "fra-hv-02"),
    ("mail-store-01", R, "fra-hv-01"),
    ("mail-store-02", R, "fra-hv-02"),
    ("idp-01", R, "fra-hv-03"),
    ("idp-02", R, "fra-hv-04"),
    ("pg-fra-01", R, "fra-hv-03"),
    ("pg-fra-02", R, "fra-hv-04"),
    ("pg-dub-01", R, "dub-hv-01"),
    ("k8s-node-01", R, "fra-hv-01"),
    ("k8s-node-02", R, "fra-hv-02"),
    ("k8s-node-03", R, "fra-hv-03"),
    ("web-fra-01", R, "fra-hv-02"),
    ("web-fra-02", R, "fra-hv-04"),
    ("fra-portal-01", R, "fra-hv-01"),
    ("dub-backup-01", R, "dub-hv-02"),
    ("dub-mon-01", R, "dub-hv-01"),
    # hosts on network and storage
    *[(f"fra-hv-0{n}", D, "fra-san-01") for n in range(1, 5)],
    *[(f"fra-hv-0{n}", D, f"fra-core-sw-0{1 + n % 2}") for n in range(1, 5)],
    *[(f"dub-hv-0{n}", D, "dub-san-01") for n in range(1, 3)],
    *[(f"dub-hv-0{n}", D, "dub-core-sw-01") for n in range(1, 3)],
    ("fra-objstore-01", D, "fra-core-sw-01"),
    ("fra-lb-01", D, "fra-core-sw-01"),
    ("fra-core-sw-01", C, "fra-core-sw-02"),
    ("fra-fw-01", C, "fra-fw-02"),
    ("keycloak-db", P, "pg-cluster-shared"),
    ("fra-core-sw-01", D, "fra-fw-01"),
    ("fra-core-sw-02", D, "fra-fw-02"),
    ("dub-core-sw-01", D, "dub-fw-01"),
    ("fra-fw-01", D, "WAN links (Relay Networks)"),
    ("dub-fw-01", D, "WAN links (Relay Networks)"),
    *[(f"fra-hv-0{n}", B, "Colocation Frankfurt (Stratos)") for n in range(1, 5)],
    ("fra-san-01", B, "Colocation Frankfurt (Stratos)"),
]


def load(actor=None) -> None:
    types = services.ensure_default_types(actor=actor)
    if ConfigurationItem.objects.exists():
        return
    # Servers are financial assets: each carries its asset-register number, except fra-hv-04, bought
    # last month and not yet entered (the deliberate gap of 2011 9.1.s11 / 2018 8.2.5.s2).
    types["server"] = services.ci_type_update(
        actor=actor, instance=types["server"], data={"financial_asset": True}
    )
    people = {p.name: p for p in Person.objects.filter(organization__kind="provider")}
    locations = {loc.name: loc for loc in Location.objects.filter(organization__kind="provider")}
    catalogue = {s.name: s for s in Service.objects.prefetch_related("customers")}
    cis: dict[str, ConfigurationItem] = {}
    for n, (name, type_name, service_name, owner, location, version, attributes) in enumerate(CIS, 1):
        service = catalogue.get(service_name)
        asset = f"FA-2024-{n:04d}" if type_name == "server" and name != "fra-hv-04" else ""
        cis[name] = services.ci_create(
            actor=actor,
            data={
                "name": name,
                "ci_type": types[type_name],
                "status": ConfigurationItem.Status.IN_USE,
                "version": version,
                "owner": people.get(owner),
                "location": locations.get(location),
                "service": service,
                "attributes": attributes,
                "asset_number": asset,
            },
            m2m={"customers": list(service.customers.all()) if service else []},
        )
    for source, kind, target in RELATIONSHIPS:
        if source in cis and target in cis:
            services.relationship_create(
                actor=actor, data={"source": cis[source], "kind": kind, "target": cis[target]}
            )
    # one CI planned and one in maintenance, so the demo shows more than one status
    planned = services.ci_create(
        actor=actor,
        data={
            "name": "dub-hv-03",
            "ci_type": types["server"],
            "status": ConfigurationItem.Status.PLANNED,
            "owner": people.get(EWA),
            "location": locations.get(DUB),
            "service": catalogue.get("Virtual Compute"),
            "attributes": {"os": "VMware ESXi 8.0", "cpu_cores": 48, "memory_gb": 768},
        },
    )
    services.relationship_create(
        actor=actor, data={"source": planned, "kind": D, "target": cis["dub-core-sw-01"]}
    )
    services.ci_update(
        actor=actor, instance=cis["fra-hv-04"], data={"status": ConfigurationItem.Status.MAINTENANCE}
    )
    demo_control.load(actor, types=types, cis=cis, people=people)
