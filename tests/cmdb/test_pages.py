"""Generated page suites for configuration management's records (lists, filters, sorting, CSV, detail
fields, forms per audience), and what the declarations decide on the pages: customers see only their own
organization on a shared CI, the definitive library stays the provider's, the CI page carries the panels
other processes register (its changes)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from servitium.cmdb import services
from servitium.cmdb.models import (
    AuditFinding,
    Baseline,
    CIRelationship,
    CIType,
    ConfigurationAudit,
    ConfigurationItem,
    MasterCopy,
)
from servitium.core import services as core_services
from tests import factories
from tests.base import RecordUISuite, client, sent_to_portal
from tests.cmdb.conftest import ci, ci_type, relate


def web(user) -> Client:
    page = Client()
    page.force_login(user)
    return page


def _kind() -> CIType:
    return CIType.objects.filter(name="page kind").first() or ci_type("page kind", {})


class TestCITypePages(RecordUISuite):
    model = CIType
    writer_roles = ["configuration-manager"]

    def make(self, ctx):
        return ci_type(factories.unique("router"), {"vendor": {"type": "string"}})


class TestCIPages(RecordUISuite):
    model = ConfigurationItem
    writer_roles = ["configuration-agent"]

    def url(self, suffix: str, *args) -> str:
        return reverse(f"cmdb:ci_{suffix}", args=args)  # CIs' pages are named cmdb:ci_*

    def make(self, ctx):
        owner = factories.person(factories.unique("Owner"), ctx.provider)
        service = factories.service(factories.unique("Hosting"), customers=[ctx.org_a])
        return ci(factories.unique("srv"), _kind(), customers=[ctx.org_a], owner=owner, service=service)


class TestCIRelationshipPages(RecordUISuite):
    model = CIRelationship
    writer_roles = ["configuration-agent"]

    def make(self, ctx):
        a = ci(factories.unique("app"), _kind(), customers=[ctx.org_a])
        b = ci(factories.unique("vm"), _kind(), customers=[ctx.org_a])
        return relate(a, "runs_on", b)


class TestMasterCopyPages(RecordUISuite):
    model = MasterCopy
    writer_roles = ["configuration-agent"]

    def make(self, ctx):
        custodian = factories.person(factories.unique("Custodian"), ctx.provider)
        return core_services.record_create(
            model=MasterCopy,
            data={
                "name": "Postfix",
                "version": factories.unique("3.8."),
                "storage_location": "dsl://postfix",
                "custodian": custodian,
            },
            actor=None,
        )


class TestBaselinePages(RecordUISuite):
    model = Baseline
    writer_roles = ["configuration-manager"]
    has_forms = False  # taken on its own page (scope, CIs by reference); see test_control_views

    def make(self, ctx):
        return services.baseline_create(
            actor=None, name="Before upgrade", cis=[ci(factories.unique("db"), _kind())]
        )


class TestConfigurationAuditPages(RecordUISuite):
    model = ConfigurationAudit
    writer_roles = ["configuration-manager"]

    def make(self, ctx):
        return core_services.record_create(
            model=ConfigurationAudit,
            data={"title": "Q1 audit", "scope": "ci_type", "scope_ci_type": _kind()},
            actor=None,
        )


class TestAuditFindingPages(RecordUISuite):
    model = AuditFinding
    writer_roles = ["configuration-manager"]

    def make(self, ctx):
        audit = core_services.record_create(model=ConfigurationAudit, data={"title": "Findings"}, actor=None)
        owner = factories.person(factories.unique("Owner"), ctx.provider)
        return core_services.record_create(
            model=AuditFinding,
            data={"audit": audit, "kind": "missing", "identifier": "CI9", "owner": owner},
            actor=None,
        )


@pytest.mark.django_db
def test_a_customer_sees_only_itself_among_a_shared_cis_customers(ctx):
    shared = ci("shared-lb", _kind(), customers=[ctx.org_a, ctx.org_b])
    assert sent_to_portal(web(ctx.customer_a).get(shared.get_absolute_url()))  # customers: the portal
    assert sent_to_portal(web(ctx.customer_a).get(reverse("cmdb:ci_list"), {"export": "csv"}))
    read = client(ctx.customer_a).get(f"/api/v1/cis/{shared.pk}/")
    assert read.json()["customers"] == [ctx.org_a.pk] and ctx.org_b.name not in read.content.decode()
    staff = web(ctx.admin).get(shared.get_absolute_url())
    assert {ctx.org_a.name, ctx.org_b.name} <= set(
        next(d["value"] for d in staff.context["details"] if str(d["label"]) == "customers").split(", ")
    )


@pytest.mark.django_db
def test_customers_are_not_told_of_the_definitive_library(ctx):
    copy = core_services.record_create(
        model=MasterCopy, data={"name": "Secret image", "version": "1", "storage_location": "dsl"}, actor=None
    )
    item = ci("vm-lib", _kind(), customers=[ctx.org_a])
    services.ci_update(actor=None, instance=item, data={}, m2m={"master_copies": [copy]})
    assert sent_to_portal(web(ctx.customer_a).get(item.get_absolute_url()))
    assert "Secret image" not in client(ctx.customer_a).get(f"/api/v1/cis/{item.pk}/").content.decode()
    assert "Secret image" in web(ctx.admin).get(item.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_finding_seen_by_inspection_is_recorded_by_hand(ctx, cmdb):
    audit = core_services.record_create(model=ConfigurationAudit, data={"title": "Walk-through"}, actor=None)
    page = web(cmdb.manager)
    form = page.get(reverse("cmdb:auditfinding_create"), {"audit": audit.pk})
    assert form.status_code == 200 and form.context["form"].initial["audit"] == str(audit.pk)
    saved = page.post(
        reverse("cmdb:auditfinding_create"),
        {
            "audit": audit.pk,
            "kind": "unexpected",
            "identifier": "rack-7 switch",
            "discovered": "{}",
            "differences": "{}",
        },
    )
    assert saved.status_code == 302
    finding = AuditFinding.objects.get(identifier="rack-7 switch")
    assert finding.status == "open" and finding.reference.startswith("CAF")
    # What was found stays as recorded: the edit form holds the follow-up only.
    assert list(page.get(reverse("cmdb:auditfinding_edit", args=[finding.pk])).context["form"].fields) == [
        "owner",
        "due_date",
        "notes",
        "effect_review",
    ]


@pytest.mark.django_db
def test_the_relationship_list_shows_customers_only_links_between_their_cis(ctx):
    mine, also_mine = ci("a-1", _kind(), customers=[ctx.org_a]), ci("a-2", _kind(), customers=[ctx.org_a])
    theirs = ci("b-1", _kind(), customers=[ctx.org_b])
    inside, across = relate(mine, "runs_on", also_mine), relate(mine, "depends_on", theirs)
    assert sent_to_portal(web(ctx.customer_a).get(reverse("cmdb:cirelationship_list")))
    api = client(ctx.customer_a)
    assert [r["id"] for r in api.get("/api/v1/ci-relationships/").json()["results"]] == [inside.pk]
    assert api.get(f"/api/v1/ci-relationships/{across.pk}/").status_code == 404
