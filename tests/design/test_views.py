"""The pages of design and transition: generated page suites, the project page (what blocks the next
stage, criteria with their results, outcomes expected against achieved, handover items, the transition's
releases) and the panels on the change and service pages."""

from __future__ import annotations

from servitium.core import services as core_services
from servitium.design.models import (
    DesignProject,
    ExpectedOutcome,
    HandoverItem,
    ServiceAcceptanceCriterion,
    ServiceRequirement,
)
from tests import factories
from tests.base import RecordUISuite, browser
from tests.design.conftest import criterion, outcome, planned, project, requirement


def _service():
    return factories.service(factories.unique("Design Svc"), status="pipeline")


class DesignPages(RecordUISuite):
    writer_roles = ["design-agent"]


class TestRequirementPages(DesignPages):
    model = ServiceRequirement

    def make(self, ctx):
        return requirement(factories.service(factories.unique("Req Svc"), customers=[ctx.org_a]), ctx.org_a)


class TestProjectPages(DesignPages):
    model = DesignProject

    def make(self, ctx):
        return project(_service())


class TestCriterionPages(DesignPages):
    model = ServiceAcceptanceCriterion

    def make(self, ctx):
        return criterion(project(_service()))


class TestOutcomePages(DesignPages):
    model = ExpectedOutcome

    def make(self, ctx):
        return outcome(project(_service()))


class TestHandoverPages(DesignPages):
    model = HandoverItem

    def make(self, ctx):
        removal = project(_service(), kind="removal")
        return HandoverItem.objects.create(
            project=removal, kind="data", description="Mailboxes", action="archive"
        )


def test_project_page_shows_criteria_outcomes_and_what_blocks(ctx, staff):
    made = planned(ctx, staff)
    criterion(made, "Failover works", result="not_met", evidence="Failover took 20 minutes.")
    core_services.record_update(instance=made, data={"risks": ""}, actor=None)
    page = browser(staff.agent).get(made.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="project-next-steps"' in body and "risks" in body
    assert "text-bg-danger" in body and "Failover works" in body
    assert "Customers live" in body


def test_change_and_service_pages_show_their_projects(ctx, staff):
    from tests.changes.conftest import change

    major = change("Introduce widgets", category="major", change_type="service_change")
    made = project(staff.service, change=major)
    viewer = factories.user("chgview", ctx.provider, ["change-agent"])
    page = browser(viewer).get(major.get_absolute_url()).content.decode()
    assert 'id="design-projects"' in page and made.reference in page
    admin = browser(ctx.admin).get(staff.service.get_absolute_url()).content.decode()
    assert made.reference in admin
