"""What service reporting contributes to other pages: its tile on the assurance home page and its input
to the management review (registered in apps.ready)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from servitium.core import permissions
from servitium.core.panels import LIST, register_panel
from servitium.core.reviewinputs import register_review_input

from . import selectors
from .models import ReportDefinition, ServiceReport


def assurance_tile(obj: Any, user: Any) -> dict[str, Any] | None:
    """Active report definitions, reports issued this month, definitions with a missed period, open and
    overdue actions on reports."""
    if not permissions.has_permission(user, permissions.VIEW, ReportDefinition):
        return None
    return selectors.tile(user)


def review_input(start: dt.date, end: dt.date, user: Any) -> dict[str, Any] | None:
    if user is not None and not permissions.has_permission(user, permissions.VIEW, ServiceReport):
        return None
    return selectors.review_figures(start, end, user)


def register() -> None:
    register_panel("assurance.home", "reporting/_assurance_tile.html", assurance_tile, page=LIST, order=10)
    register_review_input(
        "reporting",
        _("Service reports"),
        review_input,
        topics=("service_performance",),
        template="reporting/_review_input.html",
        order=25,
    )
