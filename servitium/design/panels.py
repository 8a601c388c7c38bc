"""What design and transition shows on other apps' pages (registered in apps.ready): the projects of a
change (the one it opened, and those whose transition it is part of) and those of a service."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from servitium.core.panels import register_panel

from . import lifecycle as L
from . import selectors


def change_projects(obj: Any, user: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    projects = selectors.projects_of(user, pk__in=_ids(Q(change=obj) | Q(changes=obj)))
    if not projects and not getattr(obj, "routed_to_design", False):
        return None
    return {"projects": projects, "routed": obj.routed_to_design, "passed": L.PASSED_ACCEPTANCE}


def service_projects(obj: Any, user: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    projects = selectors.projects_of(user, service=obj)
    return {"projects": projects, "passed": L.PASSED_ACCEPTANCE} if projects else None


def _ids(condition: Q):
    from .models import DesignProject

    return DesignProject.objects.filter(condition).values("pk")


def register() -> None:
    register_panel("changes.change", "design/_projects_panel.html", change_projects, order=15)
    register_panel("catalog.service", "design/_projects_panel.html", service_projects, order=60)
