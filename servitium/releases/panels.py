"""What release management shows on other processes' pages (registered in apps.ready)."""

from __future__ import annotations

from typing import Any

from servitium.core import permissions
from servitium.core.panels import LIST, register_panel

from . import selectors
from .models import Release


def service_desk_notice(_obj: Any, user: Any) -> dict[str, Any] | None:
    """On the incident queue: what is being deployed this week and what just went wrong, so that agents
    connect the calls they take with it (2011 9.3 / 2018 8.5.3)."""
    if not permissions.is_provider_user(user):
        return None
    releases = permissions.restrict(Release.objects.all(), user)
    upcoming, troubled = selectors.service_desk_view(releases, days=7)
    upcoming, troubled = list(upcoming[:5]), list(troubled[:5])
    if not upcoming and not troubled:
        return None
    return {"upcoming": upcoming, "troubled": troubled}


def register() -> None:
    register_panel("incidents.incident", "releases/_desk_notice.html", service_desk_notice, page=LIST)
