"""Change management's tile on the home dashboard of its managers (core.panels, registered in apps.ready):
the changes waiting for a decision, what is being implemented and what failed lately."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from servitium.core import permissions
from servitium.core.panels import HOME_MANAGER, LIST, register_panel

from .models import Change

WAITING_ROWS = 5
FAILED = (Change.Status.FAILED, Change.Status.BACKED_OUT)


def approvals_tile(_obj: Any, user: Any) -> dict[str, Any] | None:
    """Changes submitted for approval (those planned to start first on top), changes being implemented,
    changes that failed or were backed out in the last 30 days (two queries)."""
    if not permissions.area_allows(user, "changes", permissions.ALL):
        return None
    changes = permissions.restrict(Change.objects.all(), user)
    since = timezone.now() - dt.timedelta(days=30)
    figures = changes.aggregate(
        waiting=Count("id", filter=Q(status=Change.Status.SUBMITTED)),
        implementing=Count("id", filter=Q(status=Change.Status.IMPLEMENTING)),
        failed=Count("id", filter=Q(status__in=FAILED, updated__gte=since)),
    )
    waiting = changes.filter(status=Change.Status.SUBMITTED).order_by(
        F("planned_start").asc(nulls_last=True), "created", "id"
    )[:WAITING_ROWS]
    url = reverse("changes:change_list")
    return {
        **figures,
        "rows": list(waiting),
        "urls": {
            "waiting": f"{url}?status=submitted",
            "implementing": f"{url}?status=implementing",
            "failed": f"{url}?status=failed",
        },
    }


def register() -> None:
    register_panel(HOME_MANAGER, "changes/_home_approvals.html", approvals_tile, page=LIST, order=20)
