"""The web UI of resources and competence: generated page suites, the gap matrix with its colours, the
resources of a service, and what customers get (nothing)."""

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
from tests.base import RecordUISuite, browser, sent_to_portal
from tests.competence.conftest import create, held, requirement, training


def _competence():
    return create(Competence, area=create(CompetenceArea, name=factories.unique("Area")), name="Firewalls")


class SmsPages(RecordUISuite):
    writer_roles = ["sms-agent"]


class TestAreaPages(SmsPages):
    model = CompetenceArea

    def make(self, ctx):
        return create(CompetenceArea, name="Leadership", description="Leading people")


class TestCompetencePages(SmsPages):
    model = Competence

    def make(self, ctx):
        return _competence()


class TestRequirementPages(SmsPages):
    model = CompetenceRequirement

    def make(self, ctx):
        return requirement(_competence(), job_title="Network Engineer")


class TestHeldPages(SmsPages):
    model = PersonCompetence

    def make(self, ctx):
        return held(
            factories.person(factories.unique("Eng"), ctx.provider), _competence(), 2, evidence="Seen"
        )


class TestTrainingPages(SmsPages):
    model = TrainingRecord

    def make(self, ctx):
        person = factories.person(factories.unique("Eng"), ctx.provider)
        return training(person, _competence(), dt.date(2026, 1, 5), result="passed", provider="Academy")


class TestBudgetPages(SmsPages):
    model = ResourceBudget

    def make(self, ctx):
        return create(
            ResourceBudget, service=factories.service(factories.unique("Svc")), year=2026, budget=10
        )


def test_gap_matrix_colours_and_roles(ctx, staff):
    requirement(staff.sql, 3, job_title="DBA")
    requirement(staff.linux, 2, team=staff.team)
    held(staff.ana, staff.sql, 3)
    page = browser(staff.agent).get("/sms/competence/")
    assert page.status_code == 200
    statuses = [[c.status if c else None for c in row["cells"]] for row in page.context["matrix"]["rows"]]
    # Linux then SQL across; Ana, then Ben down
    assert statuses == [["missing", "met"], ["missing", None]]
    assert b'class="text-bg-danger" data-status="missing"' in page.content
    assert b'data-status="unmet"' in page.content and page.context["gap_count"] == 2
    assert sent_to_portal(browser(ctx.customer_a).get("/sms/competence/"))


def test_service_resources_page(ctx, staff):
    create(ResourceBudget, service=staff.service, year=2026, budget=5000, actual=5200)
    listing = browser(staff.agent).get("/sms/competence/resources/")
    assert listing.status_code == 200 and b"Hosted Mail" in listing.content
    page = browser(staff.agent).get(f"/sms/competence/resources/{staff.service.pk}/")
    assert page.status_code == 200
    for section in (
        b"resources-human",
        b"resources-technical",
        b"resources-information",
        b"resources-financial",
    ):
        assert section in page.content
    assert b"text-danger" in page.content  # over budget
    assert browser(staff.agent).get("/sms/competence/resources/999999/").status_code == 404
    assert sent_to_portal(browser(ctx.customer_a).get(f"/sms/competence/resources/{staff.service.pk}/"))
    service_page = browser(staff.agent).get(staff.service.get_absolute_url())
    assert service_page.status_code == 200 and b"service-resources-link" in service_page.content
