"""Problem management's tile on the home dashboard of its managers (core.panels, registered in
apps.ready): open problems by where they stand, and the known errors agents can use."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from servitium.core import charts, permissions
from servitium.core.panels import HOME_MANAGER, LIST, register_panel

from .models import KnownError, Problem

DONE = (Problem.Status.RESOLVED, Problem.Status.CLOSED, Problem.Status.CANCELLED)
# New problems nobody investigates yet are the ones to look at: amber; the rest are in hand.
STATUS_COLOURS = {Problem.Status.NEW: charts.WARN}


def problems_tile(_obj: Any, user: Any) -> dict[str, Any] | None:
    """Open problems per status as bars, how many are priority 1 or 2, active known errors (two queries)."""
    if not permissions.area_allows(user, "problems", permissions.ALL):
        return None
    open_ = permissions.restrict(Problem.objects.all(), user).exclude(status__in=DONE)
    by_status = {
        row["status"]: row
        for row in open_.order_by()
        .values("status")
        .annotate(n=Count("id"), urgent=Count("id", filter=Q(priority__lte=2)))
    }
    known = permissions.restrict(KnownError.objects.filter(status=KnownError.Status.ACTIVE), user).count()
    url = reverse("problems:problem_list")
    rows = [
        charts.Bar(
            str(label), by_status.get(value, {}).get("n", 0), colour=STATUS_COLOURS.get(value, charts.NEUTRAL)
        )
        for value, label in Problem.Status.choices
        if value not in DONE
    ]
    return {
        "open": sum(r.value for r in rows),
        "urgent": sum(row["urgent"] for row in by_status.values()),
        "known_errors": known,
        "chart": charts.bars(rows, title=_("Open problems by status")),
        "url": url,
        "known_url": reverse("problems:knownerror_list") + "?status=active",
    }


def register() -> None:
    register_panel(HOME_MANAGER, "problems/_home_problems.html", problems_tile, page=LIST, order=30)
