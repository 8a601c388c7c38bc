"""Conformity records from their declarations (servitium/conformity/resources.py): the pages of
attestations and plan items; the read-only resources (catalogue, assessments, results, the
plan) against their declarations and query baselines; who may write which field; and one change-log entry
per record for every write of the engine and the OSCAL import."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from servitium.conformity import oscal, services
from servitium.conformity.models import (
    Assessment,
    Attestation,
    Exclusion,
    Framework,
    PlanItem,
    Requirement,
    Result,
)
from servitium.conformity.resources import (
    AssessmentResource,
    FrameworkResource,
    PlanItemResource,
    RequirementResource,
    ResultResource,
)
from servitium.core import permissions
from servitium.core import services as core_services
from servitium.core.forms import form_fields
from servitium.core.models import ChangeRecord
from tests import factories
from tests.base import (
    RecordUISuite,
    baseline,
    browser,
    client,
    entries_for,
    query_count,
    sample_value,
    sent_to_portal,
)

from . import test_api

# --- pages -----------------------------------------------------------------------------------------------


class TestAttestationPages(RecordUISuite):
    model = Attestation
    writer_roles = ["conformity-manager"]

    def make(self, ctx):
        return test_api.TestAttestationAPI().make(ctx)


class TestExclusionPages(RecordUISuite):
    model = Exclusion
    writer_roles = ["conformity-manager"]

    def make(self, ctx):
        return test_api.TestExclusionAPI().make(ctx)


class TestPlanItemPages(RecordUISuite):
    """Plan items are listed on the plan page and never created by hand: the list test reads the plan
    page, the form test the edit page only."""

    model = PlanItem
    writer_roles = ["conformity-agent"]

    def make(self, ctx):
        return PlanItem.objects.select_related("activity").first()

    def test_list_filters_sorts_searches_and_exports(self, ctx):
        item = self.make(ctx)
        page = browser(ctx.admin).get("/conformity/plan/")
        assert page.status_code == 200 and item.get_absolute_url().encode() in page.content

    def test_forms_hold_what_the_audience_may_write(self, ctx):
        item = self.make(ctx)
        writer = self.writer(ctx)
        edited = browser(writer).get(self.url("edit", item.pk))
        assert edited.status_code == 200
        assert list(edited.context["form"].fields) == form_fields(self.resource, writer, False)
        assert list(edited.context["form"].fields) == list(PlanItemResource.staff.update)
        assert not permissions.has_permission(writer, permissions.ADD, PlanItem)
        assert browser(ctx.auditor).get(self.url("edit", item.pk)).status_code == 404
        assert sent_to_portal(browser(ctx.customer_b).get(self.url("edit", item.pk)))


# --- read-only resources: representation, filters, query baselines ------------------------------------------


def _sample(endpoint: str):
    """A record of each read-only resource, with the rows around it its list pages through."""
    if endpoint == "frameworks":
        return Framework.objects.get(slug="iso20000-1:2018")
    if endpoint == "requirements":
        return Requirement.objects.filter(framework__slug="iso20000-1:2018", parent__isnull=False).first()
    if endpoint == "implementation-plan":
        return PlanItem.objects.first()
    run = services.assessment_run(actor=None)
    if endpoint == "assessments":
        return services.assessment_run(actor=None)  # two runs: a page of one is not all of them
    return Result.objects.filter(assessment=run, attestation__isnull=True).order_by("id").first()


READ_ONLY = {
    "frameworks": FrameworkResource,
    "requirements": RequirementResource,
    "assessments": AssessmentResource,
    "results": ResultResource,
    "implementation-plan": PlanItemResource,
}


@pytest.mark.parametrize("endpoint", sorted(READ_ONLY))
def test_read_only_resources_follow_their_declarations(ctx, endpoint):
    resource = READ_ONLY[endpoint]
    obj = _sample(endpoint)
    api = client(ctx.auditor)
    url = f"/api/v1/{endpoint}/"
    assert list(api.get(f"{url}{obj.pk}/").json()) == resource.representation()
    names = resource.filters if isinstance(resource.filters, tuple) else tuple(resource.filters)
    for name in names:
        value = sample_value(obj, name)
        if value is not None:
            found = api.get(url, {name: value, "page_size": 1000})
            assert found.status_code == 200, (name, found.content)
            assert obj.pk in [row["id"] for row in found.json()["results"]], name
    for ordering in (*resource.orderings, "created"):
        for value in (ordering, f"-{ordering}"):
            assert api.get(url, {"ordering": value}).status_code == 200, value
    assert api.get(url, {"ordering": "no_such_field"}).status_code == 400
    if resource.search:
        word = next(str(getattr(obj, f)).split()[0] for f in resource.search if getattr(obj, f, ""))
        assert obj.pk in [
            r["id"] for r in api.get(url, {"search": word, "page_size": 1000}).json()["results"]
        ]


@pytest.mark.parametrize("endpoint", sorted(READ_ONLY))
def test_list_queries_match_the_baseline(ctx, endpoint):
    """A page of fifty costs what a page of one does, and what was recorded (no N+1)."""
    _sample(endpoint)
    api = client(ctx.admin)
    url = f"/api/v1/{endpoint}/"
    one = query_count(lambda: api.get(url, {"page_size": 1}))
    many = query_count(lambda: api.get(url, {"page_size": 50}))
    assert many == one, f"{endpoint}: {one} queries for one row, {many} for fifty"
    expected = baseline(f"api:{endpoint}", one)
    assert expected == one, f"{endpoint}: {one} queries, recorded baseline {expected}"


def test_extra_filters_name_frameworks_and_parents_by_their_keys(ctx):
    """The slug filters are declared once (extra_filters) and answer the same in the API and the UI."""
    child = Requirement.objects.filter(framework__slug="iso20000-1:2018", parent__isnull=False).first()
    api = client(ctx.auditor)
    body = api.get(
        "/api/v1/requirements/",
        {"framework": "iso20000-1:2018", "parent": child.parent.identifier, "page_size": 1000},
    ).json()
    expected = Requirement.objects.filter(framework__slug="iso20000-1:2018", parent=child.parent)
    assert sorted(r["id"] for r in body["results"]) == sorted(expected.values_list("pk", flat=True))
    assert api.get("/api/v1/requirements/", {"framework": "no-such-framework"}).json()["count"] == 0
    run = services.assessment_run(actor=None)
    results = api.get(
        "/api/v1/results/",
        {"assessment": run.pk, "framework": "iso20000-1:2018", "identifier": child.identifier},
    ).json()
    assert [r["requirement"] for r in results["results"]] == [child.pk]


def test_customers_get_403_from_the_catalogue_and_nothing_elsewhere(ctx):
    services.assessment_run(actor=None)
    api = client(ctx.customer_a)
    for endpoint in ("frameworks", "requirements"):
        assert api.get(f"/api/v1/{endpoint}/").status_code == 403
    for endpoint in ("assessments", "results", "attestations", "nonconformities", "implementation-plan"):
        assert api.get(f"/api/v1/{endpoint}/").json()["count"] == 0, endpoint


# --- who may write which field ------------------------------------------------------------------------------


def test_nobody_changes_or_deletes_assessments_results_or_plan_items_by_rule(ctx):
    manager = factories.user("conf_mgr", ctx.provider, ["conformity-manager"])
    for model, refused in (
        (Assessment, {permissions.CHANGE, permissions.DELETE}),
        (Result, {permissions.ADD, permissions.CHANGE, permissions.DELETE}),
        (PlanItem, {permissions.ADD, permissions.DELETE}),
        (Framework, {permissions.CHANGE, permissions.DELETE}),
        (Requirement, {permissions.ADD, permissions.CHANGE, permissions.DELETE}),
    ):
        for action in refused:
            assert not permissions.has_permission(manager, action, model), (model.__name__, action)
    assert permissions.has_permission(manager, permissions.ADD, Assessment)


def test_an_assessment_started_by_a_person_records_only_the_framework_as_theirs(ctx):
    manager = factories.user("conf_mgr", ctx.provider, ["conformity-manager"])
    run = services.assessment_run(actor=manager, framework=Framework.objects.get(slug="iso20000-1:2018"))
    [entry] = entries_for(run)
    assert entry.action == "create" and entry.actor_name == "conf_mgr"
    with pytest.raises(ValidationError) as refused:
        core_services.record_create(
            model=Assessment, data={"framework": None, "summary": {"forged": True}}, actor=manager
        )
    assert set(refused.value.message_dict) == {"summary"}


# --- one change-log entry per record ------------------------------------------------------------------------


def test_an_assessment_logs_itself_and_every_result_once(ctx):
    run = services.assessment_run(actor=None)
    ids = list(Result.objects.filter(assessment=run).values_list("pk", flat=True))
    logged = ChangeRecord.objects.filter(object_type="conformity.result", object_id__in=ids)
    assert logged.count() == len(ids) > 1000
    assert set(logged.values_list("action", flat=True)) == {"create"}
    assert run.reference in logged.first().message
    assert [e.action for e in entries_for(run)] == ["create"]


def test_an_oscal_import_logs_the_framework_and_each_requirement(ctx):
    manager = factories.user("oscal_mgr", ctx.provider, ["conformity-manager"])
    source = oscal.catalog(Framework.objects.get(slug="iso20000-9:2015"))
    framework = oscal.import_catalog(source, slug="imported:s", actor=manager)
    ids = list(framework.requirements.values_list("pk", flat=True))
    assert len(ids) == Requirement.objects.filter(framework__slug="iso20000-9:2015").count()
    created = ChangeRecord.objects.filter(object_type="conformity.requirement", object_id__in=ids)
    assert created.count() == len(ids) and {e.actor_name for e in created} == {"oscal_mgr"}
    assert [e.action for e in entries_for(framework)] == ["create"]
    # a child is stored (and logged) with its parent
    child = framework.requirements.filter(parent__isnull=False).first()
    if child is not None:
        entry = ChangeRecord.objects.get(object_type="conformity.requirement", object_id=child.pk)
        assert entry.changes["parent_id"] == [None, child.parent_id]

    again = oscal.import_catalog(source, slug="imported:s", actor=manager)
    assert again.pk == framework.pk
    removed = ChangeRecord.objects.filter(
        object_type="conformity.requirement", object_id__in=ids, action="delete"
    )
    assert removed.count() == len(ids)
    assert [e.action for e in entries_for(framework)] == ["create"]  # the same document: nothing changed

    services.assessment_run(actor=None)  # results now refer to the imported requirements
    with pytest.raises(ValidationError) as kept:
        oscal.import_catalog(source, slug="imported:s", actor=manager)
    assert "slug" in kept.value.message_dict
