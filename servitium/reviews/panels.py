"""What management review shows on other pages: its tile on the SMS home page (registered in apps.ready)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from servitium.core import permissions
from servitium.core.panels import LIST, register_panel

from .models import ManagementReview, ReviewAction


def sms_home_tile(obj: Any, user: Any) -> dict[str, Any] | None:
    """The last review held, the next one planned, open and overdue actions."""
    if not permissions.has_permission(user, permissions.VIEW, ManagementReview):
        return None
    reviews = permissions.restrict(ManagementReview.objects.all(), user)
    S = ManagementReview.Status
    last = reviews.filter(status__in=ManagementReview.TOOK_PLACE).order_by("-held_on", "-id").first()
    upcoming = reviews.filter(status__in=(S.PLANNED, S.PACK_PREPARED)).order_by("planned_date", "id").first()
    counts = permissions.restrict(ReviewAction.objects.all(), user).aggregate(
        open=Count("pk", filter=Q(status=ReviewAction.Status.OPEN)),
        overdue=Count("pk", filter=Q(status=ReviewAction.Status.OPEN, due_date__lt=timezone.localdate())),
    )
    return {"last": last, "next": upcoming, **counts}


def register() -> None:
    register_panel("sms.home", "reviews/_sms_home_panel.html", sms_home_tile, page=LIST, order=90)
