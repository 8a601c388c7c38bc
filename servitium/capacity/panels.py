"""What capacity management contributes to other pages (registered in apps.ready): the tile on the
assurance home page, the capacity of a service on its page, the capacity section of the service report
and the input on the adequacy of resources to the management review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from servitium.core import permissions
from servitium.core.panels import LIST, register_panel
from servitium.core.reportsections import ReportScope, register_report_section
from servitium.core.reviewinputs import register_review_input
from servitium.finance import selectors as finance_selectors
from servitium.finance.models import Budget
from servitium.finance.selectors import Period

from . import selectors
from .models import CapacityMetric, CapacityPlan

# The slot on the plan page under the financial lines (capacity.views shows what is registered there).
FINANCIAL_SLOT = "capacity.plan.financial"


def assurance_home(obj: Any, user: Any) -> dict[str, Any] | None:
    if not permissions.has_permission(user, permissions.VIEW, CapacityPlan):
        return None
    return selectors.tile(user)


def service_capacity(obj: Any, user: Any) -> dict[str, Any] | None:
    if obj is None or not permissions.has_permission(user, permissions.VIEW, CapacityPlan):
        return None
    plans = list(
        permissions.restrict(CapacityPlan.objects.filter(service=obj), user).order_by("-period_start")[:3]
    )
    metrics = list(selectors.service_metrics(obj, user)[:10])
    return {"plans": plans, "metrics": metrics}


def financial_resources(plan: Any, user: Any) -> dict[str, Any] | None:
    """The service's budget and actual cost over the plan's period (finance), under the plan's financial
    lines — for those who may read budgets."""
    if plan is None or not permissions.has_permission(user, permissions.VIEW, Budget):
        return None
    period = Period(plan.period_start, plan.period_end + dt.timedelta(days=1))
    return finance_selectors.financial_resources(plan.service_id, period)


def report_section(scope: ReportScope) -> dict[str, Any] | None:
    return selectors.report_figures(scope.customer_id, scope.service_ids, scope.start, scope.end)


def review_input(start: dt.date, end: dt.date, user: Any) -> dict[str, Any] | None:
    if not permissions.has_permission(user, permissions.VIEW, CapacityMetric):
        return None
    return selectors.review_figures(start, end, user)


def register() -> None:
    register_panel("assurance.home", "capacity/_assurance_tile.html", assurance_home, page=LIST, order=30)
    register_panel("catalog.service", "capacity/_service_capacity.html", service_capacity, order=70)
    register_panel(FINANCIAL_SLOT, "capacity/_financial_resources.html", financial_resources)
    register_report_section(
        "capacity",
        _("Capacity"),
        report_section,
        items=("capacity",),
        template="capacity/_report_section.html",
        order=50,
    )
    register_review_input(
        "capacity",
        _("Capacity and demand"),
        review_input,
        topics=("resources",),
        template="capacity/_review_input.html",
        order=80,
    )
