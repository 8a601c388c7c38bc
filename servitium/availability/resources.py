"""What the availability and continuity records show, who may write which field, and how their lists
filter. All are the provider's own records (area `availability`): availability managers and agents write
them; customers see none (their service reports carry the figures). Statuses change only through
transitions; references, authors, approvals and review flags are set by the services."""

from __future__ import annotations

from servitium.core.declaration import Access, Resource

from .lifecycle import AVAILABILITY_PLAN_WORKFLOW, CONTINUITY_PLAN_WORKFLOW
from .models import (
    AvailabilityPlan,
    AvailabilityRequirement,
    ContinuityInvocation,
    ContinuityPlan,
    ContinuityRequirement,
    ContinuityTest,
    Outage,
)

AREA = "availability"


class AvailabilityRequirementResource(Resource):
    model = AvailabilityRequirement
    area = AREA
    fields = (
        "service",
        "calendar",
        "maintenance_allowance_minutes",
        "requirement",
        "access_rights",
        "response_times",
        "notes",
    )
    staff = Access(
        create=(
            "service",
            "calendar",
            "maintenance_allowance_minutes",
            "requirement",
            "access_rights",
            "response_times",
            "notes",
        ),
        update=(
            "calendar",
            "maintenance_allowance_minutes",
            "requirement",
            "access_rights",
            "response_times",
            "notes",
        ),
    )
    filters = ("service", "calendar")
    list_filters = ("calendar",)
    search = ("service__name", "requirement")
    orderings = ("service",)
    ordering = ("service__name",)
    columns = ("service", "calendar", "maintenance_allowance_minutes")


OUTAGE_WRITES = ("service", "start", "end", "kind", "cause", "incident", "change", "investigated")


class OutageResource(Resource):
    model = Outage
    area = AREA
    fields = (
        "reference",
        "service",
        "start",
        "end",
        "kind",
        "source",
        "cause",
        "incident",
        "change",
        "event",
        "investigated",
    )
    staff = Access(create=OUTAGE_WRITES, update=("start", "end", "kind", "cause", "investigated"))
    filters = {
        "service": ["exact"],
        "kind": ["exact"],
        "source": ["exact"],
        "incident": ["exact"],
        "change": ["exact"],
        "event": ["exact"],
        "investigated": ["exact"],
        "reference": ["exact"],
        "start": ["gte", "lt"],
    }
    list_filters = ("service", "kind", "source", "investigated")
    search = ("reference", "cause")
    orderings = ("start", "reference", "service", "kind")
    ordering = ("-start", "-id")
    columns = ("reference", "service", "start", "end", "kind", "source")


AVAILABILITY_PLAN_WRITES = (
    "title",
    "service",
    "requirements_and_targets",
    "measures",
    "risks",
    "review_interval_days",
    "change",
)


class AvailabilityPlanResource(Resource):
    model = AvailabilityPlan
    area = AREA
    status = "status"
    workflow = AVAILABILITY_PLAN_WORKFLOW
    fields = (
        "reference",
        *AVAILABILITY_PLAN_WRITES,
        "revision",
        "status",
        "author",
        "approved_by",
        "approved_at",
        "last_reviewed",
        "next_review_due",
    )
    staff = Access(create=AVAILABILITY_PLAN_WRITES)
    filters = ("service", "status", "reference")
    list_filters = ("status", "service")
    search = ("reference", "title")
    orderings = ("reference", "title", "status", "next_review_due")
    ordering = ("reference",)
    columns = ("reference", "title", "service", "status", "next_review_due")


CONTINUITY_REQUIREMENT_WRITES = (
    "service",
    "rto_minutes",
    "rpo_minutes",
    "priority",
    "availability_when_invoked",
    "requirement",
)


class ContinuityRequirementResource(Resource):
    model = ContinuityRequirement
    area = AREA
    fields = CONTINUITY_REQUIREMENT_WRITES
    staff = Access(create=CONTINUITY_REQUIREMENT_WRITES, update=CONTINUITY_REQUIREMENT_WRITES[1:])
    filters = ("service", "priority")
    list_filters = ("priority",)
    search = ("service__name", "requirement")
    orderings = ("priority", "service", "rto_minutes")
    ordering = ("priority", "service__name")
    columns = ("service", "priority", "rto_minutes", "rpo_minutes")


CONTINUITY_PLAN_WRITES = (
    "title",
    "services",
    "invocation_criteria",
    "invocation_steps",
    "contacts",
    "recovery_requirements",
    "return_to_normal",
    "location",
    "review_interval_days",
    "test_interval_days",
    "change",
)


class ContinuityPlanResource(Resource):
    model = ContinuityPlan
    area = AREA
    status = "status"
    workflow = CONTINUITY_PLAN_WORKFLOW
    fields = (
        "reference",
        *CONTINUITY_PLAN_WRITES,
        "revision",
        "status",
        "author",
        "approved_by",
        "approved_at",
        "last_reviewed",
        "last_tested",
        "review_requested",
        "review_reason",
        "next_review_due",
        "next_test_due",
    )
    computed = ("next_review_due", "next_test_due")
    staff = Access(create=CONTINUITY_PLAN_WRITES)
    filters = ("services", "status", "review_requested", "reference")
    list_filters = ("status", "services", "review_requested")
    search = ("reference", "title")
    orderings = ("reference", "title", "status", "last_tested")
    ordering = ("reference",)
    columns = ("reference", "title", "status", "last_tested", "review_requested")


TEST_WRITES = ("plan", "tested_on", "scenario", "result", "recovery_minutes", "findings", "actions")


class ContinuityTestResource(Resource):
    model = ContinuityTest
    area = AREA
    fields = TEST_WRITES
    staff = Access(create=TEST_WRITES, update=TEST_WRITES[1:])
    filters = ("plan", "result", "tested_on")
    list_filters = ("result", "plan")
    search = ("scenario", "findings", "plan__reference")
    orderings = ("tested_on", "result", "plan")
    ordering = ("-tested_on", "-id")
    columns = ("plan", "tested_on", "result", "recovery_minutes")


INVOCATION_WRITES = ("plan", "started_at", "ended_at", "reason", "outcome")


class ContinuityInvocationResource(Resource):
    model = ContinuityInvocation
    area = AREA
    fields = INVOCATION_WRITES
    staff = Access(create=INVOCATION_WRITES, update=INVOCATION_WRITES[1:])
    filters = ("plan",)
    list_filters = ("plan",)
    search = ("reason", "outcome", "plan__reference")
    orderings = ("started_at", "plan")
    ordering = ("-started_at", "-id")
    columns = ("plan", "started_at", "ended_at", "reason")
