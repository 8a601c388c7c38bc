"""What problem and known-error records show, who may write which field, and how their lists filter.

Both are the provider's own: customer users see neither. Priority, reference, dates and the number of
reopenings are the system's to set (in no Access); the status changes only by transitions.
"""

from __future__ import annotations

from servitium.core.declaration import Access, Indexed, Resource

from .lifecycle import KNOWN_ERROR_WORKFLOW, PROBLEM_WORKFLOW
from .models import KnownError, Problem

# What problem staff write on a problem, in the order of its form.
PROBLEM_WRITES = (
    "title",
    "description",
    "origin",
    "service",
    "category",
    "affected_ci_name",
    "impact",
    "urgency",
    "owner",
    "assignment_group",
    "root_cause",
    "workaround",
    "resolution",
    "change_reference",
)


class ProblemResource(Resource):
    model = Problem
    area = "problems"  # the problem-manager / problem-agent roles govern problems
    status = "status"
    workflow = PROBLEM_WORKFLOW
    fields = (
        "reference",
        "title",
        "description",
        "service",
        "category",
        "affected_ci_name",
        "impact",
        "urgency",
        "priority",
        "origin",
        "status",
        "owner",
        "assignment_group",
        "incidents",
        "root_cause",
        "workaround",
        "resolution",
        "change_reference",
        "known_errors",
        "resolved_at",
        "closed_at",
        "reopen_count",
        "escalation_level",
        "escalated_at",
    )
    computed = ("known_errors",)  # the known errors recorded from the problem (the API lists their ids)
    # The incidents a problem accounts for are named when it is raised; afterwards they change only by
    # linking and unlinking (link-incidents / unlink-incidents, the detail page), each logged on its own.
    staff = Access(create=(*PROBLEM_WRITES, "incidents"), update=PROBLEM_WRITES)
    filters = (
        "status",
        "priority",
        "escalation_level",
        "service",
        "category",
        "origin",
        "owner",
        "assignment_group",
        "incidents",
        "affected_ci_name",
        "reference",
    )
    list_filters = ("status", "priority", "origin")
    search = ("reference", "title", "description", "root_cause", "affected_ci_name")
    orderings = ("created", "updated", "priority", "status", "reference", "title", "origin", "resolved_at")
    ordering = ("-created",)
    columns = ("reference", "title", "priority", "status", "origin", "service", "created")
    indexed = Indexed(title="title", body=("description", "root_cause", "workaround"))


class KnownErrorResource(Resource):
    """Provider-internal; problem roles govern known errors, and people who may view incidents read them
    too, because incident handling must reach them (2011 8.1 / 2018 8.6.1)."""

    model = KnownError
    area = "problems"
    readable_by = ("incidents",)
    status = "status"
    workflow = KNOWN_ERROR_WORKFLOW
    fields = (
        "reference",
        "problem",
        "title",
        "symptoms",
        "root_cause",
        "workaround",
        "service",
        "category",
        "source",
        "status",
    )
    staff = Access(
        create=("title", "symptoms", "root_cause", "workaround", "service", "category", "problem", "source")
    )
    filters = ("status", "service", "category", "problem", "reference")
    list_filters = ("status", "service")
    search = ("reference", "title", "symptoms", "workaround")
    orderings = ("created", "updated", "status", "reference", "title")
    ordering = ("-created",)
    columns = ("reference", "title", "status", "service", "problem", "created")
    indexed = Indexed(title="title", body=("symptoms", "workaround", "root_cause"))
