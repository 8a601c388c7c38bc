"""Panels of the improvement register: on a nonconformity's and an opportunity's page the source record
(as a link) and a nonconformity's corrective actions; a tile on the SMS home."""

from __future__ import annotations

from typing import Any

from servitium.core import permissions
from servitium.core.panels import DETAIL, LIST, register_panel

from . import selectors
from .models import CorrectiveAction, ImprovementOpportunity, Nonconformity


def record_panel(obj: Any, user: Any) -> dict[str, Any] | None:
    if obj is None or permissions.is_customer_user(user):
        return None
    context: dict[str, Any] = {
        "object": obj,
        "source_label": obj.get_source_kind_display(),
        "source_url": obj.source_url(),
    }
    if isinstance(obj, Nonconformity):
        context["actions"] = list(permissions.restrict(obj.actions.select_related("owner"), user))
        context["can_add_action"] = obj.status not in (
            Nonconformity.Status.VERIFIED,
            Nonconformity.Status.CLOSED,
        ) and permissions.has_permission(user, permissions.ADD, CorrectiveAction)
    return context


def home_tile(obj: Any, user: Any) -> dict[str, Any] | None:
    if not permissions.has_permission(user, permissions.VIEW, Nonconformity):
        return None
    return selectors.home_figures(user)


def register() -> None:
    for record_type in (Nonconformity.object_type(), ImprovementOpportunity.object_type()):
        register_panel(record_type, "improvement/_record_panel.html", record_panel, page=DETAIL, order=10)
    register_panel("sms.home", "improvement/_sms_home_panel.html", home_tile, page=LIST, order=80)
