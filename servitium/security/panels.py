"""What information security contributes to other pages: the tile on the assurance home page, the
security panel on a security incident's page and on a change's page, and the management review input
(registered in apps.ready)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from servitium.core import permissions
from servitium.core.panels import LIST, register_panel
from servitium.core.reviewinputs import register_review_input

from . import selectors
from .models import SecurityControl, SecurityImpactAssessment, SecurityIncidentLink


def assurance_tile(obj: Any, user: Any) -> dict[str, Any] | None:
    if not permissions.has_permission(user, permissions.VIEW, SecurityControl):
        return None
    return selectors.figures(user)


def incident_panel(incident: Any, user: Any) -> dict[str, Any] | None:
    """Controls and risks of a security incident, and its review (only on security incidents)."""
    if incident is None or not incident.is_security:
        return None
    if not permissions.has_permission(user, permissions.VIEW, SecurityIncidentLink):
        return None
    link = (
        permissions.restrict(SecurityIncidentLink.objects.filter(incident=incident), user)
        .select_related("reviewed_by")
        .first()
    )
    return {
        "incident": incident,
        "link": link,
        "controls": list(link.controls.order_by("identifier")) if link else [],
        "risks": list(link.risks.order_by("reference")) if link else [],
        "can_add": permissions.has_permission(user, permissions.ADD, SecurityIncidentLink),
    }


def change_panel(change: Any, user: Any) -> dict[str, Any] | None:
    """The change's security impact assessment, or that it still needs one."""
    if change is None or not permissions.has_permission(user, permissions.VIEW, SecurityImpactAssessment):
        return None
    assessment = (
        permissions.restrict(SecurityImpactAssessment.objects.filter(change=change), user)
        .select_related("assessor")
        .first()
    )
    from .services import ASSESSED_CATEGORIES

    return {
        "change": change,
        "assessment": assessment,
        "required": change.category in ASSESSED_CATEGORIES and selectors.change_assessment_required(),
        "can_add": permissions.has_permission(user, permissions.ADD, SecurityImpactAssessment),
    }


def review_input(start: dt.date, end: dt.date, user: Any) -> dict[str, Any] | None:
    if not permissions.has_permission(user, permissions.VIEW, SecurityControl):
        return None
    return selectors.figures(user, start, end)


def register() -> None:
    register_panel("assurance.home", "security/_assurance_tile.html", assurance_tile, page=LIST, order=50)
    register_panel("incidents.incident", "security/_incident_panel.html", incident_panel, order=40)
    register_panel("changes.change", "security/_change_panel.html", change_panel, order=40)
    register_review_input(
        "security",
        _("Information security"),
        review_input,
        topics=("risks", "service_performance"),
        template="security/_review_input.html",
        order=75,
    )
