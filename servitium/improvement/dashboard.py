"""The improvement register's tile on the home dashboards of top management, auditors and SMS managers
(core.panels, registered in apps.ready): open nonconformities and the corrective actions still to do."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from servitium.core import permissions
from servitium.core.panels import HOME_MANAGEMENT, HOME_MANAGER, LIST, register_panel

from .models import CorrectiveAction, Nonconformity

NC = Nonconformity.Status
ROWS = 5


def nonconformities(user: Any) -> dict[str, Any]:
    """Open nonconformities (major ones apart), the open and overdue corrective actions, and the open
    nonconformities to look at first: major before minor, then the one due first (three queries)."""
    today = timezone.localdate()
    open_ = permissions.restrict(Nonconformity.objects.all(), user).exclude(status=NC.CLOSED)
    counts = open_.aggregate(open=Count("pk"), major=Count("pk", filter=Q(grade=Nonconformity.Grade.MAJOR)))
    actions = permissions.restrict(CorrectiveAction.objects.all(), user).filter(
        status__in=CorrectiveAction.OPEN
    )
    action_counts = actions.aggregate(actions=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    major_first = Case(
        When(grade=Nonconformity.Grade.MAJOR, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    rows = list(open_.annotate(rank=major_first).order_by("rank", "due_date", "id")[:ROWS])
    for nc in rows:
        nc.overdue = nc.due_date is not None and nc.due_date < today
    return {**counts, **action_counts, "rows": rows}


def management_tile(_obj: Any, user: Any) -> dict[str, Any] | None:
    if not permissions.has_permission(user, permissions.VIEW, Nonconformity):
        return None
    return {
        **nonconformities(user),
        "url": reverse("improvement:nonconformity_list"),
        "actions_url": reverse("improvement:correctiveaction_list"),
    }


def manager_tile(obj: Any, user: Any) -> dict[str, Any] | None:
    if not permissions.area_allows(user, "sms", permissions.ALL):
        return None
    return management_tile(obj, user)


def register() -> None:
    template = "improvement/_home_nonconformities.html"
    register_panel(HOME_MANAGEMENT, template, management_tile, page=LIST, order=20)
    register_panel(HOME_MANAGER, template, manager_tile, page=LIST, order=70)
