"""Demo data of configuration control, loaded after the core demo stack (`demo.load`): customers' virtual
machines, hosted sites, databases and cluster namespaces (a few hundred CIs in all), licences (one at its
limit, one expiring soon), the definitive library, two baselines and a reconciled configuration audit."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.utils import timezone

from servitium.catalog.models import Service
from servitium.core import services as core_services

from . import audits, services
from .models import CIType, ConfigurationAudit, ConfigurationItem, MasterCopy

OSES = ["Debian 12", "Ubuntu 24.04", "Rocky Linux 9", "Windows Server 2022"]
SITES = ["shop", "intranet", "careers", "press", "docs", "status", "events", "support", "partners", "api"]
LIBRARY = [
    # name, kind, version, location, CI names that are built from it
    ("Postfix", "software", "3.8.6", "dsl://software/postfix-3.8.6.tar.gz", ["Postfix relay"]),
    ("Dovecot", "software", "2.3.21", "dsl://software/dovecot-2.3.21.tar.gz", ["Dovecot mail store"]),
    ("Keycloak", "software", "24.0.5", "dsl://software/keycloak-24.0.5.tar.gz", ["Keycloak"]),
    ("Prometheus", "software", "2.53.0", "dsl://software/prometheus-2.53.0.tar.gz", ["Prometheus"]),
    ("Grafana", "software", "11.1.0", "dsl://software/grafana-11.1.0.tar.gz", ["Grafana"]),
    ("Debian 12 golden image", "image", "2026.10", "dsl://images/debian-12-2026.10.qcow2", []),
    ("ESXi 8.0 installer", "image", "8.0U3", "dsl://images/esxi-8.0u3.iso", []),
    ("vSphere licence keys", "licence_key", "2026", "escrow://vault/vsphere-2026", []),
]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _create(
    actor, types, name, type_name, *, attributes, customers=(), service=None, **data
) -> ConfigurationItem:
    return services.ci_create(
        actor=actor,
        data={
            "name": name,
            "ci_type": types[type_name],
            "status": ConfigurationItem.Status.IN_USE,
            "service": service,
            "attributes": attributes,
            **data,
        },
        m2m={"customers": list(customers)},
    )


def _relate(actor, source, kind, target) -> None:
    services.relationship_create(actor=actor, data={"source": source, "kind": kind, "target": target})


def _estate(
    actor, types: dict[str, CIType], cis: dict[str, ConfigurationItem], owners: dict[str, Any]
) -> None:
    """What customers run on the platform: VMs on the hosts, sites on the web servers, databases in the
    shared cluster and namespaces on the Kubernetes cluster."""
    catalogue = {s.name: s for s in Service.objects.prefetch_related("customers")}

    def customers_of(name: str) -> list:
        service = catalogue.get(name)
        return list(service.customers.all()) if service else []

    hosts = [cis[n] for n in ("fra-hv-01", "fra-hv-02", "fra-hv-03", "dub-hv-01", "dub-hv-02") if n in cis]
    compute = customers_of("Virtual Compute")
    for n in range(90):
        customer = compute[n % len(compute)] if compute else None
        prefix = (customer.name.split()[0].lower() if customer else "tenant")[:10]
        vm = _create(
            actor,
            types,
            f"{prefix}-vm-{n + 1:03d}",
            "virtual machine",
            attributes={"os": OSES[n % len(OSES)], "vcpus": 2 + 2 * (n % 4), "memory_gb": 4 * (1 + n % 4)},
            customers=[customer] if customer else [],
            service=catalogue.get("Virtual Compute"),
            owner=owners["ewa"],
        )
        if hosts:
            _relate(actor, vm, "runs_on", hosts[n % len(hosts)])
        if n % 2 == 0 and "rhel" in cis:
            _relate(actor, vm, "depends_on", cis["rhel"])
    web = [cis[n] for n in ("web-fra-01", "web-fra-02") if n in cis]
    hosting = customers_of("Web Application Hosting")
    for n in range(30):
        customer = hosting[n % len(hosting)] if hosting else None
        prefix = (customer.name.split()[0].lower() if customer else "site")[:10]
        site = _create(
            actor,
            types,
            f"{SITES[n % len(SITES)]}.{prefix}-{n + 1:02d}",
            "application",
            attributes={"language": ["php", "python", "node"][n % 3], "port": 443},
            customers=[customer] if customer else [],
            service=catalogue.get("Web Application Hosting"),
            owner=owners["liam"],
        )
        if web:
            _relate(actor, site, "runs_on", web[n % len(web)])
    databases = customers_of("Managed PostgreSQL")
    for n in range(20):
        customer = databases[n % len(databases)] if databases else None
        db = _create(
            actor,
            types,
            f"pgdb-{n + 1:02d}",
            "database",
            attributes={
                "engine": "postgresql",
                "engine_version": "16",
                "size_gb": 10 + 5 * n,
                "replicated": True,
            },
            customers=[customer] if customer else [],
            service=catalogue.get("Managed PostgreSQL"),
            owner=owners["sofia"],
        )
        if "pg-cluster-shared" in cis:
            _relate(actor, db, "part_of", cis["pg-cluster-shared"])
    k8s = customers_of("Kubernetes Platform")
    for n in range(20):
        customer = k8s[n % len(k8s)] if k8s else None
        namespace = _create(
            actor,
            types,
            f"ns-{(customer.name.split()[0].lower() if customer else 'team')}-{n + 1:02d}",
            "application",
            attributes={"language": "container"},
            customers=[customer] if customer else [],
            service=catalogue.get("Kubernetes Platform"),
            owner=owners["liam"],
        )
        if "k8s-prod-fra" in cis:
            _relate(actor, namespace, "runs_on", cis["k8s-prod-fra"])


def _licences(actor, types, cis, owners) -> dict[str, ConfigurationItem]:
    today = timezone.localdate()

    def licence(name, units, unit, days, contract, **extra) -> ConfigurationItem:
        attributes = {
            "licensed_units": units,
            "unit": unit,
            "expires_on": (today + dt.timedelta(days=days)).isoformat(),
            "contract_reference": contract,
            **extra,
        }
        return _create(actor, types, name, "licence", attributes=attributes, owner=owners["ewa"])

    made = {
        # six hypervisors run on six licensed hosts: no headroom left
        "vsphere": licence("VMware vSphere Enterprise Plus", 6, "hosts", 300, "CTR-VMW-2026"),
        "rhel": licence(
            "Red Hat Enterprise Linux (VM subscriptions)", 60, "virtual machines", 200, "CTR-RH-2026"
        ),
        "keycloak": licence("Keycloak enterprise support", 2, "instances", 45, "CTR-KC-2026"),
        "forti": licence("FortiGate UTP bundle", 4, "appliances", 500, "CTR-FTN-2026"),
    }
    for host in ("fra-hv-01", "fra-hv-02", "fra-hv-03", "fra-hv-04", "dub-hv-01", "dub-hv-02"):
        if host in cis:
            _relate(actor, cis[host], "runs_on", made["vsphere"])
    for name in ("idp-01", "idp-02"):
        if name in cis:
            _relate(actor, cis[name], "depends_on", made["keycloak"])
    for name in ("fra-fw-01", "fra-fw-02", "dub-fw-01"):
        if name in cis:
            _relate(actor, cis[name], "depends_on", made["forti"])
    return made


def _library(actor, cis, owners) -> None:
    for name, kind, version, location, used_by in LIBRARY:
        copy = core_services.record_create(
            model=MasterCopy,
            data={
                "name": name,
                "kind": kind,
                "version": version,
                "storage_location": location,
                "checksum_sha256": _digest(location),
                "custodian": owners["kenji"],
            },
            actor=actor,
        )
        for ci_name in used_by:
            if ci_name in cis:
                services.ci_update(actor=actor, instance=cis[ci_name], data={}, m2m={"master_copies": [copy]})


def _baselines_and_audit(actor, cis, owners) -> None:
    mail = cis.get("Hosted Email")
    if mail is not None:
        services.baseline_for_scope(
            actor=actor,
            name="Hosted Email — quarterly baseline",
            scope="service",
            scope_id=mail.pk,
            purpose="Quarterly baseline of the mail service and everything it runs on.",
        )
    if "Postfix relay" in cis:  # changed since the baseline, so "compare with now" shows a difference
        services.ci_update(actor=actor, instance=cis["Postfix relay"], data={"version": "3.8.6"})
    identity = cis.get("Identity and Access")
    if identity is not None:
        services.baseline_for_scope(
            actor=actor,
            name="Identity and Access — before Keycloak 24",
            scope="service",
            scope_id=identity.pk,
            purpose="Taken before the Keycloak upgrade so it can be rolled back.",
        )
    server = CIType.objects.filter(name="server").first()
    if server is None:
        return
    audit = core_services.record_create(
        model=ConfigurationAudit,
        data={
            "title": "Hypervisor hosts — discovery scan",
            "scope": "ci_type",
            "scope_ci_type": server,
            "planned_for": timezone.localdate(),
            "auditor": owners["kenji"],
        },
        actor=actor,
    )
    discovered = [
        {"name": "fra-hv-01", "type": "server", "attributes": {"os": "VMware ESXi 8.0", "cpu_cores": 64}},
        {"name": "fra-hv-02", "type": "server", "attributes": {"memory_gb": 1536}},  # memory was added
        {"name": "fra-hv-03", "type": "server", "version": "ESXi 8.0U3"},  # patched without a record
        {"name": "fra-hv-04", "type": "server"},
        {"name": "dub-hv-01", "type": "server"},
        {"name": "fra-hv-07", "type": "server", "status": "in_use", "attributes": {"os": "VMware ESXi 8.0"}},
        {"type": "server"},
    ]
    audits.audit_import(
        actor=actor, audit=audit, content=json.dumps(discovered), filename="scan-fra-dub.json"
    )
    audits.audit_transition(actor=actor, instance=audit, transition="reconcile")
    unexpected = audit.findings.filter(kind="unexpected").first()
    if unexpected is not None:
        core_services.record_update(
            instance=unexpected,
            data={"effect_review": "Not cabled to production networks; no service or customer affected."},
            actor=actor,
        )
        audits.finding_transition(
            actor=actor,
            instance=unexpected,
            transition="close",
            note="Lab host on loan from the vendor; not part of the service.",
            data={"resolution": "accepted"},
        )
    # Deliberate gap (2018 8.1.s2): fra-hv-03 was patched without a change; the record was brought up to
    # date, but nobody reviewed what the unplanned patch affected.
    patched = audit.findings.filter(kind="differing", ci__name="fra-hv-03").first()
    if patched is not None:
        audits.finding_apply_discovered(actor=actor, finding=patched)


def load(
    actor=None, *, types: dict[str, CIType], cis: dict[str, ConfigurationItem], people: dict[str, Any]
) -> None:
    owners = {
        "ewa": people.get("Ewa Nowak"),
        "liam": people.get("Liam O'Connor"),
        "sofia": people.get("Sofia Rossi"),
        "kenji": people.get("Kenji Tanaka"),
    }
    made = _licences(actor, types, cis, owners)
    _estate(actor, types, {**cis, **made}, owners)
    _library(actor, cis, owners)
    _baselines_and_audit(actor, cis, owners)
