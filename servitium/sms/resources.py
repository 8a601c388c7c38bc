"""What the management-system records show, who may write which field, and how their lists filter.

All of them belong to the `sms` area: the SMS manager and agents write them, top management and auditors
read them, customers see none. Values the process works out itself are never input: who authored and
approved a scope, an objective's progress and latest value (from its measurements), a measurement's
target and verdict, review dates of the plan (stamped by reviewing it).
"""

from __future__ import annotations

from servitium.core.declaration import Access, Resource

from .lifecycle import CONTEXT_WORKFLOW, OBJECTIVE_WORKFLOW, SCOPE_WORKFLOW, SECTION_WORKFLOW
from .models import (
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

ISSUE_INPUT = ("title", "origin", "category", "description", "effect", "owner", "last_reviewed")


class ContextIssueResource(Resource):
    model = ContextIssue
    area = "sms"
    status = "status"
    workflow = CONTEXT_WORKFLOW
    fields = ("reference", *ISSUE_INPUT, "status", "review_overdue")
    computed = ("review_overdue",)
    staff = Access(create=ISSUE_INPUT)
    filters = ("origin", "category", "status", "owner")
    list_filters = ("origin", "category", "status")
    search = ("title", "description", "reference")
    orderings = ("reference", "title", "origin", "category", "last_reviewed", "status")
    ordering = ("reference",)
    columns = ("reference", "title", "origin", "last_reviewed", "status")


class StakeholderResource(Resource):
    model = Stakeholder
    area = "sms"
    fields = ("name", "party_type", "organization", "interest", "active")
    staff = Access(create=fields)
    filters = ("party_type", "organization", "active")
    list_filters = ("party_type", "active")
    search = ("name", "interest")
    orderings = ("name", "party_type")
    columns = ("name", "party_type", "organization", "active")


class PartyRequirementResource(Resource):
    model = PartyRequirement
    area = "sms"
    fields = ("party", "description", "source", "source_detail", "stated_by", "relevant", "how_addressed")
    staff = Access(create=fields)
    filters = ("party", "source", "relevant", "stated_by")
    list_filters = ("source", "relevant")
    search = ("description", "source_detail", "how_addressed")
    orderings = ("party", "source", "relevant")
    columns = ("party", "description", "source", "relevant")


SCOPE_INPUT = (
    "version",
    "text",
    "services",
    "locations",
    "organizations",
    "exclusions",
    "other_party_processes",
)


class ScopeStatementResource(Resource):
    model = ScopeStatement
    area = "sms"
    status = "status"
    workflow = SCOPE_WORKFLOW
    fields = ("reference", *SCOPE_INPUT, "status", "author", "approved_by", "approved_on", "effective_from")
    staff = Access(create=SCOPE_INPUT)
    filters = ("status", "services", "version")
    list_filters = ("status",)
    search = ("text", "version", "reference")
    orderings = ("reference", "version", "status", "approved_on", "effective_from")
    ordering = ("-created",)
    columns = ("reference", "version", "status", "approved_on", "effective_from")


class CommitmentResource(Resource):
    model = Commitment
    area = "sms"
    fields = ("reference", "area", "made_by", "description", "made_on", "evidence", "evidence_link")
    staff = Access(create=fields[1:])
    filters = ("area", "made_by")
    list_filters = ("area",)
    search = ("description", "evidence", "reference")
    orderings = ("made_on", "area", "reference")
    ordering = ("-made_on",)
    columns = ("reference", "area", "made_by", "made_on")


class ProcessRoleResource(Resource):
    model = ProcessRole
    area = "sms"
    fields = ("process", "activity", "raci", "person", "team", "authority")
    staff = Access(create=fields)
    filters = ("process", "raci", "person", "team", "activity")
    list_filters = ("process", "raci")
    search = ("activity", "authority")
    orderings = ("process", "activity", "raci")
    columns = ("process", "activity", "raci", "person", "team")


PROCESS_WRITES = (
    "process",
    "owner",
    "purpose",
    "procedure",
    "performance_criteria",
    "records_kept",
    "plan_version",
    "review_interval_months",
    "last_reviewed",
)


class ProcessDefinitionResource(Resource):
    model = ProcessDefinition
    area = "sms"
    fields = (*PROCESS_WRITES, "next_review")
    staff = Access(create=PROCESS_WRITES, update=PROCESS_WRITES[1:], required=("process", "owner"))
    filters = ("process", "owner", "procedure", "plan_version", "next_review")
    list_filters = ("process",)
    search = ("purpose", "performance_criteria", "records_kept")
    orderings = ("process", "next_review", "last_reviewed")
    columns = ("process", "owner", "procedure", "plan_version", "next_review")


class SmsSettingsResource(Resource):
    model = SmsSettings
    area = "sms"
    fields = (
        "management_representative",
        "appointed_by",
        "appointed_on",
        "duties",
        "reports_to_top_management",
    )
    staff = Access(create=fields)
    filters = ("management_representative",)
    columns = ("management_representative", "appointed_by", "appointed_on")


OBJECTIVE_INPUT = (
    "title",
    "description",
    "policy_basis",
    "indicator",
    "comparator",
    "target_value",
    "unit",
    "tolerance",
    "owner",
    "due_date",
    "services",
    "requirements",
    "actions",
    "resources",
    "evaluation",
    "action_reference",
)


class ObjectiveResource(Resource):
    model = Objective
    area = "sms"
    status = "status"
    workflow = OBJECTIVE_WORKFLOW
    fields = (
        "reference",
        *OBJECTIVE_INPUT,
        "status",
        "tracking",
        "latest_value",
        "last_reviewed",
        "target_display",
        "off_track_without_action",
    )
    computed = ("target_display", "off_track_without_action")
    staff = Access(create=OBJECTIVE_INPUT)
    filters = ("status", "tracking", "owner", "indicator", "services")
    list_filters = ("status", "tracking")
    search = ("title", "description", "reference")
    orderings = ("reference", "title", "due_date", "status", "tracking")
    ordering = ("reference",)
    columns = ("reference", "title", "owner", "due_date", "status", "tracking")


class ObjectiveMeasurementResource(Resource):
    model = ObjectiveMeasurement
    area = "sms"
    fields = ("objective", "period_start", "period_end", "value", "target_value", "tracking", "note")
    # A measurement may be entered by hand (a survey outside Servitium); target and verdict follow from
    # the objective.
    staff = Access(
        create=("objective", "period_start", "period_end", "value", "note"), update=("value", "note")
    )
    filters = ("objective", "tracking", "period_start")
    list_filters = ("tracking",)
    orderings = ("period_start", "objective")
    columns = ("objective", "period_start", "value", "tracking")


class SmsPlanResource(Resource):
    model = SmsPlan
    area = "sms"
    fields = (
        "title",
        "version",
        "owner",
        "review_interval_months",
        "last_reviewed",
        "next_review",
        "review_overdue",
    )
    computed = ("review_overdue",)
    staff = Access(create=("title", "version", "owner", "review_interval_months"))
    filters = ("owner",)
    search = ("title",)
    orderings = ("title", "next_review")
    columns = ("title", "version", "owner", "next_review")


class PlanSectionResource(Resource):
    model = PlanSection
    area = "sms"
    status = "status"
    workflow = SECTION_WORKFLOW
    fields = ("plan", "item", "owner", "text", "status", "last_reviewed")
    staff = Access(create=("plan", "item", "owner", "text"), update=("owner", "text"))
    filters = ("plan", "item", "status", "owner")
    list_filters = ("status", "item")
    search = ("text",)
    orderings = ("item", "status", "last_reviewed")
    columns = ("item", "owner", "status", "last_reviewed")


COMMUNICATION_INPUT = (
    "subject",
    "timing",
    "audience",
    "direction",
    "communicator",
    "communicator_team",
    "channel",
    "parties",
    "last_done",
)


class CommunicationEntryResource(Resource):
    model = CommunicationEntry
    area = "sms"
    fields = COMMUNICATION_INPUT
    staff = Access(create=COMMUNICATION_INPUT)
    filters = ("direction", "channel", "communicator", "communicator_team", "parties")
    list_filters = ("direction", "channel")
    search = ("subject", "audience", "timing")
    orderings = ("subject", "direction", "channel", "last_done")
    columns = ("subject", "timing", "audience", "channel")
