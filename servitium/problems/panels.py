"""What problem management shows on other processes' pages (registered in apps.ready)."""

from __future__ import annotations

from typing import Any

from servitium.core import permissions
from servitium.core.panels import register_panel

from .models import Problem


def problems_of_incident(incident: Any, user: Any) -> dict[str, Any] | None:
    """On an incident: the problems it is linked to, and a way to raise one (provider staff only)."""
    if permissions.is_customer_user(user):
        return None
    may_raise = permissions.has_permission(user, permissions.ADD, Problem)
    problems = list(permissions.restrict(incident.problems.all(), user))
    if not problems and not may_raise:
        return None
    return {"incident": incident, "problems": problems, "can_raise_problem": may_raise}


def register() -> None:
    register_panel("incidents.incident", "problems/_incident_problems.html", problems_of_incident, order=20)
