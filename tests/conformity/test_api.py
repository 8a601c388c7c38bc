"""REST resources of the conformity engine: catalogue reads, attestation suites (nonconformities are in
tests/improvement), assessments (run, immutable, diff, gap analysis) and the implementation plan."""

from __future__ import annotations

import datetime as dt

import pytest

from servitium.conformity import catalogue, services
from servitium.conformity.models import Attestation, Exclusion, Requirement
from servitium.core import services as core_services
from tests import factories
from tests.base import RecordAPISuite, client

R2011 = "iso20000-1:2011"
R2018 = "iso20000-1:2018"


def a_requirement() -> Requirement:
    return Requirement.objects.filter(framework__slug=R2011).order_by("order").first()


def people(ctx):
    return factories.person(factories.unique("Attester"), ctx.provider), factories.person(
        factories.unique("Reviewer"), ctx.provider
    )


class TestAttestationAPI(RecordAPISuite):
    endpoint = "attestations"
    model = Attestation
    writer_roles = ["conformity-manager"]
    foreign_roles = ["incident-manager"]
    customer_visible = False

    def make(self, ctx):
        attester, reviewer = people(ctx)
        return core_services.record_create(
            model=Attestation,
            data={
                "requirement": a_requirement(),
                "statement": "Policy communicated at the all-hands meeting.",
                "evidence": "Sign-in sheet of the briefing (attached).",
                "attested_by": attester,
                "reviewed_by": reviewer,
                "valid_from": dt.date(2026, 1, 1),
                "valid_until": dt.date(2026, 12, 31),
            },
            actor=None,
        )

    def create_payload(self, ctx):
        attester, reviewer = people(ctx)
        return {
            "requirement": a_requirement().pk,
            "statement": "Competence records reviewed.",
            "evidence": "Sign-in sheet of the briefing (attached).",
            "attested_by": attester.pk,
            "reviewed_by": reviewer.pk,
            "valid_from": "2026-01-01",
            "valid_until": "2027-01-01",
        }

    def invalid_payload(self, ctx):
        attester, _reviewer = people(ctx)
        return {**self.create_payload(ctx), "attested_by": attester.pk, "reviewed_by": attester.pk}

    def update_payload(self, ctx):
        return {"statement": "Policy communicated and acknowledged by every team."}


def test_attestation_reviewer_must_differ_and_dates_must_be_ordered(ctx):
    attester, _ = people(ctx)
    suite = TestAttestationAPI()
    writer = factories.user("att_writer", ctx.provider, ["conformity-manager"])
    response = client(writer).post("/api/v1/attestations/", suite.invalid_payload(ctx), format="json")
    assert response.status_code == 400 and "reviewed_by" in response.json()
    payload = {**suite.create_payload(ctx), "valid_from": "2027-01-01", "valid_until": "2026-01-01"}
    response = client(writer).post("/api/v1/attestations/", payload, format="json")
    assert response.status_code == 400 and "valid_until" in response.json()
    payload = {**suite.create_payload(ctx), "evidence": "  "}
    response = client(writer).post("/api/v1/attestations/", payload, format="json")
    assert response.status_code == 400 and "evidence" in response.json()  # it must name its evidence
    assert not Attestation.objects.exists()
    response = client(writer).post("/api/v1/attestations/", suite.create_payload(ctx), format="json")
    body = response.json()
    assert response.status_code == 201 and body["requirement_summary"] == a_requirement().summary


class TestExclusionAPI(RecordAPISuite):
    endpoint = "exclusions"
    model = Exclusion
    writer_roles = ["conformity-manager"]
    foreign_roles = ["incident-manager"]
    customer_visible = False

    def make(self, ctx):
        return core_services.record_create(
            model=Exclusion,
            data={
                "requirement": a_requirement(),
                "justification": "No such service is in the scope of our SMS.",
                "approved_by": people(ctx)[1],
                "approved_at": dt.date(2026, 1, 1),
            },
            actor=None,
        )

    def create_payload(self, ctx):
        return {
            "requirement": a_requirement().pk,
            "justification": "We do not design new services; see the scope statement.",
            "approved_by": people(ctx)[1].pk,
            "approved_at": "2026-02-01",
        }

    def invalid_payload(self, ctx):
        return {**self.create_payload(ctx), "approved_by": None}

    def update_payload(self, ctx):
        return {"justification": "Out of the SMS scope decided by the management review."}


def test_an_exclusion_needs_a_justification_and_a_whole_approval(ctx):
    writer = factories.user("exc_writer", ctx.provider, ["conformity-manager"])
    payload = TestExclusionAPI().create_payload(ctx)
    response = client(writer).post("/api/v1/exclusions/", {**payload, "justification": " "}, format="json")
    assert response.status_code == 400 and "justification" in response.json()
    response = client(writer).post("/api/v1/exclusions/", {**payload, "approved_at": None}, format="json")
    assert response.status_code == 400 and "approved_at" in response.json()
    assert not Exclusion.objects.exists()
    response = client(writer).post("/api/v1/exclusions/", payload, format="json")
    assert response.status_code == 201 and response.json()["approved"] is True


# --- catalogue ---------------------------------------------------------------------------------------------


def test_catalogue_is_readable_by_provider_users_and_forbidden_to_customers(ctx):
    agent = factories.user("inc_agent", ctx.provider, ["incident-agent"])
    for user in (ctx.auditor, agent, ctx.admin):
        body = client(user).get("/api/v1/frameworks/").json()
        assert {r["slug"] for r in body["results"]} >= {R2011, R2018}
    assert client(ctx.customer_a).get("/api/v1/frameworks/").status_code == 403
    assert client(ctx.customer_a).get("/api/v1/requirements/").status_code == 403
    assert client(None).get("/api/v1/requirements/").status_code == 401
    assert client(ctx.admin).post("/api/v1/frameworks/", {"slug": "x"}, format="json").status_code == 405
    req = a_requirement()
    assert client(ctx.admin).patch(f"/api/v1/requirements/{req.pk}/", {"title": "x"}).status_code == 405


