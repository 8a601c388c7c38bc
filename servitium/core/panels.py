"""Panels one app contributes to another app's pages, so that the lower app never imports the higher one.

A CI's page shows the changes that touch it, an incident's page the problems it is linked to, the
incident queue the releases about to be deployed: the changes, problems and releases apps register those
panels here, and the generic pages render whatever is registered for their record type.

    register_panel("incidents.incident", "problems/_incident_panel.html", problems_of_incident, order=20)

The context function gets the record (or None on a list page) and the requesting user, reads through the
one permission path, and returns the template's context, or None to show nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DETAIL, LIST = "detail", "list"
ANY = "*"  # a panel for the pages of every record type (e.g. "which requirements name this record")
# The home page's dashboards, one per kind of reader (the site picks them by role): apps register their tiles
# on them as on a list page: `register_panel(HOME_AGENT, "incidents/_home_queue.html", queue, page=LIST)`.
HOME_AGENT, HOME_MANAGER, HOME_MANAGEMENT = (
    "home.agent",
    "home.manager",
    "home.management",
)


@dataclass(frozen=True)
class Panel:
    record_type: str  # "app_label.model"
    template: str
    context: Callable[[Any, Any], dict[str, Any] | None]
    page: str = DETAIL
    order: int = 100


_PANELS: list[Panel] = []


def register_panel(
    record_type: str,
    template: str,
    context: Callable[[Any, Any], dict[str, Any] | None],
    *,
    page: str = DETAIL,
    order: int = 100,
) -> None:
    """Show `template` on the detail (or list) page of `record_type`, with `context(obj, user)`."""
    if any(p.record_type == record_type and p.template == template and p.page == page for p in _PANELS):
        return  # registered once, even if the registering module is imported again
    _PANELS.append(Panel(record_type, template, context, page, order))


def panels(record_type: str, obj: Any, user: Any, page: str = DETAIL) -> list[dict[str, Any]]:
    """The registered panels of a page with their contexts, in order; panels with nothing to show left out."""
    shown = []
    for panel in sorted(_PANELS, key=lambda p: (p.order, p.template)):
        if panel.record_type not in (record_type, ANY) or panel.page != page:
            continue
        context = panel.context(obj, user)
        if context is not None:
            shown.append({"template": panel.template, "context": context})
    return shown
