"""The REST resources `risk-matrices`, `risks` and `risk-actions`: generated suites plus scoring,
transitions with their guards, reviews and the heat map over HTTP."""

from __future__ import annotations

from servitium.core.models import ChangeRecord
from servitium.risks import services
from servitium.risks.models import Risk, RiskAction, RiskMatrix
from servitium.risks.selectors import DEFAULT_MATRIX
from tests import factories
from tests.base import RecordAPISuite, client
from tests.risks.conftest import assessed, risk


class TestRiskMatrixAPI(RecordAPISuite):
    endpoint = "risk-matrices"
    model = RiskMatrix
    writer_roles = ["sms-manager"]
    foreign_roles = ["incident-manager", "catalog-manager"]
    customer_visible = False

    def make(self, ctx):
        services.matrix_ensure()  # the default one is active: the sample is an alternative
        return services.matrix_create(actor=None, data={**_matrix(), "name": factories.unique("Matrix")})

    def create_payload(self, ctx):
        return {**_matrix(), "name": "Three by three"}

    def invalid_payload(self, ctx):
        return {**_matrix(), "name": "Broken", "bands": [{"name": "x"}]}

    def update_payload(self, ctx):
        return {"appetite": 6, "approach": "Reviewed quarterly"}


def _matrix():
    levels = [{"value": 1, "label": "Low"}, {"value": 2, "label": "Medium"}, {"value": 3, "label": "High"}]
    return {
        "likelihood_levels": levels,
        "impact_levels": levels,
        "bands": [
            {"name": "low", "label": "Low", "min_score": 1, "colour": "success"},
            {"name": "high", "label": "High", "min_score": 4, "colour": "danger"},
        ],
        "appetite": 3,
    }


class TestRiskAPI(RecordAPISuite):
    endpoint = "risks"
    model = Risk
    writer_roles = ["sms-agent"]
    foreign_roles = ["incident-manager", "supplier-manager"]
    deletable = False  # agents do not delete
    customer_visible = False

    def make(self, ctx):
        owner = factories.person(factories.unique("Owner"), ctx.provider)
        return services.risk_create(
            actor=None,
            data={
                "title": "Cooling failure",
                "owner": owner,
                "likelihood": 2,
                "impact": 5,
                "cause": "Chiller",
            },
        )

    def create_payload(self, ctx):
        return {"title": "Key engineer leaves", "category": "sms", "likelihood": 3, "impact": 4}

    def invalid_payload(self, ctx):
        return {"title": "Bad levels", "likelihood": 9, "impact": 1}

    def update_payload(self, ctx):
        return {"description": "Single chiller in hall B", "impact": 4}


class TestRiskActionAPI(RecordAPISuite):
    endpoint = "risk-actions"
    model = RiskAction
    writer_roles = ["sms-agent"]
    foreign_roles = ["incident-manager"]
    deletable = False
    customer_visible = False

    def make(self, ctx):
        target = risk(likelihood=2, impact=2)
        return services.action_create(
            actor=None, data={"risk": target, "description": "Install a second chiller"}
        )

    def create_payload(self, ctx):
        return {"risk": risk().pk, "description": "Test the generator monthly", "due_date": "2030-01-31"}

    def invalid_payload(self, ctx):
        return {"description": "No risk named"}

    def update_payload(self, ctx):
        return {"description": "Test the generator under load monthly"}


def test_score_and_band_follow_the_matrix(ctx, staff):
    api = client(staff.agent)
    created = api.post(
        "/api/v1/risks/",
        {"title": "Ransomware", "likelihood": 4, "impact": 5, "owner": staff.owner.pk},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["reference"].startswith("RSK") and body["score"] == 20 and body["band"] == "critical"
    assert RiskMatrix.objects.get(active=True).name == DEFAULT_MATRIX["name"]  # stored on first use
    patched = api.patch(f"/api/v1/risks/{body['id']}/", {"likelihood": 1}, format="json").json()
    assert patched["score"] == 5 and patched["band"] == "medium"
    refused = api.patch(f"/api/v1/risks/{body['id']}/", {"score": 1}, format="json")
    assert refused.status_code == 400 and "score" in refused.json()
    wrong = api.patch(f"/api/v1/risks/{body['id']}/", {"impact": 6}, format="json")
    assert wrong.status_code == 400 and "impact" in wrong.json()


def test_transitions_over_http_with_guards(ctx, staff):
    api = client(staff.agent)
    found = risk(owner=staff.owner, likelihood=4, impact=4)
    url = f"/api/v1/risks/{found.pk}/transitions/"
    assert [t["name"] for t in api.get(url).json()] == ["assess"]
    assert api.post(url, {"transition": "assess"}, format="json").status_code == 200
    before = ChangeRecord.objects.count()
    blocked = api.post(url, {"transition": "treat", "treatment_option": "reduce"}, format="json")
    assert blocked.status_code == 409 and "action" in blocked.json()["detail"]
    assert ChangeRecord.objects.count() == before  # the carried option was rolled back with it
    accepted = api.post(
        url,
        {"transition": "treat", "treatment_option": "accept", "acceptance_reason": "Cheaper to bear"},
        format="json",
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "treated"
    no_residual = api.post(url, {"transition": "close"}, format="json")
    assert no_residual.status_code == 409
    closed = api.post(
        url, {"transition": "close", "residual_likelihood": 2, "residual_impact": 2}, format="json"
    )
    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == "closed" and closed.json()["residual_score"] == 4
    assert api.post(url, {"transition": "nonsense"}, format="json").status_code == 400


def test_review_and_heat_map(ctx, staff):
    api = client(staff.agent)
    found = assessed(staff.owner, 5, 5)
    reviewed = api.post(f"/api/v1/risks/{found.pk}/review/", {"note": "Still valid"}, format="json")
    assert reviewed.status_code == 200 and reviewed.json()["last_reviewed"]
    bad = api.post(f"/api/v1/risks/{found.pk}/review/", {"next_review": "2001-01-01"}, format="json")
    assert bad.status_code == 400 and "next_review" in bad.json()
    heat = api.get("/api/v1/risks/heat-map/").json()
    cell = next(c for c in heat["cells"] if c["likelihood"] == 5 and c["impact"] == 5)
    assert cell == {
        "likelihood": 5,
        "impact": 5,
        "score": 25,
        "band": "critical",
        "colour": "dark",
        "count": 1,
    }
    assert len(heat["cells"]) == 25 and heat["total"] == 1
    assert client(ctx.customer_a).get("/api/v1/risks/heat-map/").status_code == 403


def test_the_active_matrix_cannot_be_deleted(ctx, staff):
    active = services.matrix_ensure()
    before = ChangeRecord.objects.count()
    refused = client(staff.manager).delete(f"/api/v1/risk-matrices/{active.pk}/")
    assert refused.status_code == 400 and "active" in str(refused.json())
    assert ChangeRecord.objects.count() == before and RiskMatrix.objects.filter(pk=active.pk).exists()


def test_matrix_activation_rescores(ctx, staff):
    api = client(staff.manager)
    found = assessed(staff.owner, 3, 3)
    other = api.post("/api/v1/risk-matrices/", {**_matrix(), "name": "Small"}, format="json").json()
    assert other["active"] is False  # the default one is active already
    switched = api.post(f"/api/v1/risk-matrices/{other['id']}/activate/")
    assert switched.status_code == 200 and switched.json()["active"] is True
    found.refresh_from_db()
    assert found.band == "high" and RiskMatrix.objects.filter(active=True).count() == 1
