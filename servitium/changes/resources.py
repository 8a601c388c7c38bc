"""What change management's records show, who may write which field, and how their lists filter.

Every record here is the provider's own: customer users see none of them (no tenant, no customer actions),
which is also what keeps the schedule of change, the calendar, the CAB view and the feed to staff.
"""

from __future__ import annotations

from servitium.core.declaration import Access, Indexed, Resource

from .lifecycle import CHANGE_WORKFLOW
from .models import (
    AREA,
    BlackoutWindow,
    Change,
    ChangeAdvisoryBoard,
    ChangeApproval,
    ChangeConfigurationUpdate,
    ChangePolicy,
    StandardChangeTemplate,
)

ASSESSMENT = (
    "risk_level",
    "risk_assessment",
    "impact_assessment",
    "business_benefit",
    "technical_feasibility",
    "cost",
    "continuity_availability_impact",
    "security_impact",
    "capacity_impact",
    "implementation_plan",
    "remediation_plan",
    "test_plan",
)
# What whoever raises or works on a change writes. Its lifecycle writes the rest: the dates and outcome,
# and the inputs of its transitions (why it failed, the review, the reason to work in a blackout window),
# which are given with the transition that needs them.
CHANGE_WRITES = (
    "title",
    "description",
    "category",
    "change_type",
    "classification",
    "justification",
    "priority",
    "template",
    "requester",
    "owner",
    "implementer",
    "problem",
    "affected_cis",
    "affected_services",
    *ASSESSMENT,
    "planned_start",
    "planned_end",
    "design_reference",
    "investigation_cause",
    "investigation_actions",
)


class ChangeResource(Resource):
    model = Change
    area = AREA
    status = "status"
    workflow = CHANGE_WORKFLOW
    fields = (
        "reference",
        "title",
        "description",
        "category",
        "change_type",
        "classification",
        "justification",
        "priority",
        "status",
        "template",
        "requester",
        "owner",
        "implementer",
        "problem",
        "affected_cis",
        "affected_services",
        "affected_customers",
        *ASSESSMENT,
        "planned_start",
        "planned_end",
        "submitted_at",
        "approved_at",
        "blackout_override_reason",
        "actual_start",
        "actual_end",
        "outcome",
        "failure_reason",
        "retrospective_review_required",
        "retrospective_decision",
        "routed_to_design",
        "design_reference",
        "investigation_cause",
        "investigation_actions",
        "objectives_met",
        "unexpected_effects",
        "review_notes",
        "reviewed_at",
        "closed_at",
    )
    computed = ("affected_customers",)
    staff = Access(create=CHANGE_WRITES)
    filters = (
        "status",
        "category",
        "change_type",
        "priority",
        "outcome",
        "risk_level",
        "owner",
        "requester",
        "implementer",
        "template",
        "problem",
        "affected_cis",
        "affected_services",
        "retrospective_review_required",
        "routed_to_design",
        "reference",
    )
    list_filters = ("status", "category", "change_type", "outcome")
    search = ("reference", "title", "description")
    orderings = (
        "planned_start",
        "status",
        "reference",
        "category",
        "title",
        "priority",
        "risk_level",
        "outcome",
    )
    ordering = ("-created",)
    columns = ("reference", "title", "category", "priority", "status", "planned_start", "outcome")
    indexed = Indexed(title="title", body=("description", "justification"))


class ChangeApprovalResource(Resource):
    """One approver's decision, recorded through the change's `approvals/` by whoever the policy lets
    decide (services.change_approval_record): the approver states a decision and a comment; the change,
    the board, the time and whether it is retrospective are the service's to say. Never edited."""

    model = ChangeApproval
    area = AREA
    fields = ("change", "approver", "board", "decision", "comment", "decided_at", "retrospective")
    staff = Access(create=("decision", "comment"), update=())


class ChangePolicyResource(Resource):
    model = ChangePolicy
    area = AREA
    fields = (
        "name",
        "active",
        "description",
        "controlled_ci_types",
        "normal_authority",
        "major_authority",
        "emergency_authority",
        "cab",
        "emergency_board",
        "major_customer_threshold",
        "major_on_high_risk",
        "review_within_days",
        "emergency_procedure",
    )
    staff = Access(create=fields)
    filters = ("active", "controlled_ci_types")
    list_filters = ("active",)
    search = ("name", "description")
    orderings = ("name", "active")
    ordering = ("-active", "name")
    columns = ("name", "active", "normal_authority", "major_authority", "emergency_authority")


class ChangeAdvisoryBoardResource(Resource):
    model = ChangeAdvisoryBoard
    area = AREA
    fields = ("name", "kind", "description", "members", "quorum")
    staff = Access(create=fields)
    filters = ("kind", "members")
    list_filters = ("kind",)
    search = ("name", "description")
    orderings = ("name", "kind", "quorum")
    ordering = ("name",)
    columns = ("name", "kind", "quorum")


class StandardChangeTemplateResource(Resource):
    model = StandardChangeTemplate
    area = AREA
    fields = ("name", "description", "implementation_steps", "allowed_ci_types", "active")
    staff = Access(create=fields)
    filters = ("active", "allowed_ci_types")
    list_filters = ("active",)
    search = ("name", "description")
    orderings = ("name", "active")
    ordering = ("name",)
    columns = ("name", "active", "description")


class ChangeConfigurationUpdateResource(Resource):
    """A configuration update a change plans; `applied_at` is written when the change completes."""

    model = ChangeConfigurationUpdate
    area = AREA
    fields = ("change", "ci", "field", "attribute", "new_value", "applied_at")
    staff = Access(create=("change", "ci", "field", "attribute", "new_value"))
    filters = ("change", "ci", "field")
    list_filters = ("field",)
    search = ("attribute", "change__reference", "ci__reference")
    orderings = ("applied_at",)
    columns = ("change", "ci", "field", "attribute", "new_value", "applied_at")


class BlackoutWindowResource(Resource):
    model = BlackoutWindow
    area = AREA
    fields = ("name", "reason", "start", "end", "services", "customers")
    staff = Access(create=fields)
    filters = ("services", "customers")
    search = ("name", "reason")
    orderings = ("start", "end", "name")
    ordering = ("start",)
    columns = ("name", "start", "end", "reason")
