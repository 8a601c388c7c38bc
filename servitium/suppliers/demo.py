"""Demo data of supplier management: three suppliers (one a sub-contractor), complete and incomplete
contracts, a supplier target weaker than the customer SLA it supports, a review, a dispute and
processes operated by other parties."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.catalog.models import Service
from servitium.core import services as core_services
from servitium.parties.models import Organization, Person

from . import services
from .models import GovernedProcess, Supplier, SupplierContract

H = 3600
FULL_CONTENTS = {
    "scope": "Colocation space, power and cooling for the Frankfurt and Dublin sites.",
    "dependencies": "Network Connectivity relies on Relay Networks' links terminating in these sites.",
    "requirements": "ISO/IEC 27001 certified sites; GDPR-compliant access logs kept 12 months.",
    "interfaces": "Incidents reported to Stratos' NOC by phone and ticket; changes announced 10 days ahead.",
    "sms_integration": "Stratos attends the monthly service review and reports into our incident process.",
    "workload": "Up to 40 racks; 2 site visits per week on average.",
    "exceptions": "Grid-wide outages beyond 48 hours of generator fuel; force majeure.",
    "responsibilities": "Stratos: facilities and physical security. Nimbus: everything inside the racks.",
    "reporting": "Monthly availability and environmental report by the 5th working day.",
    "charging_basis": "Per rack per month plus metered power.",
    "termination_and_transfer": "6 months' notice; assisted move-out within 90 days; media stay with Nimbus.",
}


def load(*, actor) -> None:
    """Create this app's demo records idempotently."""
    manager = Person.objects.get(name="Ewa Nowak")
    net_manager = Person.objects.get(name="Kenji Tanaka")
    orgs = {o.name: o for o in Organization.objects.filter(kind="supplier")}
    if not orgs:
        return

    def supplier(name, person, **extra):
        existing = Supplier.objects.filter(organization=orgs[name]).first()
        return existing or core_services.record_create(
            model=Supplier, data={"organization": orgs[name], "manager": person, **extra}, actor=actor
        )

    # Chosen against written criteria and evaluated; Keystone was never evaluated (the deliberate gap of
    # 2018 8.2.3.s2).
    evaluated = timezone.localdate() - dt.timedelta(days=200)
    stratos = supplier(
        "Stratos Datacenters",
        manager,
        category="colocation",
        criticality="high",
        selection_criteria="ISO/IEC 27001 certified sites in two regions; 2N power; on-site staff 24x7.",
        evaluation="Both sites certified (certificates seen); 2N power shown on the site visit; met all.",
        evaluated_on=evaluated,
    )
    relay = supplier(
        "Relay Networks",
        net_manager,
        category="network",
        criticality="high",
        lead_supplier=stratos,
        selection_criteria="Diverse paths between our sites; 4-hour repair; a NOC reachable 24x7.",
        evaluation="Paths shown diverse on the route maps; repair target in the contract; NOC tested.",
        evaluated_on=evaluated,
    )
    keystone = supplier("Keystone Software", Person.objects.get(name="Sofia Rossi"), category="software")

    today = timezone.localdate()
    compute = Service.objects.get(name="Virtual Compute")
    postgres = Service.objects.get(name="Managed PostgreSQL")
    if not SupplierContract.objects.filter(supplier=stratos).exists():
        contract = services.contract_create(
            actor=actor,
            data={
                "supplier": stratos,
                "title": "Colocation Frankfurt and Dublin",
                "start_date": today.replace(month=1, day=1),
                "end_date": today.replace(year=today.year + 2, month=12, day=31),
                **FULL_CONTENTS,
            },
            m2m={"services": [compute, Service.objects.get(name="Data Centre Facilities")]},
        )
        services.target_create(
            actor=actor,
            data={
                "contract": contract,
                "service": compute,
                "metric": "availability",
                "target_value": "99.99",
            },
        )
        services.target_create(
            actor=actor,
            data={
                "contract": contract,
                "service": compute,
                "metric": "resolution_time",
                "priority": 1,
                "target_value": 2 * H,
            },
        )
        services.contract_transition(actor=actor, instance=contract, transition="activate")
        services.review_create(
            actor=actor,
            data={
                "contract": contract,
                "held_on": today - dt.timedelta(days=30),
                "reviewer": manager,
                "findings": "Availability 100 % for the half year; one late change notice.",
                "changes_agreed": "Change notices move to the shared calendar feed.",
                "changes_impact": "The change schedule reads the feed, so supplier maintenance shows beside "
                "our own changes; no effect on targets or on customers.",
            },
        )
        services.dispute_create(
            actor=actor,
            data={
                "contract": contract,
                "raised_on": today - dt.timedelta(days=12),
                "raised_by": "provider",
                "description": "Power overage invoiced for March although metering was offline.",
            },
        )
    if not SupplierContract.objects.filter(supplier=keystone).exists():
        contract = services.contract_create(
            actor=actor,
            data={
                "supplier": keystone,
                "title": "PostgreSQL support subscription",
                "start_date": today.replace(month=1, day=1),
                **{
                    k: v for k, v in FULL_CONTENTS.items() if k in ("scope", "requirements", "charging_basis")
                },
                "scope": "Third-line support and patches for the PostgreSQL distribution.",
            },
            m2m={"services": [postgres]},
        )
        # 12 business hours for priority 1, under customer SLAs that promise 4 hours: flagged as a risk.
        services.target_create(
            actor=actor,
            data={
                "contract": contract,
                "service": postgres,
                "metric": "resolution_time",
                "priority": 1,
                "target_value": 12 * H,
            },
        )
    if not SupplierContract.objects.filter(supplier=relay).exists():
        services.contract_create(
            actor=actor,
            data={
                "supplier": relay,
                "title": "WAN links (sub-contracted via Stratos)",
                "scope": "Two diverse 10 Gbit/s links per site.",
            },
            m2m={"services": [Service.objects.get(name="Network Connectivity")]},
        )
    # The network incidents are governed, measured and assessed; the rack records are the deliberate gap
    # (no governance, no measures, no assessment, no say in their improvement: 2011 4.2).
    assessed = timezone.localdate() - dt.timedelta(days=75)
    for process, part, org_name, governance, accountable, extra in [
        (
            "incident_request",
            "Second-line network incidents",
            "Relay Networks",
            "Contract CTR targets; weekly incident review; escalation to the network team lead.",
            net_manager,
            {
                "performance_measures": "Resolution within the contract's targets, from the monthly report; "
                "a yearly audit of Relay's ticket handling against our incident procedure.",
                "last_assessed_on": assessed,
                "improvement_control": "Improvements are proposed in the weekly review and ranked by our "
                "network team lead in our improvement register.",
            },
        ),
        ("configuration", "Records of rack-level hardware", "Stratos Datacenters", "", None, {}),
    ]:
        if not GovernedProcess.objects.filter(process=process, operated_by=orgs[org_name]).exists():
            core_services.record_create(
                model=GovernedProcess,
                data={
                    "process": process,
                    "part_operated": part,
                    "operated_by": orgs[org_name],
                    "governance": governance,
                    "accountable": accountable,
                    **extra,
                },
                actor=actor,
            )
