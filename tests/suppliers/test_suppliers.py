"""Supplier management: suppliers, contract completeness, alignment with customer SLAs, reviews, disputes."""

from __future__ import annotations

import datetime as dt

from servitium.core import services as core_services
from servitium.core.checks import REGISTRY
from servitium.core.models import ChangeRecord
from servitium.suppliers import services
from servitium.suppliers.models import (
    CONTENT_ITEMS,
    ContractReview,
    Dispute,
    GovernedProcess,
    Supplier,
    SupplierContract,
    SupplierPerformance,
    SupplierTarget,
)
from tests import factories
from tests.agreements.test_agreements import agreed
from tests.base import RecordAPISuite, RecordUISuite, browser, client, sent_to_portal

H = 3600
FULL = {name: f"Stated: {name}" for name in CONTENT_ITEMS}


def supplier(ctx, name=None, **extra):
    org = factories.organization(name or factories.unique("Supplier"), "supplier")
    manager = factories.person(factories.unique("Manager"), ctx.provider)
    return core_services.record_create(
        model=Supplier, data={"organization": org, "manager": manager, **extra}, actor=None
    )


def contract(ctx, services_=(), **extra):
    return services.contract_create(
        actor=None,
        data={"supplier": supplier(ctx), "title": "Hosting", **extra},
        m2m={"services": list(services_)},
    )


class TestSupplierAPI(RecordAPISuite):
    endpoint = "suppliers"
    model = Supplier
    writer_roles = ["supplier-manager"]
    foreign_roles = ["catalog-manager", "service-level-manager"]
    customer_visible = False

    def make(self, ctx):
        return supplier(ctx, category="colocation")

    def create_payload(self, ctx):
        org = factories.organization(factories.unique("Vendor"), "supplier")
        return {"organization": org.pk, "manager": factories.person(factories.unique("M"), ctx.provider).pk}

    def invalid_payload(self, ctx):
        return {
            "organization": ctx.org_a.pk,
            "manager": factories.person(factories.unique("M"), ctx.provider).pk,
        }

    def update_payload(self, ctx):
        return {"criticality": "high"}


class TestContractAPI(RecordAPISuite):
    endpoint = "contracts"
    model = SupplierContract
    writer_roles = ["supplier-manager"]
    foreign_roles = ["catalog-manager"]
    customer_visible = False

    def make(self, ctx):
        return contract(ctx)

    def create_payload(self, ctx):
        return {"supplier": supplier(ctx).pk, "title": "Links", "scope": "WAN"}

    def invalid_payload(self, ctx):
        return {
            "supplier": supplier(ctx).pk,
            "title": "Bad dates",
            "start_date": "2026-05-01",
            "end_date": "2026-01-01",
        }

    def update_payload(self, ctx):
        return {"reporting": "Monthly report"}


class TestDisputeAPI(RecordAPISuite):
    endpoint = "disputes"
    model = Dispute
    writer_roles = ["supplier-manager"]
    foreign_roles = ["catalog-manager"]
    customer_visible = False

    def make(self, ctx):
        return services.dispute_create(
            actor=None,
            data={"contract": contract(ctx), "raised_by": "provider", "description": "Wrong invoice"},
        )

    def create_payload(self, ctx):
        return {"contract": contract(ctx).pk, "raised_by": "supplier", "description": "Late payment"}

    def invalid_payload(self, ctx):
        return {"contract": contract(ctx).pk, "raised_by": "martians", "description": "x"}

    def update_payload(self, ctx):
        return {"description": "Wrong invoice for March"}


