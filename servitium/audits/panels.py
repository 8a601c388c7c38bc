"""Panels of internal audit: on an audit's page its checklist, findings and the report (the steps that take
input are forms of the generic detail page); on a programme's page the progress of its items with the
suggested frequency; a tile on the SMS home."""

from __future__ import annotations

from typing import Any

from servitium.core import permissions
from servitium.core.panels import DETAIL, LIST, register_panel

from . import selectors
from .models import Audit, AuditProgramme, Finding


def audit_panel(audit: Audit, user: Any) -> dict[str, Any] | None:
    if audit is None or permissions.is_customer_user(user):
        return None
    can_change = permissions.can(user, permissions.CHANGE, audit)
    return {
        "audit": audit,
        "checklist": list(audit.checklist.select_related("requirement__framework")[:500]),
        "findings": list(audit.findings.select_related("nonconformity", "opportunity")),
        "running": audit.status == Audit.Status.IN_PROGRESS and can_change,
        "can_add_finding": audit.status == Audit.Status.IN_PROGRESS
        and permissions.has_permission(user, permissions.ADD, Finding),
    }


def programme_panel(programme: AuditProgramme, user: Any) -> dict[str, Any] | None:
    if programme is None or permissions.is_customer_user(user):
        return None
    rows = selectors.item_progress(programme)
    for row in rows:
        row["frequency"] = selectors.suggested_frequency(row["item"])
    return {"programme": programme, "rows": rows}


def home_tile(obj: Any, user: Any) -> dict[str, Any] | None:
    if not permissions.has_permission(user, permissions.VIEW, Audit):
        return None
    return selectors.home_figures(user)


def register() -> None:
    register_panel(Audit.object_type(), "audits/_audit_panel.html", audit_panel, page=DETAIL, order=10)
    register_panel(
        AuditProgramme.object_type(), "audits/_programme_panel.html", programme_panel, page=DETAIL, order=10
    )
    register_panel("sms.home", "audits/_sms_home_panel.html", home_tile, page=LIST, order=70)
