"""The done-when of engine v2: a provider whose records do everything the checks and record rules look at
has no requirement failed, and every requirement fully covered by checks or rules reads met (or not
applicable where nothing falls under it); nonconformities planted through the API and by direct database
edits (as an insider would) are each reported on the right obligation of both editions, with the planted
record named, and move every requirement above it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from servitium.agreements.models import ServiceLevelAgreement, ServiceTarget, TargetPerformance
from servitium.audits import services as audit_services
from servitium.audits.models import AuditProgramme, ChecklistItem
from servitium.catalog import services as catalog_services
from servitium.catalog.models import Offering, ServiceComponent
from servitium.changes import services as change_services
from servitium.cmdb.models import AuditFinding, ConfigurationAudit
from servitium.conformity import coverage, selectors, services
from servitium.conformity.models import Attestation, Requirement, Result
from servitium.core import services as core_services
from servitium.core.checks import FAILED
from servitium.improvement import services as improvement_services
from servitium.incidents import services as incident_services
from servitium.incidents.models import MajorIncidentDefinition, RequestItem
from servitium.parties.models import Organization
from servitium.relationships import services as relationship_services
from servitium.relationships.models import (
    Communication,
    ComplaintDefinition,
    CustomerRelationship,
    InterestedParty,
)
from servitium.releases.models import ReleasePolicy
from tests import factories
from tests.agreements.test_agreements import agreed
from tests.availability.builders import well_kept_availability
from tests.base import client
from tests.capacity.builders import well_kept_capacity
from tests.cloud.builders import well_kept_subscription
from tests.cloud.conftest import template
from tests.cmdb.conftest import ci, ci_type
from tests.competence.builders import well_kept_competence
from tests.design.builders import reviewed_project
from tests.design.conftest import requirement
from tests.documents.conftest import keep_documents_well
from tests.exits.builders import closed_exit
from tests.finance.builders import well_kept_finance
from tests.relationships.test_relationships import open_survey
from tests.reporting.builders import well_kept_reporting
from tests.risks.builders import well_kept_register
from tests.security.builders import well_kept_security
from tests.sms.wellrun import well_kept_process_register, well_run_sms
from tests.suppliers.test_suppliers import FULL, contract

EDITIONS = coverage.EDITIONS
TODAY = timezone.localdate


def make(model, **data):
    return core_services.record_create(model=model, data=data, actor=None)


@pytest.fixture
def provider(ctx):
    """Every customer looked after, an agreed and reviewed SLA, a governed CMDB, a complete supplier."""
    customers = [ctx.org_a, ctx.org_b]
    owner = factories.person("Sam Owner", ctx.provider)
    mail = factories.service("Mail", customers=customers, owner=owner, description="Mail for all staff")
    make(ServiceComponent, service=mail, name="Mail transfer agents", kind="application")
    make(RequestItem, service=mail, name="Shared mailbox", fulfilment_instructions="Create it, grant access.")
    # What the service must do, written down and agreed with the customer (2011 4.1.4.a).
    requirement(mail, ctx.org_a, agreed_by=factories.person("Abe Agreer", ctx.org_a), statement="Mail flows.")
    survey = open_survey()
    for customer in customers:
        make(CustomerRelationship, customer=customer, relationship_manager=owner)
        make(ComplaintDefinition, customer=customer, definition="Any written grievance.", agreed_on=TODAY())
        make(InterestedParty, customer=customer, name=f"{customer.name} board")
        make(Communication, customer=customer, channel="meeting", summary="Quarterly business review")
        make(MajorIncidentDefinition, customer=customer, criteria="Mail down for everyone")
        make(ReleasePolicy, name=f"Releases for {customer.name}", customer=customer, agreed_on=TODAY())
        relationship_services.survey_response_submit(
            actor=None, data={"survey": survey, "customer": customer, "answers": {"overall": 5, "desk": 5}}
        )
        agreed(customer, mail)
    target = ServiceTarget.objects.filter(agreement__service=mail).first()
    now = timezone.now()
    make(TargetPerformance, target=target, period_start=now - dt.timedelta(days=30), period_end=now, met=True)
    server = ci_type("server", {"os": {"type": "string"}})
    server.description = "Physical and virtual servers"
    server.save()
    host = ci("mx-1", server, status="in_use", owner=owner, attributes={"os": "Debian"})
    change_services.policy_create(
        actor=None,
        data={
            "name": "Change policy",
            "normal_authority": "manager",
            "major_authority": "manager",
            "emergency_authority": "manager",
            "emergency_procedure": "Call the duty manager, then the ECAB.",
        },
        m2m={"controlled_ci_types": [server]},
    )
    audit = make(ConfigurationAudit, title="Yearly audit", status="reconciled", reconciled_at=now)
    finding = make(  # open, owned and not yet due: followed up as it should be
        AuditFinding, audit=audit, kind="differing", identifier=host.reference, ci=host, owner=owner
    )
    hosting = contract(ctx, [mail], start_date=dt.date(2026, 1, 1), **FULL)
    core_services.record_update(  # chosen against written criteria (2018 8.2.3.s2)
        instance=hosting.supplier,
        data={
            "selection_criteria": "Certified data centre in the EU; 99.99 % power; 24x7 remote hands.",
            "evaluation": "Certificate seen; power design reviewed; remote hands tested at night.",
            "evaluated_on": dt.date(2025, 12, 1),
        },
        actor=None,
    )
    api = client(ctx.admin)
    created = api.post(
        "/api/v1/supplier-targets/",
        {"contract": hosting.pk, "service": mail.pk, "metric": "availability", "target_value": "99.99"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    activated = api.post(
        f"/api/v1/contracts/{hosting.pk}/transitions/", {"transition": "activate"}, format="json"
    )
    assert activated.status_code == 200, activated.json()
    caller = factories.person("Cara Caller", ctx.org_a, email="cara@customer-a.example")
    for kind, title in (("incident", "Mail stuck in the outbox"), ("request", "New shared mailbox")):
        ticket = incident_services.incident_create(
            actor=None,
            data={
                "customer": ctx.org_a,
                "caller": caller,  # told by mail when it is resolved (2011 8.1.s6)
                "title": title,
                "kind": kind,
                "service": mail,
                "category": "mail",
            },
        )
        for step, data in (
            ("start_work", None),
            (
                "resolve",
                {"resolution_code": "fixed", "resolution_notes": "Done, confirmed."},
            ),
            ("close", None),
        ):
            ticket = incident_services.incident_transition(
                actor=None, instance=ticket, transition=step, data=data
            )
    well_kept_register(owner=owner, service=mail, supplier=hosting.supplier)
    # This year's audit programme and a reported internal audit (the audit area's record rules).
    lead = factories.person("Ada Auditor", ctx.provider)
    programme = make(AuditProgramme, year=TODAY().year, owner=lead)
    planned = audit_services.audit_create(
        actor=None,
        data={
            "title": "Incident management",
            "programme": programme,
            "scope_areas": ["incidents"],
            "scope_clauses": "iso20000-1:2018#8.6.1",
            "criteria": "The standard and our incident procedure",
            "objectives": "Find out whether incidents are resolved within their targets.",
            "planned_start": TODAY(),
            "planned_end": TODAY(),
            "lead_auditor": lead,
        },
    )
    running = audit_services.audit_transition(actor=None, instance=planned, transition="start")
    ChecklistItem.objects.filter(audit=running).update(verdict="conforms")
    audit_services.audit_transition(
        actor=None, instance=running, transition="report", data={"summary": "Conforms."}
    )
    # Auditors' objectivity is judged by records and by an attestation (evidence "both").
    for framework, identifier in (("iso20000-1:2018", "9.2.2.c"), ("iso20000-1:2011", "4.5.4.2.s3")):
        make(
            Attestation,
            requirement=Requirement.objects.get(framework__slug=framework, identifier=identifier),
            statement="Auditors are chosen from outside the audited process.",
            evidence="Audit programme, section on auditor selection.",
            attested_by=lead,
            reviewed_by=factories.person("Rita Reviewer", ctx.provider),
            valid_from=TODAY() - dt.timedelta(days=30),
            valid_until=TODAY() + dt.timedelta(days=335),
        )
    # An improvement taken from proposal to evaluation (the improvement register's record rules).
    improvement = improvement_services.opportunity_raise(
        kind="other", description="Faster onboarding", benefit="Customers live sooner", actor=None
    )
    improvement = improvement_services.opportunity_update(
        actor=None,
        instance=improvement,
        data={
            "owner": factories.person("Ivy Improver", ctx.provider),
            "target": "5 days",
            "target_date": TODAY(),
        },
    )
    for name in ("approve", "start", "implement"):
        improvement = improvement_services.opportunity_transition(
            actor=None, instance=improvement, transition=name
        )
    improvement_services.opportunity_transition(
        actor=None, instance=improvement, transition="evaluate", data={"evaluation": "4 days: met"}
    )
    well_run_sms(ctx)
    # A change to mail designed and transitioned with its customer; a cloud subscription to mail that
    # went through onboarding, asked for resources and reported its use; a customer's exit carried out.
    design_manager, second = (factories.user(n, ctx.provider, ["design-manager"]) for n in ("dm1", "dm2"))
    project = reviewed_project(
        ctx,
        service=mail,
        manager=design_manager,
        manager2=second,
        owner=owner,
        contact=caller,
        change_manager=factories.user("chm", ctx.provider, ["change-manager"]),
        cis=[host],
    )
    sla = ServiceLevelAgreement.objects.get(customer=ctx.org_a, service=mail, status="agreed")
    # The catalogue entries name the authorised change that last altered them (2011 6.1.s7); mail's
    # criticality is judged (2018 8.2.2.s2).
    upgrade = project.changes.get().reference
    core_services.record_update(
        instance=mail, data={"change_reference": upgrade, "criticality": "high"}, actor=None
    )
    offer = make(
        Offering, service=mail, name="Mailbox", summary="A hosted mailbox.", change_reference=upgrade
    )
    catalog_services.option_save(
        actor=None, data={"offering": offer, "kind": "size", "name": "50 GB", "is_default": True}
    )
    template(offer)
    subscription = well_kept_subscription(
        ctx.org_a,
        offer,
        agreement=sla,
        requester=ctx.customer_a,
        manager=factories.user("cm", ctx.provider, ["cloud-manager"]),
    )
    exit_plan = closed_exit(ctx, manager=factories.user("xm", ctx.provider, ["exit-manager"]), contact=caller)
    keep_documents_well(organization=ctx.provider)  # policy, plan, process documents, records register
    well_kept_process_register(ctx)  # every process owned, described, measured, reviewed
    # Last: every role the other builders gave people has its competence requirements.
    well_kept_competence(provider=ctx.provider)
    well_kept_finance()  # budgets and costs of the live services, and the cost of each change
    well_kept_capacity()  # every live service planned, measured, its demand recorded
    well_kept_availability()  # availability targets and plan, continuity requirements, plans, tests
    well_kept_reporting()  # every customer's report described, issued each period, its actions followed up
    well_kept_security(provider=ctx.provider)  # policy, controls, assessments, incident links, access
    return type(
        "Provider",
        (),
        {
            "mail": mail,
            "audit": audit,
            "finding": finding,
            "contract": hosting,
            "subscription": subscription,
            "exit_plan": exit_plan,
        },
    )


def attest_what_records_cannot_show(ctx, slug: str = "iso20000-1:2011") -> int:
    """What a provider that does the work adds to its records: a reviewed attestation for every obligation
    the records cannot show alone (no check or rule, or the catalogue asks a person to vouch for it)."""
    by = factories.person("Ann Attester", ctx.provider)
    reviewer = factories.person("Rob Review", ctx.provider)
    attested = set(Attestation.objects.values_list("requirement__identifier", "requirement__framework__slug"))
    made = 0
    for leaf in coverage.coverage(slug)["obligations"]:
        if (leaf["identifier"], slug) in attested:
            continue
        if leaf["attestation_needed"] or leaf["coverage"] in ("attestation_only", "nothing"):
            make(
                Attestation,
                requirement=Requirement.objects.get(framework__slug=slug, identifier=leaf["identifier"]),
                statement=f"Our procedure for {leaf['identifier']} is followed; see the evidence.",
                evidence="Procedure manual and the minutes that show it applied.",
                attested_by=by,
                reviewed_by=reviewer,
                valid_from=TODAY() - dt.timedelta(days=1),
                valid_until=TODAY() + dt.timedelta(days=300),
            )
            made += 1
    return made


def results(run) -> dict[str, Result]:
    return {
        f"{r.requirement.framework.slug}#{r.requirement.identifier}": r
        for r in Result.objects.filter(
            assessment=run, requirement__framework__slug__in=EDITIONS
        ).select_related("requirement__framework")
    }


def named(result: Result) -> set[tuple[str, int]]:
    return {(g["object_type"], g["object_id"]) for g in result.gaps}


def ready(run) -> set[str]:
    return {row["identifier"] for row in selectors.by_scenario(run) if row["ready"]}


# 20000-9 scenarios run end to end in the design, cloud and exit records (S05, S07, S08, S11, S13-S15).
CLOUD_SCENARIOS = {"S05", "S07", "S08", "S11", "S13", "S14", "S15"}


def test_a_well_run_provider_fails_nothing_and_planted_failures_are_named(ctx, provider):
    assert attest_what_records_cannot_show(ctx) > 0
    clean_run = services.assessment_run(actor=None)
    clean = results(clean_run)
    failed = {key: r.message[:150] for key, r in clean.items() if r.status in FAILED}
    # Named by the failing obligations themselves, not the clauses they roll up into.
    assert not failed, {key: message for key, message in failed.items() if not message.startswith("Of ")}
    for report in coverage.coverage_all():
        for identifier in report["fully_covered"]:
            status = clean[f"{report['framework']}#{identifier}"].status
            assert status in ("met", "not_applicable"), (report["framework"], identifier, status)
    for key in ("iso20000-1:2018#8.3.2", "iso20000-1:2011#9.1.s9", "iso20000-1:2018#8.2.6.s5"):
        assert clean[key].status == "met", (key, clean[key].message)
    # Records plus attestations of what records cannot show: every cloud scenario reads ready.
    assert ready(clean_run) >= CLOUD_SCENARIOS, ready(clean_run)

    # Planted through the API: a new customer nobody looks after.
    response = client(ctx.admin).post(
        "/api/v1/organizations/", {"name": "Newcomer Ltd", "kind": "customer"}, format="json"
    )
    assert response.status_code == 201, response.json()
    newcomer = Organization.objects.get(pk=response.json()["id"])
    # Planted in the database: the only contract of an active supplier back to draft, and the audit
    # closed while its finding is still open.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE suppliers_suppliercontract SET status = 'draft' WHERE id = %s",
            [provider.contract.pk],
        )
        cursor.execute(
            "UPDATE cmdb_configurationaudit SET status = 'closed' WHERE id = %s",
            [provider.audit.pk],
        )
        # The subscription's tenant wiped, and the exit's export put back to "handed over", unacknowledged.
        cursor.execute(
            "UPDATE cloud_subscription SET tenant_identifier = '' WHERE id = %s", [provider.subscription.pk]
        )
        cursor.execute(
            "UPDATE exits_dataexport SET status = 'handed_over' WHERE plan_id = %s", [provider.exit_plan.pk]
        )
    after_run = services.assessment_run(actor=None)
    after = results(after_run)

    planted = [
        # (obligation in each edition, the record it must name, the requirements above it)
        (
            ("iso20000-1:2011#7.1.s2", "iso20000-1:2018#8.3.2.s2"),
            ("parties.organization", newcomer.pk),
            ("iso20000-1:2011#7.1", "iso20000-1:2011#7", "iso20000-1:2018#8.3.2", "iso20000-1:2018#8"),
        ),
        (
            ("iso20000-1:2011#7.2.s2", "iso20000-1:2018#8.3.4.1.s2.1"),
            ("suppliers.supplier", provider.contract.supplier_id),
            ("iso20000-1:2011#7.2", "iso20000-1:2018#8.3.4.1", "iso20000-1:2018#8.3.4"),
        ),
        (
            ("iso20000-1:2011#9.1.s9", "iso20000-1:2018#8.2.6.s5"),
            ("cmdb.auditfinding", provider.finding.pk),
            ("iso20000-1:2011#9.1", "iso20000-1:2011#9", "iso20000-1:2018#8.2.6"),
        ),
    ]
    for obligations, record, above in planted:
        for key in obligations:
            assert after[key].status in FAILED, (key, after[key].status, after[key].message)
            assert clean[key].status == "met", key  # it moved
            assert record in named(after[key]), (key, after[key].gaps)
        for key in above:
            assert after[key].status in FAILED, (key, after[key].status)
    for key, record in (
        ("iso20000-1:2011#7.1.s1", ("cloud.subscription", provider.subscription.pk)),
        ("iso20000-1:2011#5.2.s4", ("exits.dataexport", provider.exit_plan.exports.get().pk)),
    ):
        assert after[key].status in FAILED and clean[key].status == "met", (key, after[key].message)
        assert record in named(after[key]), (key, after[key].gaps)
    # 7.1 (the tenant) is in S05, S07, S08, S13; 5.2 (the export) in S13-S15; 7.2 (the supplier) in S05, S08.
    assert not CLOUD_SCENARIOS & ready(after_run) - {"S11"}, ready(after_run)
