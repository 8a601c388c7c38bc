"""What the improvement register shows, who writes which field, and how its lists filter.

The register is the provider's own (customers see none of it); the SMS roles run it, and the conformity
and internal-audit roles read it, because their findings land here. Nonconformities and opportunities are
evidence: closed or rejected, never deleted. The source record and the requirement are fixed once an
entry is raised (the raising service names them); people write the rest, and the status moves only by
transitions."""

from __future__ import annotations

from servitium.core.declaration import ADD, CHANGE, VIEW, Access, Indexed, Resource

from .lifecycle import ACTION_WORKFLOW, NONCONFORMITY_WORKFLOW, OPPORTUNITY_WORKFLOW
from .models import CorrectiveAction, ImprovementOpportunity, Nonconformity

AREA = "sms"
READERS = ("conformity", "audits")
SOURCE_FIELDS = ("source_kind", "source_reference", "source_object_type", "source_id", "source_url")

NONCONFORMITY_UPDATES = (
    "grade",
    "description",
    "correction",
    "root_cause",
    "owner",
    "due_date",
    "effectiveness_method",
    "effectiveness_due",
)


class NonconformityResource(Resource):
    model = Nonconformity
    area = AREA
    readable_by = READERS
    staff_actions = {VIEW, ADD, CHANGE}
    status = "status"
    workflow = NONCONFORMITY_WORKFLOW
    fields = (
        "reference",
        *SOURCE_FIELDS,
        "grade",
        "requirement",
        "check_id",
        "status",
        "description",
        "correction",
        "root_cause",
        "owner",
        "due_date",
        "actions",
        "effectiveness_method",
        "effectiveness_due",
        "effectiveness_result",
        "effectiveness_checked_by",
        "effectiveness_checked_on",
        "last_seen_in",
        "closed_at",
    )
    computed = ("source_object_type", "source_url", "actions")
    staff = Access(
        create=("source_kind", "source_reference", "requirement", *NONCONFORMITY_UPDATES),
        update=NONCONFORMITY_UPDATES,
    )
    filters = ("status", "grade", "source_kind", "requirement", "check_id", "owner", "reference")
    list_filters = ("status", "grade", "source_kind")
    search = ("reference", "description", "requirement", "check_id", "source_reference")
    orderings = ("reference", "status", "grade", "due_date", "created")
    ordering = ("-created",)
    columns = ("reference", "description", "grade", "source_kind", "status", "owner", "due_date")
    indexed = Indexed(title="", body=("description", "requirement", "correction"))


class CorrectiveActionResource(Resource):
    model = CorrectiveAction
    area = AREA
    readable_by = READERS
    staff_actions = {VIEW, ADD, CHANGE}
    status = "status"
    workflow = ACTION_WORKFLOW
    fields = ("nonconformity", "description", "owner", "due_date", "status", "done_on", "changes_sms")
    staff = Access(
        create=("nonconformity", "description", "owner", "due_date", "changes_sms"),
        update=("description", "owner", "due_date", "changes_sms"),
        required=("nonconformity", "description", "owner", "due_date"),
    )
    filters = ("nonconformity", "status", "owner", "due_date", "changes_sms")
    list_filters = ("status",)
    search = ("description",)
    orderings = ("due_date", "status", "created")
    ordering = ("due_date",)
    columns = ("nonconformity", "description", "owner", "due_date", "status")


OPPORTUNITY_UPDATES = (
    "description",
    "benefit",
    "priority",
    "owner",
    "target",
    "target_date",
    "service",
    "customer",
    "decision_note",
    "evaluation",
    "changes_sms",
)


class ImprovementOpportunityResource(Resource):
    model = ImprovementOpportunity
    area = AREA
    readable_by = (*READERS, "relationships")
    staff_actions = {VIEW, ADD, CHANGE}
    status = "status"
    workflow = OPPORTUNITY_WORKFLOW
    fields = (
        "reference",
        *SOURCE_FIELDS,
        "description",
        "benefit",
        "priority",
        "owner",
        "target",
        "target_date",
        "service",
        "customer",
        "status",
        "decision_note",
        "implemented_on",
        "evaluation",
        "evaluated_on",
        "changes_sms",
    )
    computed = ("source_object_type", "source_url")
    staff = Access(
        create=("source_kind", "source_reference", *OPPORTUNITY_UPDATES),
        update=OPPORTUNITY_UPDATES,
    )
    filters = (
        "status",
        "priority",
        "source_kind",
        "owner",
        "service",
        "customer",
        "reference",
        "changes_sms",
    )
    list_filters = ("status", "priority", "source_kind")
    search = ("reference", "description", "benefit", "source_reference")
    orderings = ("reference", "status", "priority", "target_date", "created")
    ordering = ("-created",)
    columns = ("reference", "description", "priority", "source_kind", "status", "owner", "target_date")
    indexed = Indexed(title="", body=("description", "benefit"))
