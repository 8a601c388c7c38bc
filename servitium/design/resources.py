"""What service requirements, design and transition projects, their acceptance criteria, expected outcomes
and handover items show, who may write which field, and how their lists filter. All belong to the area
`design` (design managers and agents write them; every provider user reads them, as change managers,
release managers and service owners work from them). A customer reads the requirements of its own
organization, nothing else here. Statuses change only through transitions; who approved a stage, signed
off acceptance and when the transition completed are worked out by the services."""

from __future__ import annotations

from servitium.core.declaration import VIEW, Access, Resource

from .lifecycle import PROJECT_WORKFLOW, REQUIREMENT_WORKFLOW
from .models import (
    DesignProject,
    ExpectedOutcome,
    HandoverItem,
    ServiceAcceptanceCriterion,
    ServiceRequirement,
)

AREA = "design"

REQUIREMENT_WRITES = (
    "service",
    "customer",
    "kind",
    "statement",
    "source",
    "source_person",
    "source_document",
    "raised_on",
    "agreed_by",
    "agreed_on",
    "change",
)


class ServiceRequirementResource(Resource):
    model = ServiceRequirement
    area = AREA
    tenant = "customer"
    customer_actions = {VIEW}
    status = "status"
    workflow = REQUIREMENT_WORKFLOW
    fields = (
        "reference",
        *REQUIREMENT_WRITES[:8],
        "status",
        "agreed_by",
        "agreed_on",
        "change",
        "revision",
        "revised_on",
    )
    staff = Access(create=REQUIREMENT_WRITES)
    filters = ("service", "customer", "kind", "status", "reference", "change")
    list_filters = ("status", "kind", "service", "customer")
    search = ("reference", "statement", "source", "service__name")
    orderings = ("reference", "service", "kind", "status", "raised_on", "agreed_on")
    ordering = ("service", "kind", "id")
    columns = ("reference", "service", "customer", "kind", "statement", "status")


PLANNING = (
    "authorities",
    "party_activities",
    "communication",
    "resources_human",
    "resources_technical",
    "resources_information",
    "resources_financial",
    "budget",
    "planned_start",
    "planned_end",
    "milestones",
    "risks",
    "dependencies",
    "depends_on",
    "testing",
    "impacts_financial",
    "impacts_organisational",
    "impacts_technical",
    "impacts_sms",
    "plan_agreed_by",
    "plan_agreed_on",
)
DESIGN = (
    "delivery_responsibilities",
    "delivery_activities",
    "staffing",
    "financial_needs",
    "technology",
    "plans_and_policies",
    "agreements_notes",
    "contracts",
    "agreements",
    "sms_changes",
    "catalogue_updates",
    "procedures",
    "effect_on_services",
    "capacity_notes",
    "availability_notes",
    "continuity_notes",
    "security_notes",
    "capacity_plan",
    "availability_plan",
    "continuity_plan",
    "security_controls",
)
LATER = (
    "test_results",
    "tested_on",
    "deploy_decision",
    "decision_by",
    "decision_reason",
    "releases",
    "changes",
    "transition_report",
    "reviewed_at",
    "review_conclusions",
    "reported_to",
)
PROJECT_WRITES = (
    "title",
    "kind",
    "service",
    "change",
    "requirements",
    "customers",
    "owner",
    *PLANNING,
    *DESIGN,
    *LATER,
)


class DesignProjectResource(Resource):
    model = DesignProject
    area = AREA
    status = "status"
    workflow = PROJECT_WORKFLOW
    fields = (
        "reference",
        "title",
        "kind",
        "status",
        "service",
        "change",
        "requirements",
        "customers",
        "owner",
        "author",
        *PLANNING,
        "planning_approved_by",
        "planning_approved_at",
        *DESIGN,
        "design_approved_by",
        "design_approved_at",
        *LATER[:5],
        "accepted_by",
        "accepted_at",
        *LATER[5:8],
        "transitioned_at",
        *LATER[8:],
        "closed_at",
    )
    staff = Access(create=PROJECT_WRITES)
    filters = (
        "kind",
        "status",
        "service",
        "change",
        "owner",
        "customers",
        "requirements",
        "releases",
        "reference",
    )
    list_filters = ("status", "kind", "service", "owner")
    search = ("reference", "title", "service__name")
    orderings = ("reference", "title", "kind", "status", "planned_start", "planned_end")
    ordering = ("-created",)
    columns = ("reference", "title", "kind", "service", "status", "planned_end")


CRITERION_WRITES = ("project", "criterion", "result", "evidence", "evaluated_on")


class ServiceAcceptanceCriterionResource(Resource):
    model = ServiceAcceptanceCriterion
    area = AREA
    fields = CRITERION_WRITES
    staff = Access(create=CRITERION_WRITES, update=CRITERION_WRITES[1:])
    filters = ("project", "result")
    list_filters = ("result",)
    search = ("criterion", "evidence", "project__reference")
    orderings = ("project", "result", "evaluated_on")
    ordering = ("project", "id")
    columns = ("project", "criterion", "result", "evaluated_on")


OUTCOME_WRITES = ("project", "measure", "target", "achieved", "met")


class ExpectedOutcomeResource(Resource):
    model = ExpectedOutcome
    area = AREA
    fields = OUTCOME_WRITES
    staff = Access(create=OUTCOME_WRITES, update=OUTCOME_WRITES[1:])
    filters = ("project", "met")
    list_filters = ("met",)
    search = ("measure", "target", "project__reference")
    orderings = ("project", "measure", "met")
    ordering = ("project", "id")
    columns = ("project", "measure", "target", "achieved", "met")


HANDOVER_WRITES = (
    "project",
    "kind",
    "description",
    "ci",
    "contract",
    "agreement",
    "document",
    "action",
    "target_date",
    "done_at",
    "note",
)


class HandoverItemResource(Resource):
    model = HandoverItem
    area = AREA
    fields = HANDOVER_WRITES
    staff = Access(create=HANDOVER_WRITES, update=HANDOVER_WRITES[1:])
    filters = ("project", "kind", "action", "ci", "contract", "agreement")
    list_filters = ("kind", "action")
    search = ("description", "note", "project__reference")
    orderings = ("project", "kind", "action", "target_date", "done_at")
    ordering = ("project", "target_date", "id")
    columns = ("project", "kind", "description", "action", "target_date", "done_at")
