"""The REST resources of design and transition: generated suites for requirements, projects, acceptance
criteria, expected outcomes and handover items."""

from __future__ import annotations

from servitium.design.models import (
    DesignProject,
    ExpectedOutcome,
    HandoverItem,
    ServiceAcceptanceCriterion,
    ServiceRequirement,
)
from tests import factories
from tests.base import RecordAPISuite
from tests.design.conftest import criterion, outcome, project, requirement


def _service():
    return factories.service(factories.unique("Design Svc"), status="pipeline")


class DesignSuite(RecordAPISuite):
    writer_roles = ["design-agent"]
    foreign_roles = ["incident-manager", "capacity-manager"]
    customer_visible = False
    deletable = False  # agents do not delete


class TestServiceRequirementAPI(DesignSuite):
    endpoint = "service-requirements"
    model = ServiceRequirement
    customer_visible = True

    def make(self, ctx):
        return requirement(factories.service(factories.unique("Req Svc"), customers=[ctx.org_a]), ctx.org_a)

    def create_payload(self, ctx):
        return {
            "service": _service().pk,
            "customer": ctx.org_a.pk,
            "kind": "availability",
            "statement": "99.9 % a month in business hours.",
            "source": "Tender of 2026",
        }

    def invalid_payload(self, ctx):
        return {"service": _service().pk, "kind": "wishful", "statement": ""}

    def update_payload(self, ctx):
        return {"statement": "99.95 % a month, all hours."}


class TestDesignProjectAPI(DesignSuite):
    endpoint = "design-projects"
    model = DesignProject

    def make(self, ctx):
        return project(_service())

    def create_payload(self, ctx):
        return {"title": "Managed queues", "kind": "new", "service": _service().pk, "risks": "Skills."}

    def invalid_payload(self, ctx):
        return {
            "title": "Backwards",
            "kind": "new",
            "planned_start": "2027-05-01",
            "planned_end": "2027-01-01",
        }

    def update_payload(self, ctx):
        return {"communication": "Monthly mail to the customer."}


class TestAcceptanceCriterionAPI(DesignSuite):
    endpoint = "design-acceptance-criteria"
    model = ServiceAcceptanceCriterion

    def make(self, ctx):
        return criterion(project(_service()))

    def create_payload(self, ctx):
        return {"project": project(_service()).pk, "criterion": "Failover within 5 minutes."}

    def invalid_payload(self, ctx):
        return {"project": project(_service()).pk, "criterion": "x", "result": "met"}  # no evidence

    def update_payload(self, ctx):
        return {"result": "met", "evidence": "Failover test of 3 March: 3 minutes."}


class TestExpectedOutcomeAPI(DesignSuite):
    endpoint = "design-outcomes"
    model = ExpectedOutcome

    def make(self, ctx):
        return outcome(project(_service()))

    def create_payload(self, ctx):
        return {"project": project(_service()).pk, "measure": "Availability", "target": "99.9 %"}

    def invalid_payload(self, ctx):
        return {"project": project(_service()).pk, "measure": "", "target": "1", "met": True}

    def update_payload(self, ctx):
        return {"achieved": "99.95 %", "met": True}


class TestHandoverItemAPI(DesignSuite):
    endpoint = "handover-items"
    model = HandoverItem

    def make(self, ctx):
        removal = project(_service(), kind="removal")
        return HandoverItem.objects.create(
            project=removal, kind="data", description="Mailboxes", action="archive"
        )

    def create_payload(self, ctx):
        return {
            "project": project(_service(), kind="removal").pk,
            "kind": "data",
            "description": "Customer databases",
            "action": "transfer",
        }

    def invalid_payload(self, ctx):
        # a new service hands nothing over
        return {"project": project(_service()).pk, "kind": "data", "description": "x", "action": "archive"}

    def update_payload(self, ctx):
        return {"note": "Handed over on a signed disk."}
