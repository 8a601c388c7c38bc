"""Generated API and UI suites for every record type of the management system."""

from __future__ import annotations

import datetime as dt

from servitium.sms import services
from servitium.sms.models import (
    Commitment,
    CommunicationEntry,
    ContextIssue,
    Objective,
    ObjectiveMeasurement,
    PartyRequirement,
    PlanSection,
    ProcessDefinition,
    ProcessRole,
    ScopeStatement,
    SmsPlan,
    SmsSettings,
    Stakeholder,
)
from tests import factories
from tests.base import RecordAPISuite, RecordUISuite

from . import helpers as h

WRITERS = ["sms-manager"]
FOREIGN = ["catalog-manager", "supplier-manager"]


class SmsSuite(RecordAPISuite):
    writer_roles = WRITERS
    foreign_roles = FOREIGN
    customer_visible = False


class TestContextIssueAPI(SmsSuite):
    endpoint = "context-issues"
    model = ContextIssue

    def make(self, ctx):
        return h.issue(ctx)

    def create_payload(self, ctx):
        return {
            "title": "Energy prices",
            "origin": "external",
            "category": "economic",
            "description": "Power costs doubled",
            "owner": h.person(ctx).pk,
        }

    def invalid_payload(self, ctx):
        return {"title": "No kind", "origin": "sideways", "category": "market", "description": "x"}

    def update_payload(self, ctx):
        return {"effect": "Margins shrink"}


class TestStakeholderAPI(SmsSuite):
    endpoint = "sms-interested-parties"
    model = Stakeholder

    def make(self, ctx):
        return h.stakeholder(ctx, organization=ctx.org_a, party_type="customer")

    def create_payload(self, ctx):
        return {"name": factories.unique("Staff"), "party_type": "staff"}

    def invalid_payload(self, ctx):
        return {"name": "", "party_type": "staff"}

    def update_payload(self, ctx):
        return {"interest": "Stable jobs"}


class TestPartyRequirementAPI(SmsSuite):
    endpoint = "party-requirements"
    model = PartyRequirement

    def make(self, ctx):
        return h.requirement(ctx)

    def create_payload(self, ctx):
        return {"party": h.stakeholder(ctx).pk, "description": "ISO 27001 certificate", "source": "contract"}

    def invalid_payload(self, ctx):
        return {"party": h.stakeholder(ctx).pk, "description": "x", "source": "rumour"}

    def update_payload(self, ctx):
        return {"how_addressed": "Annual certification audit"}


class TestScopeStatementAPI(SmsSuite):
    endpoint = "scope-statements"
    model = ScopeStatement

    def make(self, ctx):
        return h.scope(ctx)

    def create_payload(self, ctx):
        return {
            "version": factories.unique("v"),
            "text": "Cloud services",
            "services": [factories.service(factories.unique("Storage")).pk],
            "exclusions": [{"excluded": "Hosted Email", "justification": "Resold, run by a partner"}],
        }

    def invalid_payload(self, ctx):
        return {"version": "x1", "text": "Cloud", "exclusions": [{"excluded": "Email"}]}

    def update_payload(self, ctx):
        return {"text": "Cloud services from Frankfurt and Dublin"}


class TestCommitmentAPI(SmsSuite):
    endpoint = "commitments"
    model = Commitment

    def make(self, ctx):
        return h.commitment(ctx)

    def create_payload(self, ctx):
        return {
            "area": "plan",
            "made_by": h.person(ctx).pk,
            "description": "Signed the plan",
            "made_on": "2026-11-02",
        }

    def invalid_payload(self, ctx):
        return {"area": "plan", "made_by": h.person(ctx).pk, "description": "x", "evidence_link": "not a url"}

    def update_payload(self, ctx):
        return {"evidence": "Minutes of the board meeting"}


class TestProcessRoleAPI(SmsSuite):
    endpoint = "process-roles"
    model = ProcessRole

    def make(self, ctx):
        return h.role(ctx)

    def create_payload(self, ctx):
        return {"process": "change", "activity": "CAB", "raci": "C", "person": h.person(ctx).pk}

    def invalid_payload(self, ctx):
        return {"process": "change", "activity": "CAB", "raci": "C"}

    def update_payload(self, ctx):
        return {"authority": "May veto a change"}


class TestProcessDefinitionAPI(SmsSuite):
    endpoint = "processes"
    model = ProcessDefinition

    def make(self, ctx):
        return h.process(ctx)

    def create_payload(self, ctx):
        return {"process": "change", "owner": h.person(ctx).pk, "last_reviewed": "2026-11-02"}

    def invalid_payload(self, ctx):
        return {"process": "gardening", "owner": h.person(ctx).pk}

    def update_payload(self, ctx):
        return {"plan_version": "3"}


class TestSmsSettingsAPI(SmsSuite):
    endpoint = "sms-settings"
    model = SmsSettings

    def make(self, ctx):
        return SmsSettings.objects.first() or h.settings(ctx)

    def create_payload(self, ctx):
        return {"management_representative": h.person(ctx).pk, "duties": "Keeps the SMS conforming"}

    def invalid_payload(self, ctx):
        outsider = factories.person(factories.unique("Outsider"), ctx.org_a)
        return {"management_representative": outsider.pk}

    def update_payload(self, ctx):
        return {"reports_to_top_management": "Quarterly report"}