class TestGovernedProcessAPI(RecordAPISuite):
    endpoint = "governed-processes"
    model = GovernedProcess
    writer_roles = ["supplier-manager"]
    foreign_roles = ["catalog-manager"]
    customer_visible = False

    def make(self, ctx):
        return core_services.record_create(
            model=GovernedProcess,
            data={
                "process": "incident_request",
                "part_operated": "2nd line",
                "operated_by": supplier(ctx).organization,
            },
            actor=None,
        )

    def create_payload(self, ctx):
        return {
            "process": "change",
            "part_operated": "Network changes",
            "operated_by": supplier(ctx).organization.pk,
        }

    def invalid_payload(self, ctx):
        return {"process": "change", "part_operated": "Own work", "operated_by": ctx.provider.pk}

    def update_payload(self, ctx):
        return {"governance": "Weekly review"}


def weak_target(ctx):
    """A supplier target weaker than the customer SLA on its service (so its representation has
    misalignments to compute)."""
    svc = factories.service(factories.unique("Database"), customers=[ctx.org_a])
    agreed(ctx.org_a, svc, resolution_p1=8 * H)
    return services.target_create(
        actor=None,
        data={
            "contract": contract(ctx, [svc]),
            "service": svc,
            "metric": "resolution_time",
            "priority": 1,
            "target_value": 12 * H,
        },
    )


class TestSupplierTargetAPI(RecordAPISuite):
    endpoint = "supplier-targets"
    model = SupplierTarget
    writer_roles = ["supplier-manager"]
    foreign_roles = ["catalog-manager", "service-level-manager"]
    customer_visible = False

    def make(self, ctx):
        return weak_target(ctx)

    def create_payload(self, ctx):
        svc = factories.service(factories.unique("Compute"))
        return {
            "contract": contract(ctx, [svc]).pk,
            "service": svc.pk,
            "metric": "availability",
            "target_value": "99.9",
        }

    def invalid_payload(self, ctx):
        svc = factories.service(factories.unique("Compute"))
        return {
            "contract": contract(ctx, [svc]).pk,
            "service": svc.pk,
            "metric": "availability",
            "target_value": "150",
        }

    def update_payload(self, ctx):
        return {"target_value": 6 * H}


class TestSupplierPerformanceAPI(RecordAPISuite):
    endpoint = "supplier-performance"
    model = SupplierPerformance
    writer_roles = ["supplier-manager"]
    foreign_roles = ["catalog-manager"]
    customer_visible = False

    def make(self, ctx):
        return core_services.record_create(
            model=SupplierPerformance,
            data={
                "target": weak_target(ctx),
                "period_start": dt.date(2026, 10, 1),
                "period_end": dt.date(2026, 10, 31),
                "measured_value": 10 * H,
                "source": "Monthly report",
            },
            actor=None,
        )

    def create_payload(self, ctx):
        return {
            "target": weak_target(ctx).pk,
            "period_start": "2026-11-01",
            "period_end": "2026-11-30",
            "measured_value": 11 * H,
        }

    def invalid_payload(self, ctx):
        return {
            "target": weak_target(ctx).pk,
            "period_start": "2026-11-30",
            "period_end": "2026-11-01",
            "measured_value": 11 * H,
        }

    def update_payload(self, ctx):
        return {"source": "Our own measurement"}


class TestContractReviewAPI(RecordAPISuite):
    endpoint = "contract-reviews"
    model = ContractReview
    writer_roles = ["supplier-manager"]
    foreign_roles = ["catalog-manager"]
    customer_visible = False

    def make(self, ctx):
        return services.review_create(
            actor=None,
            data={
                "contract": contract(ctx),
                "held_on": dt.date(2026, 10, 1),
                "reviewer": factories.person(factories.unique("Reviewer"), ctx.provider),
                "findings": "Reports arrive late",
            },
        )

    def create_payload(self, ctx):
        return {
            "contract": contract(ctx).pk,
            "held_on": "2026-10-15",
            "reviewer": factories.person(factories.unique("Reviewer"), ctx.provider).pk,
            "findings": "All targets met",
        }

    def invalid_payload(self, ctx):
        return {"contract": contract(ctx).pk, "held_on": "2026-10-15", "findings": ""}

    def update_payload(self, ctx):
        return {"changes_agreed": "Reports by the 5th working day"}


