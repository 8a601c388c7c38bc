"""What exit and transfer shows on other pages (registered in apps.ready): a customer organization's exit
plans and data exports on its page."""

from __future__ import annotations

from typing import Any

from servitium.core import permissions
from servitium.core.panels import register_panel

from .models import DataExport, ExitPlan


def organization_exits(obj: Any, user: Any) -> dict[str, Any] | None:
    if (
        obj is None
        or obj.kind != "customer"
        or not permissions.has_permission(user, permissions.VIEW, ExitPlan)
    ):
        return None
    plans = list(permissions.restrict(ExitPlan.objects.filter(customer=obj), user).order_by("-created")[:5])
    exports = list(
        permissions.restrict(DataExport.objects.filter(customer=obj), user).order_by("-created")[:5]
    )
    can_add = permissions.has_permission(user, permissions.ADD, ExitPlan)
    if not plans and not exports and not can_add:
        return None
    return {"plans": plans, "exports": exports, "can_add": can_add, "customer": obj}


def register() -> None:
    register_panel("parties.organization", "exits/_organization_exits.html", organization_exits, order=90)