class TestObjectiveAPI(SmsSuite):
    endpoint = "objectives"
    model = Objective

    def make(self, ctx):
        return h.objective(ctx)

    def create_payload(self, ctx):
        h.register_test_indicator()
        return {
            "title": "Fewer failed changes",
            "indicator": "test_fixed",
            "comparator": ">=",
            "target_value": "95",
            "owner": h.person(ctx).pk,
            "due_date": "2027-06-30",
        }

    def invalid_payload(self, ctx):
        return {
            "title": "Unknown measure",
            "indicator": "no_such_indicator",
            "comparator": ">=",
            "target_value": "95",
            "owner": h.person(ctx).pk,
            "due_date": "2027-06-30",
        }

    def update_payload(self, ctx):
        return {"target_value": "96.000"}


class TestObjectiveMeasurementAPI(SmsSuite):
    endpoint = "objective-measurements"
    model = ObjectiveMeasurement

    def make(self, ctx):
        return services.objective_measure(
            objective=h.objective(ctx), period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 11, 1)
        )

    def create_payload(self, ctx):
        return {
            "objective": h.objective(ctx).pk,
            "period_start": "2026-09-01",
            "period_end": "2026-10-01",
            "value": "90",
        }

    def invalid_payload(self, ctx):
        return {
            "objective": h.objective(ctx).pk,
            "period_start": "2026-09-01",
            "period_end": "2026-08-01",
            "value": "90",
        }

    def update_payload(self, ctx):
        return {"note": "From the survey tool"}


class TestSmsPlanAPI(SmsSuite):
    endpoint = "sms-plans"
    model = SmsPlan

    def make(self, ctx):
        return SmsPlan.objects.first() or h.plan(ctx)

    def create_payload(self, ctx):
        return {"title": "Service management plan 2027", "owner": h.person(ctx).pk}

    def invalid_payload(self, ctx):
        return {"title": "Too rare", "owner": h.person(ctx).pk, "review_interval_months": 60}

    def update_payload(self, ctx):
        return {"version": "2"}


class TestPlanSectionAPI(SmsSuite):
    endpoint = "plan-sections"
    model = PlanSection

    def make(self, ctx):
        plan = SmsPlan.objects.first() or h.plan(ctx)
        section = plan.sections.filter(status="missing").first()
        return section

    def create_payload(self, ctx):
        plan = SmsPlan.objects.first() or h.plan(ctx)
        section = PlanSection.objects.filter(plan=plan, item="technology").first()
        if section is not None:
            from servitium.core import services as core_services

            core_services.record_delete(instance=section, actor=None)
        return {"plan": plan.pk, "item": "technology", "text": "Servitium, monitoring, backups"}

    def invalid_payload(self, ctx):
        plan = SmsPlan.objects.first() or h.plan(ctx)
        return {"plan": plan.pk, "item": "objectives", "text": "again"}

    def update_payload(self, ctx):
        return {"text": "See the objectives register"}


class TestCommunicationEntryAPI(SmsSuite):
    endpoint = "communication-plan"
    model = CommunicationEntry

    def make(self, ctx):
        return h.communication(ctx)

    def create_payload(self, ctx):
        return {
            "subject": "Policy and objectives",
            "timing": "after each approval",
            "audience": "All staff",
            "direction": "internal",
            "communicator": h.person(ctx).pk,
            "channel": "intranet",
        }

    def invalid_payload(self, ctx):
        return {
            "subject": "Nobody says it",
            "timing": "monthly",
            "audience": "All",
            "direction": "internal",
            "channel": "email",
        }

    def update_payload(self, ctx):
        return {"timing": "quarterly"}


# --- pages ---------------------------------------------------------------------------------------------
class SmsPages(RecordUISuite):
    writer_roles = WRITERS


class TestContextIssuePages(SmsPages):
    model = ContextIssue

    def make(self, ctx):
        return h.issue(ctx)


class TestStakeholderPages(SmsPages):
    model = Stakeholder

    def make(self, ctx):
        return h.requirement(ctx).party


class TestPartyRequirementPages(SmsPages):
    model = PartyRequirement

    def make(self, ctx):
        return h.requirement(ctx)


class TestScopeStatementPages(SmsPages):
    model = ScopeStatement

    def make(self, ctx):
        return h.scope(ctx)


class TestCommitmentPages(SmsPages):
    model = Commitment

    def make(self, ctx):
        return h.commitment(ctx)


class TestProcessRolePages(SmsPages):
    model = ProcessRole

    def make(self, ctx):
        return h.role(ctx)


class TestProcessDefinitionPages(SmsPages):
    model = ProcessDefinition

    def make(self, ctx):
        return h.process(ctx)


class TestSmsSettingsPages(SmsPages):
    model = SmsSettings

    def make(self, ctx):
        return h.settings(ctx)


class TestObjectivePages(SmsPages):
    model = Objective

    def make(self, ctx):
        obj = h.active_objective(ctx)
        services.objective_measure_months(months=3, objectives=[obj])
        return obj


class TestObjectiveMeasurementPages(SmsPages):
    model = ObjectiveMeasurement

    def make(self, ctx):
        return services.objective_measure(
            objective=h.objective(ctx), period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 11, 1)
        )


class TestSmsPlanPages(SmsPages):
    model = SmsPlan

    def make(self, ctx):
        return h.plan(ctx)


class TestPlanSectionPages(SmsPages):
    model = PlanSection

    def make(self, ctx):
        return h.plan(ctx).sections.first()


class TestCommunicationEntryPages(SmsPages):
    model = CommunicationEntry

    def make(self, ctx):
        return h.communication(ctx)
