"""The REST resources of resources and competence: generated suites for the six record types, the gap
endpoint and the resources of a service."""

from __future__ import annotations

import datetime as dt

from servitium.competence.models import (
    Competence,
    CompetenceArea,
    CompetenceRequirement,
    PersonCompetence,
    ResourceBudget,
    TrainingRecord,
)
from tests import factories
from tests.base import RecordAPISuite, client
from tests.competence.conftest import create, held, requirement, training


class SmsSuite(RecordAPISuite):
    """SMS agents write these records (managers also delete them); customers see none."""

    writer_roles = ["sms-agent"]
    foreign_roles = ["incident-manager", "catalog-manager"]
    customer_visible = False
    deletable = False


def _area():
    return create(CompetenceArea, name=factories.unique("Area"))


class TestCompetenceAreaAPI(SmsSuite):
    endpoint = "competence-areas"
    model = CompetenceArea

    def make(self, ctx):
        return _area()

    def create_payload(self, ctx):
        return {"name": "Leadership", "description": "Leading people"}

    def invalid_payload(self, ctx):
        return {"name": ""}

    def update_payload(self, ctx):
        return {"description": "Leading people and change"}


class TestCompetenceAPI(SmsSuite):
    endpoint = "competences"
    model = Competence

    def make(self, ctx):
        return create(Competence, area=_area(), name="Firewalls")

    def create_payload(self, ctx):
        return {"area": _area().pk, "name": "Routing"}

    def invalid_payload(self, ctx):
        return {"name": "No area"}

    def update_payload(self, ctx):
        return {"description": "BGP and OSPF"}


class TestRequirementAPI(SmsSuite):
    endpoint = "competence-requirements"
    model = CompetenceRequirement

    def make(self, ctx):
        return requirement(create(Competence, area=_area(), name="Firewalls"), job_title="Network Engineer")

    def create_payload(self, ctx):
        competence = create(Competence, area=_area(), name="Routing")
        return {"job_title": "Network Engineer", "competence": competence.pk, "required_level": 3}

    def invalid_payload(self, ctx):
        competence = create(Competence, area=_area(), name="Routing")
        return {"competence": competence.pk, "required_level": 3}  # no role named

    def update_payload(self, ctx):
        return {"required_level": 4}


class TestPersonCompetenceAPI(SmsSuite):
    endpoint = "person-competences"
    model = PersonCompetence

    def make(self, ctx):
        person = factories.person(factories.unique("Eng"), ctx.provider)
        return held(person, create(Competence, area=_area(), name="Firewalls"), 2, evidence="Observed")

    def create_payload(self, ctx):
        person = factories.person("Nora Net", ctx.provider)
        competence = create(Competence, area=_area(), name="Routing")
        return {"person": person.pk, "competence": competence.pk, "level": 3, "assessed_on": "2026-01-10"}

    def invalid_payload(self, ctx):
        outsider = factories.person("Customer Carl", ctx.org_a)
        competence = create(Competence, area=_area(), name="Routing")
        return {"person": outsider.pk, "competence": competence.pk, "level": 3}

    def update_payload(self, ctx):
        return {"level": 4, "evidence": "CCIE"}


class TestTrainingRecordAPI(SmsSuite):
    endpoint = "training-records"
    model = TrainingRecord

    def make(self, ctx):
        person = factories.person(factories.unique("Eng"), ctx.provider)
        return training(person, None, dt.date(2026, 3, 1), provider="Academy", result="passed")

    def create_payload(self, ctx):
        person = factories.person("Nora Net", ctx.provider)
        return {
            "person": person.pk,
            "course": "CCNA",
            "date": "2026-02-01",
            "result": "passed",
            "hours": "40",
        }

    def invalid_payload(self, ctx):
        person = factories.person("Nora Net", ctx.provider)
        return {"person": person.pk, "course": "CCNA", "date": "2026-02-01", "expires_on": "2025-01-01"}

    def update_payload(self, ctx):
        return {"effectiveness": "Configured the new edge routers alone"}


class TestResourceBudgetAPI(SmsSuite):
    endpoint = "resource-budgets"
    model = ResourceBudget

    def make(self, ctx):
        service = factories.service(factories.unique("Svc"))
        return create(ResourceBudget, service=service, year=2026, budget=1000)

    def create_payload(self, ctx):
        return {
            "service": factories.service(factories.unique("Budgeted")).pk,
            "year": 2026,
            "budget": "250000.00",
        }

    def invalid_payload(self, ctx):
        return {"service": factories.service(factories.unique("Budgeted")).pk, "year": 1900, "budget": "-1"}

    def update_payload(self, ctx):
        return {"actual": "120000.00"}


def test_gap_endpoint(ctx, staff):
    requirement(staff.sql, 3, job_title="DBA")
    requirement(staff.linux, 2, team=staff.team)
    held(staff.ana, staff.sql, 3)
    held(staff.ana, staff.linux, 1)
    today = dt.date.today()
    training(
        staff.ben,
        staff.linux,
        today - dt.timedelta(days=800),
        result="passed",
        expires_on=today - dt.timedelta(days=5),
    )
    held(staff.ben, staff.linux, 3)
    body = client(staff.agent).get("/api/v1/competence-gaps/").json()
    pairs = {(r["person_name"], r["competence_name"]): r["status"] for r in body["people"]}
    assert pairs == {
        ("Ana Admin", "SQL"): "met",
        ("Ana Admin", "Linux"): "below",
        ("Ben Builder", "Linux"): "expired",
    }
    roles = {r["competence_name"]: (r["meeting"], r["people"], r["status"]) for r in body["roles"]}
    assert roles == {"SQL": (1, 1, "met"), "Linux": (0, 2, "unmet")}
    only = (
        client(staff.agent)
        .get("/api/v1/competence-gaps/", {"gaps_only": "true", "person": staff.ben.pk})
        .json()
    )
    assert [r["status"] for r in only["people"]] == ["expired"] and [r["status"] for r in only["roles"]] == [
        "unmet"
    ]
    assert client(staff.agent).get("/api/v1/competence-gaps/", {"person": "x"}).status_code == 400
    assert client(ctx.customer_a).get("/api/v1/competence-gaps/").status_code == 403
    assert client().get("/api/v1/competence-gaps/").status_code == 401


def test_service_resources_endpoint(ctx, staff):
    create(ResourceBudget, service=staff.service, year=2026, budget=5000, actual=5200)
    body = client(staff.agent).get(f"/api/v1/service-resources/{staff.service.pk}/").json()
    assert body["service_name"] == "Hosted Mail" and body["human"]["owner"] == "Ana Admin"
    assert body["financial"]["budgets"] == [
        {"id": body["financial"]["budgets"][0]["id"], "year": 2026, "budget": "5000.00", "actual": "5200.00"}
    ]
    assert set(body) == {"service", "service_name", "human", "technical", "information", "financial"}
    assert client(staff.agent).get("/api/v1/service-resources/999999/").status_code == 404
    assert client(staff.agent).get("/api/v1/service-resources/abc/").status_code == 404
    assert client(ctx.customer_a).get(f"/api/v1/service-resources/{staff.service.pk}/").status_code == 403
