"""Risk management's tile on the home dashboards of top management, auditors and SMS managers
(core.panels, registered in apps.ready): the highest open risks, coloured by their band."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from servitium.core import permissions
from servitium.core.panels import HOME_MANAGEMENT, HOME_MANAGER, LIST, register_panel

from . import selectors
from .models import Risk

TOP = 5


def top_risks(user: Any) -> dict[str, Any]:
    """The open risks (not opportunities) with the highest scores, how many lie beyond the appetite and
    how many of those have no treatment yet (three queries: the matrix, the counts, the list)."""
    matrix = selectors.active_matrix()
    risks = permissions.restrict(Risk.objects.all(), user).filter(kind=Risk.Kind.RISK)
    open_ = risks.exclude(status=Risk.Status.CLOSED)
    untreated = (Risk.Status.IDENTIFIED, Risk.Status.ASSESSED)
    beyond = Q(score__gt=matrix.appetite)
    counts = open_.aggregate(
        open=Count("id"),
        beyond=Count("id", filter=beyond),
        untreated=Count("id", filter=beyond & Q(status__in=untreated)),
    )
    rows = list(open_.filter(score__isnull=False).order_by("-score", "reference")[:TOP])
    for risk in rows:
        band = matrix.band_for(risk.score) or {}
        risk.band_label, risk.band_colour = band.get("label", ""), band.get("colour", "secondary")
    return {**counts, "rows": rows, "appetite": matrix.appetite}


def management_tile(_obj: Any, user: Any) -> dict[str, Any] | None:
    if not permissions.has_permission(user, permissions.VIEW, Risk):
        return None
    url = reverse("risks:risk_list")
    return {
        **top_risks(user),
        "url": f"{url}?open=true&kind=risk",
        "untreated_url": f"{url}?open=true&ordering=-score",
        "heat_map_url": reverse("risks:heat_map"),
    }


def manager_tile(obj: Any, user: Any) -> dict[str, Any] | None:
    if not permissions.area_allows(user, "sms", permissions.ALL):
        return None
    return management_tile(obj, user)


def register() -> None:
    template = "risks/_home_top_risks.html"
    register_panel(HOME_MANAGEMENT, template, management_tile, page=LIST, order=30)
    register_panel(HOME_MANAGER, template, manager_tile, page=LIST, order=80)