def test_requirement_shape_and_framework_filter(ctx, django_assert_max_num_queries):
    api = client(ctx.auditor)
    with django_assert_max_num_queries(12):
        body = api.get("/api/v1/requirements/", {"framework": R2011, "page_size": 1000}).json()
    assert body["count"] == Requirement.objects.filter(framework__slug=R2011).count()
    row = next(r for r in body["results"] if r["parent"])
    assert {
        "framework",
        "identifier",
        "title",
        "summary",
        "parent",
        "maps_to",
        "applicable_clauses",
        "phases",
        "responsibility",
    } <= set(row)
    assert row["framework"] == R2011
    shipped = catalogue.load_catalogues()[R2011]
    assert {r["identifier"]: sorted(r["maps_to"]) for r in body["results"]} == {
        r.identifier: sorted(r.maps_to) for r in shipped.requirements
    }, "the crosswalk reaches the API as shipped"


SCENARIOS = "iso20000-9:2015"


@pytest.mark.skipif(SCENARIOS not in catalogue.load_catalogues(), reason="20000-9 catalogue not shipped yet")
def test_scenario_clauses_served_by_the_api_equal_the_catalogue(ctx):
    expected = {
        r.identifier: list(r.applicable_clauses)
        for r in catalogue.load_catalogues()[SCENARIOS].requirements
        if r.kind == "scenario"
    }
    body = (
        client(ctx.auditor).get("/api/v1/requirements/", {"framework": SCENARIOS, "page_size": 1000}).json()
    )
    served = {r["identifier"]: r["applicable_clauses"] for r in body["results"] if r["kind"] == "scenario"}
    assert [f"S{n:02d}" for n in range(1, 16)] == sorted(served)
    for scenario, clauses in expected.items():
        assert sorted(served[scenario]) == sorted(clauses), scenario


# --- assessments -------------------------------------------------------------------------------------------


def test_run_an_assessment_through_the_api(ctx):
    manager = factories.user("conf_mgr", ctx.provider, ["conformity-manager"])
    response = client(manager).post("/api/v1/assessments/", {"framework": R2018}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"].startswith("ASM") and body["framework"] == R2018
    results = (
        client(ctx.auditor).get("/api/v1/results/", {"assessment": body["id"], "page_size": 1000}).json()
    )
    assert results["count"] == Requirement.objects.filter(framework__slug=R2018).count()
    assert {r["framework"] for r in results["results"]} == {R2018}
    bad = client(manager).post("/api/v1/assessments/", {"framework": "nope"}, format="json")
    assert bad.status_code == 400 and "framework" in bad.json()
    assert client(ctx.auditor).post("/api/v1/assessments/", {}, format="json").status_code == 403
    assert client(ctx.customer_a).get(f"/api/v1/assessments/{body['id']}/").status_code == 404


def test_assessments_and_results_cannot_be_changed_through_the_api(ctx):
    run = services.assessment_run(actor=None, framework=None)
    result = run.results.first()
    admin = client(ctx.admin)
    assert (
        admin.patch(f"/api/v1/assessments/{run.pk}/", {"framework": R2011}, format="json").status_code == 405
    )
    assert admin.delete(f"/api/v1/assessments/{run.pk}/").status_code == 405
    assert admin.patch(f"/api/v1/results/{result.pk}/", {"status": "met"}, format="json").status_code == 405
    assert admin.delete(f"/api/v1/results/{result.pk}/").status_code == 405


def test_diff_gap_analysis_and_rollups(ctx):
    first = services.assessment_run(actor=None)
    second = services.assessment_run(actor=None)
    api = client(ctx.auditor)
    diff = api.get(f"/api/v1/assessments/{second.pk}/diff/", {"against": first.pk})
    assert diff.status_code == 200 and diff.json()["changes"] == []
    assert api.get(f"/api/v1/assessments/{second.pk}/diff/").status_code == 400
    gap = api.get(f"/api/v1/assessments/{second.pk}/gap-analysis/").json()
    assert [i["item"] for i in gap["items"]] == list("abcdefghij")
    assert all(i["requirements"] for i in gap["items"]), "every 5.8 item is tied to clauses"
    rollups = api.get(f"/api/v1/assessments/{second.pk}/rollups/").json()
    assert set(rollups) == {"by_edition", "by_process", "by_clause", "by_scenario", "by_phase"}
    assert {e["framework"] for e in rollups["by_edition"]} >= {R2011, R2018}


def test_attestation_evidence_files_are_listed_without_a_query_per_row(ctx, django_assert_num_queries):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    manager = factories.user("att_files", ctx.provider, ["conformity-manager"])
    suite = TestAttestationAPI()
    first = suite.make(ctx)
    upload = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes", content_type="application/pdf")
    response = client(manager).post(
        "/api/v1/attachments/",
        {"file": upload, "object_type": "conformity.attestation", "object_id": first.pk},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = client(manager).get(f"/api/v1/attestations/{first.pk}/").json()
    assert [a["name"] for a in body["attachments"]] == ["minutes.pdf"]

    def list_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client(manager).get("/api/v1/attestations/").status_code == 200
        return len(captured)

    one = list_queries()
    for _ in range(4):
        suite.make(ctx)
    assert list_queries() == one
