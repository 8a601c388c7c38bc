"""OSCAL exchange: catalog and assessment-results exports validate against compliance-trestle's models;
an OSCAL catalog imports as an additional framework."""

from __future__ import annotations

import pytest

from servitium.conformity import oscal, services
from servitium.conformity.models import Framework, Requirement
from servitium.core.models import ChangeRecord
from tests import factories
from tests.base import client

trestle_catalog = pytest.importorskip("trestle.oscal.catalog")
trestle_results = pytest.importorskip("trestle.oscal.assessment_results")

EDITION = "iso20000-1:2018"


def test_catalog_export_validates_and_keeps_the_tree(ctx):
    framework = Framework.objects.get(slug=EDITION)
    document = client(ctx.auditor).get(f"/api/v1/frameworks/{framework.pk}/oscal/").json()
    model = trestle_catalog.Catalog.model_validate(document["catalog"])

    def count(controls) -> int:
        return sum(1 + count(c.controls or []) for c in controls or [])

    assert count(model.controls) == Requirement.objects.filter(framework=framework).count()
    assert model.metadata.title == framework.title


def test_assessment_results_export_validates_with_one_finding_per_requirement(ctx):
    run = services.assessment_run(actor=None)
    document = client(ctx.auditor).get(f"/api/v1/assessments/{run.pk}/oscal/", {"framework": EDITION}).json()
    model = trestle_results.AssessmentResults.model_validate(document["assessment-results"])
    findings = model.results[0].findings
    assert len(findings) == Requirement.objects.filter(framework__slug=EDITION).count()
    assert {
        f.target.status.state.value if hasattr(f.target.status.state, "value") else f.target.status.state
        for f in findings
    } <= {"satisfied", "not-satisfied"}


def test_import_an_oscal_catalog_as_a_framework(ctx):
    source = oscal.catalog(Framework.objects.get(slug="iso20000-9:2015"))
    manager = factories.user("oscal_mgr", ctx.provider, ["conformity-manager"])
    response = client(manager).post(
        "/api/v1/frameworks/import-oscal/", {"slug": "imported:s", "catalog": source}, format="json"
    )
    assert response.status_code == 201, response.json()
    framework = Framework.objects.get(slug="imported:s")
    assert framework.source == "imported"
    assert set(framework.requirements.values_list("identifier", flat=True)) == {
        f"S{n:02d}" for n in range(1, 16)
    }
    assert ChangeRecord.objects.filter(object_type="conformity.framework", object_id=framework.pk).exists()
    bad = client(manager).post(
        "/api/v1/frameworks/import-oscal/", {"slug": "x", "catalog": {}}, format="json"
    )
    assert bad.status_code == 400
    agent = factories.user("oscal_auditor", ctx.provider, ["auditor"])
    assert (
        client(agent)
        .post("/api/v1/frameworks/import-oscal/", {"slug": "y", "catalog": source}, format="json")
        .status_code
        == 403
    )
    bundled = client(manager).post(
        "/api/v1/frameworks/import-oscal/", {"slug": EDITION, "catalog": source}, format="json"
    )
    assert bundled.status_code == 400 and "slug" in bundled.json()
    services.assessment_run(actor=None)  # an imported framework is assessed like any other
