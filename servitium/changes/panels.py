"""What change management shows on other processes' pages (registered in apps.ready)."""

from __future__ import annotations

from typing import Any

from servitium.cmdb import control
from servitium.core import permissions
from servitium.core.panels import register_panel

from .models import Change

CI_CHANGES_SHOWN = 10


def changes_of_ci(ci: Any, user: Any) -> dict[str, Any] | None:
    """On a CI: whether it is under change control, the latest changes that name it, and a way to raise one
    (for those who may read changes: the declaration keeps them to the provider's staff)."""
    if not permissions.has_permission(user, permissions.VIEW, Change):
        return None
    named = permissions.restrict(Change.objects.filter(affected_cis=ci), user).order_by("-created", "-id")
    return {
        "ci": ci,
        "changes": list(named[:CI_CHANGES_SHOWN]),
        "more": named.count() > CI_CHANGES_SHOWN,
        "under_change_control": control.under_change_control(ci),
        "can_raise": permissions.has_permission(user, permissions.ADD, Change),
    }


def register() -> None:
    register_panel("cmdb.configurationitem", "changes/_ci_changes.html", changes_of_ci, order=30)
