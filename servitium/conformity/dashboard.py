"""Conformity's tile on the home dashboards of top management, auditors and conformity managers
(core.panels, registered in apps.ready): the share of requirements met per assessment run."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from servitium.core import permissions
from servitium.core.panels import HOME_MANAGEMENT, HOME_MANAGER, LIST, register_panel

from . import selectors
from .models import Assessment

EDITION = "iso20000-1:2018"
TREND_RUNS = 12


def trend(user: Any) -> dict[str, Any]:
    """The last runs (one query: each run carries its own summary), the newest run's counts."""
    runs = list(
        permissions.restrict(Assessment.objects.all(), user)
        .only("id", "reference", "started_at", "summary")
        .order_by("-started_at", "-id")[:TREND_RUNS]
    )
    latest = next((run for run in runs if run.summary.get("frameworks", {}).get(EDITION)), None)
    counts = latest.summary["frameworks"][EDITION] if latest else {}
    applicable = sum(v for k, v in counts.items() if k != "not_applicable")
    return {
        "chart": selectors.met_trend_chart(list(reversed(runs)), EDITION),
        "latest": latest,
        "met": round(100 * counts.get("met", 0) / applicable) if applicable else None,
        "not_met": counts.get("not_met", 0),
        "partly_met": counts.get("partly_met", 0),
        "no_evidence": counts.get("no_evidence", 0),
    }


def management_tile(_obj: Any, user: Any) -> dict[str, Any] | None:
    if not permissions.has_permission(user, permissions.VIEW, Assessment):
        return None
    found = trend(user)
    url = reverse("conformity:assessment_detail", args=[found["latest"].pk]) if found["latest"] else ""
    return {**found, "url": url, "dashboard_url": reverse("conformity:dashboard")}


def manager_tile(obj: Any, user: Any) -> dict[str, Any] | None:
    if not permissions.area_allows(user, "conformity", permissions.ALL):
        return None
    return management_tile(obj, user)


def register() -> None:
    template = "conformity/_home_trend.html"
    register_panel(HOME_MANAGEMENT, template, management_tile, page=LIST, order=10)
    register_panel(HOME_MANAGER, template, manager_tile, page=LIST, order=60)
