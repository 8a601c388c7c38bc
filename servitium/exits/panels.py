"""What exit and transfer shows on other pages (registered in apps.ready): a customer organization's exit
plans and data exports on its page; on a subscription that was given notice, the exit that ends it."""

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


def subscription_exit(obj: Any, user: Any) -> dict[str, Any] | None:
    """On a subscription giving notice or ended: the exit plans that end it, and what its ending waits for."""
    from .lifecycle import subscription_exit_refusal

    if obj is None or obj.status not in ("terminating", "terminated"):
        return None
    if not permissions.has_permission(user, permissions.VIEW, ExitPlan):
        return None
    plans = list(permissions.restrict(obj.exit_plans.all(), user).order_by("-created")[:5])
    waiting = subscription_exit_refusal(obj) if obj.status == "terminating" else None
    can_add = not plans and permissions.has_permission(user, permissions.ADD, ExitPlan)
    return {"plans": plans, "waiting": waiting, "can_add": can_add, "subscription": obj}


def register() -> None:
    register_panel("parties.organization", "exits/_organization_exits.html", organization_exits, order=90)
    register_panel("cloud.subscription", "exits/_subscription_exit.html", subscription_exit, order=90)
