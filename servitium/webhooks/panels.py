"""The subscription page's own panel: the delivery log, the test button and, for administrators, the
secret."""

from __future__ import annotations

from typing import Any

from servitium.core import permissions
from servitium.core.panels import register_panel

from . import selectors


def subscription_panel(obj: Any, user: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    may_change = permissions.can(user, permissions.CHANGE, obj)
    return {
        "subscription": obj,
        "deliveries": selectors.recent_deliveries(obj, 20),
        "may_change": may_change,
        "secret": obj.secret if may_change else "",
    }


def register() -> None:
    register_panel("webhooks.webhooksubscription", "webhooks/_subscription_panel.html", subscription_panel)
