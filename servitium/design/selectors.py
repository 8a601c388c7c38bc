"""Reads of service design and transition: what the project page shows and what the change and service
pages show of their projects, all through the permission path."""

from __future__ import annotations

from typing import Any

from servitium.core import permissions

from . import lifecycle as L
from .models import DesignProject, ExpectedOutcome, HandoverItem, ServiceAcceptanceCriterion


def project_page(project: DesignProject, user: Any, *, can_change: bool) -> dict[str, Any]:
    """The project's criteria (with their results), expected and achieved outcomes, handover items, the
    releases and changes of its transition, and what blocks its next stage."""
    criteria = list(permissions.restrict(ServiceAcceptanceCriterion.objects.filter(project=project), user))
    outcomes = list(permissions.restrict(ExpectedOutcome.objects.filter(project=project), user))
    items = list(
        permissions.restrict(HandoverItem.objects.filter(project=project), user).select_related(
            "ci", "contract", "agreement", "document"
        )
    )
    releases = permissions.restrict(project.releases.all(), user).order_by("-id")
    changes = permissions.restrict(project.changes.all(), user).order_by("-id")
    add = can_change and project.status not in L.ENDED
    return {
        "criteria": criteria,
        "criteria_open": sum(1 for c in criteria if not c.result),
        "outcomes": outcomes,
        "handover_items": items,
        "transition_releases": list(releases),
        "transition_changes": list(changes),
        "blocked": L.next_step_blocked(project),
        "can_add_children": add
        and permissions.has_permission(user, permissions.ADD, ServiceAcceptanceCriterion),
        "takes_handover": project.kind in (DesignProject.Kind.REMOVAL, DesignProject.Kind.TRANSFER),
    }


def projects_of(user: Any, **lookup: Any) -> list[DesignProject]:
    """Design and transition projects matching `lookup` the user may read, newest first."""
    if not permissions.has_permission(user, permissions.VIEW, DesignProject):
        return []
    found = permissions.restrict(DesignProject.objects.filter(**lookup), user)
    return list(found.order_by("-id")[:10])