def test_activation_refused_naming_missing_items_then_allowed(ctx):
    svc = factories.service("Compute")
    ctr = contract(ctx, [svc], start_date=dt.date(2026, 1, 1), scope="Racks")
    api = client(ctx.admin)
    refused = api.post(f"/api/v1/contracts/{ctr.pk}/transitions/", {"transition": "activate"}, format="json")
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert "basis for charging" in detail and "service targets" in detail and "scope" not in detail
    assert api.get(f"/api/v1/contracts/{ctr.pk}/").json()["missing_items"][-1] == "service targets"
    api.patch(f"/api/v1/contracts/{ctr.pk}/", FULL, format="json")
    target = api.post(
        "/api/v1/supplier-targets/",
        {"contract": ctr.pk, "service": svc.pk, "metric": "availability", "target_value": "99.9"},
        format="json",
    )
    assert target.status_code == 201, target.json()
    done = api.post(f"/api/v1/contracts/{ctr.pk}/transitions/", {"transition": "activate"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "active"
    assert done.json()["next_review_due"] is not None


def test_target_service_must_belong_to_contract(ctx):
    ctr = contract(ctx, [factories.service("A")])
    other = factories.service("B")
    response = client(ctx.admin).post(
        "/api/v1/supplier-targets/",
        {"contract": ctr.pk, "service": other.pk, "metric": "availability", "target_value": "99"},
        format="json",
    )
    assert response.status_code == 400 and "service" in response.json()
    assert not SupplierTarget.objects.exists()


def test_weaker_supplier_target_is_flagged(ctx):
    """Customer resolution 8 h, supplier 12 h: flagged in the API and by the check."""
    svc = factories.service("Database", customers=[ctx.org_a])
    sla = agreed(ctx.org_a, svc, resolution_p1=8 * H)
    ctr = contract(ctx, [svc])
    api = client(ctx.admin)
    created = api.post(
        "/api/v1/supplier-targets/",
        {
            "contract": ctr.pk,
            "service": svc.pk,
            "metric": "resolution_time",
            "priority": 1,
            "target_value": 12 * H,
        },
        format="json",
    ).json()
    assert len(created["misalignments"]) == 1 and sla.reference in created["misalignments"][0]
    alignment = api.get(f"/api/v1/contracts/{ctr.pk}/alignment/").json()
    assert alignment["aligned"] is False
    assert alignment["misalignments"][0]["customer"] == ctx.org_a.name
    assert alignment["misalignments"][0]["customer_target"] == "28800.000"
    result = REGISTRY["suppliers.targets_aligned_with_slas"].run()
    assert result.status == "not_met" and "Database" in result.message
    api.patch(f"/api/v1/supplier-targets/{created['id']}/", {"target_value": 6 * H}, format="json")
    assert api.get(f"/api/v1/contracts/{ctr.pk}/alignment/").json()["aligned"] is True
    assert REGISTRY["suppliers.targets_aligned_with_slas"].run().status == "met"


def test_availability_alignment_direction(ctx):
    svc = factories.service("Storage", customers=[ctx.org_a])
    sla = agreed(ctx.org_a, svc)
    from servitium.agreements import services as sla_services

    sla = sla_services.agreement_transition(actor=None, instance=sla, transition="reopen")
    sla_services.target_create(
        actor=None, data={"agreement": sla, "metric": "availability", "target_value": "99.9"}
    )
    sla_services.agreement_transition(actor=None, instance=sla, transition="agree")
    ctr = contract(ctx, [svc])
    weak = services.target_create(
        actor=None, data={"contract": ctr, "service": svc, "metric": "availability", "target_value": "99.5"}
    )
    from servitium.suppliers.alignment import target_alignment

    assert len(target_alignment(weak)) == 1
    strong = services.target_update(actor=None, instance=weak, data={"target_value": "99.95"})
    assert target_alignment(strong) == []


def test_subcontractor_loop_is_refused(ctx):
    a, b = supplier(ctx), supplier(ctx)
    core_services.record_update(instance=b, data={"lead_supplier": a}, actor=None)
    response = client(ctx.admin).patch(f"/api/v1/suppliers/{a.pk}/", {"lead_supplier": b.pk}, format="json")
    assert response.status_code == 400 and "lead_supplier" in response.json()


def test_contract_review_schedules_the_next(ctx):
    ctr = contract(ctx, review_interval_days=90)
    reviewer = factories.person("Rev", ctx.provider)
    response = client(ctx.admin).post(
        "/api/v1/contract-reviews/",
        {"contract": ctr.pk, "held_on": "2026-10-01", "reviewer": reviewer.pk, "findings": "ok"},
        format="json",
    )
    assert response.status_code == 201
    ctr.refresh_from_db()
    assert ctr.next_review_due == dt.date(2026, 12, 30)


def test_dispute_needs_a_resolution(ctx):
    dispute = services.dispute_create(
        actor=None, data={"contract": contract(ctx), "raised_by": "provider", "description": "x"}
    )
    api = client(ctx.admin)
    refused = api.post(
        f"/api/v1/disputes/{dispute.pk}/transitions/", {"transition": "resolve"}, format="json"
    )
    assert refused.status_code == 409
    done = api.post(
        f"/api/v1/disputes/{dispute.pk}/transitions/",
        {"transition": "resolve", "resolution": "Credit note"},
        format="json",
    )
    assert (
        done.status_code == 200 and done.json()["resolution"] == "Credit note" and done.json()["resolved_on"]
    )


def test_performance_met_follows_direction(ctx):
    svc = factories.service("C")
    ctr = contract(ctx, [svc])
    target = services.target_create(
        actor=None, data={"contract": ctr, "service": svc, "metric": "resolution_time", "target_value": 4 * H}
    )
    api = client(ctx.admin)
    row = api.post(
        "/api/v1/supplier-performance/",
        {
            "target": target.pk,
            "period_start": "2026-10-01",
            "period_end": "2026-10-31",
            "measured_value": 5 * H,
        },
        format="json",
    )
    assert row.status_code == 201 and row.json()["met"] is False
    assert SupplierPerformance.objects.get().met is False
    assert api.get("/api/v1/supplier-performance/", {"target__contract": ctr.pk}).json()["count"] == 1
    other = contract(ctx)
    assert api.get("/api/v1/supplier-performance/", {"target__contract": other.pk}).json()["count"] == 0


def test_manager_check_and_governance_check(ctx):
    factories.organization("Unmanaged Ltd", "supplier")
    result = REGISTRY["suppliers.every_supplier_has_manager"].run()
    assert result.status == "not_met" and "Unmanaged Ltd" in result.message
    gp = core_services.record_create(
        model=GovernedProcess,
        data={"process": "change", "part_operated": "x", "operated_by": supplier(ctx).organization},
        actor=None,
    )
    assert REGISTRY["suppliers.governed_processes"].run().status == "not_met"
    core_services.record_update(
        instance=gp,
        data={"governance": "Monthly", "accountable": factories.person("Acc", ctx.provider)},
        actor=None,
    )
    assert REGISTRY["suppliers.governed_processes"].run().status == "met"


def test_what_others_operate_is_assessed_and_its_improvement_controlled(ctx):
    """2011 4.2.c: measures stated and an assessment within the year; 4.2.d: who plans and ranks
    improvements. Each gap is named; an assessment older than a year fails again."""
    import datetime as dt

    from django.utils import timezone

    gp = core_services.record_create(
        model=GovernedProcess,
        data={"process": "change", "part_operated": "Changes", "operated_by": supplier(ctx).organization},
        actor=None,
    )
    assessed = REGISTRY["suppliers.governed_processes_assessed"]
    improved = REGISTRY["suppliers.governed_improvement_controlled"]
    for check in (assessed, improved):
        result = check.run()
        assert result.status == "not_met" and [g.object_id for g in result.gaps] == [gp.pk], check.id
    core_services.record_update(
        instance=gp,
        data={
            "performance_measures": "Monthly report against the contract targets; yearly audit.",
            "last_assessed_on": timezone.localdate() - dt.timedelta(days=400),
            "improvement_control": "Ranked in our improvement register by the change manager.",
        },
        actor=None,
    )
    assert improved.run().status == "met"
    assert assessed.run().status == "not_met"  # assessed, but more than a year ago
    core_services.record_update(
        instance=gp, data={"last_assessed_on": timezone.localdate() - dt.timedelta(days=30)}, actor=None
    )
    assert assessed.run().status == "met"


def test_suppliers_are_chosen_against_criteria_and_component_providers_evaluated(ctx):
    """2018 8.2.3.s2: every active supplier records its selection criteria and its evaluation; 2011 5.2.s5:
    every other party providing a component of a live service is such an evaluated supplier."""
    from servitium.catalog.models import ServiceComponent

    chosen = REGISTRY["suppliers.selected_against_criteria"]
    providers = REGISTRY["suppliers.component_providers_evaluated"]
    assert providers.run().status == "not_applicable"
    hosting = supplier(ctx)
    mail = factories.service("Mail")
    core_services.record_create(
        model=ServiceComponent,
        data={"service": mail, "name": "Racks", "kind": "supplied", "provided_by": hosting.organization},
        actor=None,
    )
    for check, gap in ((chosen, hosting.pk), (providers, hosting.organization_id)):
        result = check.run()
        assert result.status == "not_met" and [g.object_id for g in result.gaps] == [gap], check.id
    core_services.record_update(
        instance=hosting, data={"selection_criteria": "Certified sites", "evaluation": "Seen."}, actor=None
    )
    assert chosen.run().status == "not_met"  # criteria and evaluation, but no date
    core_services.record_update(instance=hosting, data={"evaluated_on": "2026-01-05"}, actor=None)
    assert chosen.run().status == "met" and providers.run().status == "met"


def test_contract_page_shows_gaps_and_misalignment(ctx):
    from django.test import Client

    svc = factories.service("Web", customers=[ctx.org_a])
    agreed(ctx.org_a, svc, resolution_p1=8 * H)
    ctr = contract(ctx, [svc])
    services.target_create(
        actor=None,
        data={
            "contract": ctr,
            "service": svc,
            "metric": "resolution_time",
            "priority": 1,
            "target_value": 12 * H,
        },
    )
    browser = Client()
    browser.force_login(ctx.admin)
    page = browser.get(f"/suppliers/contracts/{ctr.pk}/").content.decode()
    assert 'id="missing-items"' in page and 'id="misalignments"' in page
    browser.force_login(ctx.customer_a)
    assert sent_to_portal(browser.get(f"/suppliers/contracts/{ctr.pk}/"))
    assert client(ctx.customer_a).get(f"/api/v1/contracts/{ctr.pk}/").status_code == 404


def test_supplier_status_changes_through_its_transitions(ctx):
    """Whether we still work with a supplier is a step of its own, logged as such, not an edited field."""
    vendor = supplier(ctx)
    api = client(factories.user("sm", ctx.provider, ["supplier-manager"]))
    refused = api.patch(f"/api/v1/suppliers/{vendor.pk}/", {"status": "inactive"}, format="json")
    assert refused.status_code == 400 and "status" in refused.json()
    offered = api.get(f"/api/v1/suppliers/{vendor.pk}/transitions/").json()
    assert [t["name"] for t in offered] == ["deactivate"]
    done = api.post(
        f"/api/v1/suppliers/{vendor.pk}/transitions/", {"transition": "deactivate"}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "inactive"
    entry = ChangeRecord.objects.filter(object_type="suppliers.supplier", object_id=vendor.pk).latest("id")
    assert entry.action == "transition" and entry.changes["status"] == ["active", "inactive"]
    page = browser(ctx.admin)
    assert [t.name for t in page.get(f"/suppliers/suppliers/{vendor.pk}/").context["transitions"]] == [
        "reactivate"
    ]
    page.post(f"/suppliers/suppliers/{vendor.pk}/", {"transition": "reactivate"})
    vendor.refresh_from_db()
    assert vendor.status == "active"


def test_supplier_organization_is_fixed_once_recorded(ctx):
    """The supplier data, contracts and disputes are about one organization: the record is not moved to
    another one."""
    vendor = supplier(ctx)
    other = factories.organization(factories.unique("Other"), "supplier")
    manager = factories.user("sm", ctx.provider, ["supplier-manager"])
    response = client(manager).patch(
        f"/api/v1/suppliers/{vendor.pk}/", {"organization": other.pk}, format="json"
    )
    assert response.status_code == 400 and "organization" in response.json()
    assert (
        "organization"
        not in browser(manager).get(f"/suppliers/suppliers/{vendor.pk}/edit/").context["form"].fields
    )


def test_contract_review_dates_follow_the_reviews(ctx):
    """The next contract review is scheduled by activation and by each review, never typed in."""
    ctr = contract(ctx, review_interval_days=90)
    manager = factories.user("sm", ctx.provider, ["supplier-manager"])
    client(manager).patch(f"/api/v1/contracts/{ctr.pk}/", {"next_review_due": "2099-01-01"}, format="json")
    ctr.refresh_from_db()
    assert ctr.next_review_due is None
    refused = browser(manager).post(f"/suppliers/contracts/{ctr.pk}/edit/", {"next_review_due": "2099-01-01"})
    assert (
        refused.status_code == 400 and "You may not set the field next_review_due" in refused.content.decode()
    )


def test_supplier_target_list_and_detail_agree_on_alignment(ctx):
    """The list checks a page of targets with one query; one target is checked on its own: same answer."""
    for _ in range(3):
        weak_target(ctx)
    api = client(ctx.admin)
    rows = api.get("/api/v1/supplier-targets/").json()["results"]
    assert len(rows) == 3 and all(len(row["misalignments"]) == 1 for row in rows)
    single = api.get(f"/api/v1/supplier-targets/{rows[0]['id']}/").json()
    assert single["misalignments"] == rows[0]["misalignments"]


class TestSupplierPages(RecordUISuite):
    model = Supplier
    writer_roles = ["supplier-manager"]

    def make(self, ctx):
        return supplier(ctx)


class TestContractPages(RecordUISuite):
    model = SupplierContract
    writer_roles = ["supplier-manager"]

    def make(self, ctx):
        return contract(ctx, [factories.service(factories.unique("Hosting"))], scope="Racks")


class TestDisputePages(RecordUISuite):
    model = Dispute
    writer_roles = ["supplier-manager"]

    def make(self, ctx):
        return services.dispute_create(
            actor=None,
            data={"contract": contract(ctx), "raised_by": "provider", "description": "Wrong invoice"},
        )


class TestGovernedProcessPages(RecordUISuite):
    model = GovernedProcess
    writer_roles = ["supplier-manager"]

    def make(self, ctx):
        return core_services.record_create(
            model=GovernedProcess,
            data={
                "process": "incident_request",
                "part_operated": "2nd line",
                "operated_by": supplier(ctx).organization,
                "accountable": factories.person(factories.unique("Accountable"), ctx.provider),
            },
            actor=None,
        )


def test_an_active_supplier_with_only_draft_contracts_is_named(ctx):
    check = REGISTRY["suppliers.active_contracts_complete"]
    assert check.run().status == "not_applicable"
    draft_only = contract(ctx)  # its supplier is active, the contract still a draft
    result = check.run()
    assert result.status == "not_met" and "drafts do not count" in result.message
    assert [(g.object_type, g.object_id) for g in result.gaps] == [
        ("suppliers.supplier", draft_only.supplier_id)
    ]
    assert result.figures["suppliers_without_active_contract"] == 1


def test_parties_running_processes_are_under_contract_or_agreement(ctx):
    vendor = supplier(ctx)
    core_services.record_create(
        model=GovernedProcess,
        data={
            "process": "incident_request",
            "part_operated": "night shift",
            "operated_by": vendor.organization,
        },
        actor=None,
    )
    result = REGISTRY["suppliers.process_suppliers_under_contract"].run()
    assert result.status == "not_met" and vendor.organization.name in result.message
    ctr = contract(ctx)
    core_services.record_update(instance=ctr, data={"supplier": vendor}, actor=None)
    SupplierContract.objects.filter(pk=ctr.pk).update(status=SupplierContract.Status.ACTIVE)
    assert REGISTRY["suppliers.process_suppliers_under_contract"].run().status == "met"

    group = factories.organization(factories.unique("Facilities"), "internal")
    core_services.record_create(
        model=GovernedProcess,
        data={"process": "configuration", "part_operated": "asset tags", "operated_by": group},
        actor=None,
    )
    assert REGISTRY["suppliers.process_groups_under_agreement"].run().status == "not_met"
    from tests.agreements.test_internal_suppliers import internal

    internal(group, factories.service(factories.unique("Records")))
    assert REGISTRY["suppliers.process_groups_under_agreement"].run().status == "met"


def test_everything_outsourced_is_not_met(ctx):
    from servitium.catalog import services as catalog_services

    service = factories.service(factories.unique("Hosting"))
    vendor = supplier(ctx)
    catalog_services.component_create(
        actor=None, data={"service": service, "name": "Racks", "provided_by": vendor.organization}
    )
    assert REGISTRY["suppliers.not_everything_outsourced"].run().status == "not_met"
    own = catalog_services.component_create(actor=None, data={"service": service, "name": "Operations"})
    result = REGISTRY["suppliers.not_everything_outsourced"].run()
    assert result.status == "met" and [e.object_id for e in result.evidence] == [own.pk]


def test_a_subcontractor_needs_its_lead_suppliers_contract(ctx):
    lead = supplier(ctx)
    sub = supplier(ctx, lead_supplier=lead)
    result = REGISTRY["suppliers.subcontractors_documented"].run()
    assert result.status == "not_met" and str(sub) in result.message
    ctr = contract(ctx, responsibilities="The lead supplier manages its sub-contractors' staff and tools.")
    core_services.record_update(instance=ctr, data={"supplier": lead}, actor=None)
    SupplierContract.objects.filter(pk=ctr.pk).update(status=SupplierContract.Status.ACTIVE)
    assert REGISTRY["suppliers.subcontractors_documented"].run().status == "met"


def test_contract_changes_need_their_impact_and_contracts_their_interfaces(ctx):
    ctr = contract(ctx)
    review = services.review_create(
        actor=None,
        data={
            "contract": ctr,
            "reviewer": factories.person(factories.unique("Rev"), ctx.provider),
            "findings": "Fine",
            "changes_agreed": "Support hours extended to Saturdays.",
        },
    )
    result = REGISTRY["suppliers.contract_changes_assessed"].run()
    assert result.status == "not_met" and [g.object_id for g in result.gaps] == [review.pk]
    ContractReview.objects.filter(pk=review.pk).update(changes_impact="Weekend incidents reach second line.")
    assert REGISTRY["suppliers.contract_changes_assessed"].run().status == "met"

    SupplierContract.objects.filter(pk=ctr.pk).update(status=SupplierContract.Status.ACTIVE)
    assert REGISTRY["suppliers.interfaces_stated"].run().status == "not_met"
    SupplierContract.objects.filter(pk=ctr.pk).update(interfaces="Tickets through their portal API.")
    assert REGISTRY["suppliers.interfaces_stated"].run().status == "met"
