"""What risk management contributes to other pages: the SMS home tile, the review input, and the risks of a
service, CI, supplier or change on that record's page (registered in apps.ready)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from servitium.core import permissions
from servitium.core.panels import LIST, register_panel
from servitium.core.reviewinputs import register_review_input

from . import selectors
from .models import Risk


def sms_home(obj: Any, user: Any) -> dict[str, Any] | None:
    """The SMS home tile: open risks, how many are beyond the appetite without treatment, overdue reviews."""
    if not permissions.has_permission(user, permissions.VIEW, Risk):
        return None
    visible = permissions.restrict(Risk.objects.all(), user)
    matrix = selectors.active_matrix()
    open_ = visible.exclude(status=Risk.Status.CLOSED)
    figures = open_.aggregate(
        open=Count("id"),
        beyond=Count("id", filter=Q(score__gt=matrix.appetite, kind=Risk.Kind.RISK)),
        opportunities=Count("id", filter=Q(kind=Risk.Kind.OPPORTUNITY)),
    )
    return {
        **figures,
        "untreated": selectors.above_appetite_untreated(open_, matrix).count(),
        "overdue": selectors.overdue_reviews(visible).count(),
    }


def risks_of_record(field: str):
    def context(obj: Any, user: Any) -> dict[str, Any] | None:
        if obj is None or not permissions.has_permission(user, permissions.VIEW, Risk):
            return None
        risks = list(permissions.restrict(Risk.objects.filter(**{field: obj}), user).order_by("-score")[:20])
        return {"risks": risks} if risks else None

    return context


def review_input(start: dt.date, end: dt.date, user: Any) -> dict[str, Any] | None:
    if not permissions.has_permission(user, permissions.VIEW, Risk):
        return None
    return selectors.review_figures(start, end, user)


def register() -> None:
    register_panel("sms.home", "risks/_sms_home_panel.html", sms_home, page=LIST, order=40)
    for record_type, field in (
        ("catalog.service", "services"),
        ("cmdb.configurationitem", "cis"),
        ("suppliers.supplier", "suppliers"),
        ("changes.change", "changes"),
    ):
        register_panel(record_type, "risks/_record_risks.html", risks_of_record(field), order=60)
    register_review_input(
        "risks",
        _("Risks and opportunities"),
        review_input,
        topics=("risks",),
        template="risks/_review_input.html",
        order=70,
    )
