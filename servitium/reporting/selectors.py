"""Reads of service reporting: reports and definitions as a user may see them, the frozen PDF, which
scheduled reports are missing, and the figures of the assurance tile and the review input. Every read
that reaches a user goes through `restrict()` (the user None is the system)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core.models import Attachment

from .models import ReportAction, ReportDefinition, ServiceReport


def _restrict(queryset: QuerySet, user: Any) -> QuerySet:
    return queryset if user is None else permissions.restrict(queryset, user)


def frozen_attachment(report: ServiceReport, user: Any) -> Attachment | None:
    """The PDF stored when the report was generated, if the reader may see it."""
    if not report.pdf_sha256:
        return None
    found = _restrict(Attachment.objects.all(), user).filter(
        target_type=ContentType.objects.get_for_model(ServiceReport),
        object_id=report.pk,
        sha256=report.pdf_sha256,
    )
    return found.order_by("-id").first()


def reports(user: Any) -> QuerySet[ServiceReport]:
    return _restrict(ServiceReport.objects.select_related("definition", "customer"), user)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def expected_periods(definition: ReportDefinition, today: dt.date, *, months: int = 12) -> list[dt.date]:
    """The period starts a scheduled definition should have an issued report for: every complete month
    (or quarter) of the last `months` months since the definition was agreed."""
    if definition.frequency == ReportDefinition.Frequency.ON_DEMAND:
        return []
    step = 3 if definition.frequency == ReportDefinition.Frequency.QUARTERLY else 1
    this = today.replace(day=1)
    if step == 3:
        this = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    agreed = timezone.localdate(definition.created) if definition.created else today
    oldest = add_months(today.replace(day=1), -months)
    periods = []
    start = add_months(this, -step)
    while start >= oldest:
        if start >= agreed:  # a definition agreed mid-period owes reports from its first full period
            periods.append(start)
        start = add_months(start, -step)
    return sorted(periods)


def missed_periods(definition: ReportDefinition, today: dt.date | None = None) -> list[dt.date]:
    """Expected periods with no issued report."""
    today = today or timezone.localdate()
    expected = expected_periods(definition, today)
    if not expected:
        return []
    issued = set(
        ServiceReport.objects.filter(
            definition=definition, status=ServiceReport.Status.ISSUED, period_start__in=expected
        ).values_list("period_start", flat=True)
    )
    return [p for p in expected if p not in issued]


def content_items(report: ServiceReport) -> list[dict[str, Any]]:
    """What the report holds of each content item, in words: figures, nothing in the period, or nothing
    behind it (no section of the definition covers it); the items the standard requires first."""
    from servitium.core.reportsections import ITEMS

    from .document import EMPTY, FIGURES, REQUIRED_ITEMS

    words = {FIGURES: _("figures"), EMPTY: _("nothing in the period")}
    held = report.content_items or {}
    keys = [*REQUIRED_ITEMS, *(k for k in ITEMS if k not in REQUIRED_ITEMS and k in held)]
    return [
        {
            "label": ITEMS.get(key, key),
            "state": held.get(key, "none"),
            "words": words.get(held.get(key), _("not covered")),
            "required": key in REQUIRED_ITEMS,
        }
        for key in keys
    ]


def open_actions(user: Any) -> QuerySet[ReportAction]:
    return _restrict(ReportAction.objects.filter(status__in=ReportAction.OPEN_STATES), user)


def tile(user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    definitions = list(_restrict(ReportDefinition.objects.filter(active=True), user))
    late = [(d, missed_periods(d, today)) for d in definitions]
    actions = open_actions(user)
    return {
        "definitions": len(definitions),
        "issued_this_month": reports(user)
        .filter(status=ServiceReport.Status.ISSUED, issued_at__date__gte=today.replace(day=1))
        .count(),
        "missed": [(d, periods) for d, periods in late if periods],
        "open_actions": actions.count(),
        "overdue_actions": actions.filter(due_date__lt=today).count(),
    }


def review_figures(start: dt.date, end: dt.date, user: Any) -> dict[str, Any]:
    """For the management review: reports issued in the period per definition, schedules missed, and the
    decisions and actions taken on reports (open, overdue, done)."""
    today = timezone.localdate()
    issued = reports(user).filter(
        status=ServiceReport.Status.ISSUED, issued_at__date__gte=start, issued_at__date__lte=end
    )
    per_definition = (
        issued.order_by().values("definition__reference", "definition__title").annotate(n=Count("id"))
    ).order_by("definition__reference")
    actions = _restrict(ReportAction.objects.select_related("report", "owner"), user)
    definitions = _restrict(ReportDefinition.objects.filter(active=True), user)
    return {
        "issued": issued.count(),
        "per_definition": list(per_definition),
        "missed": [
            {"definition": str(d), "months": [p.strftime("%Y-%m") for p in missed]}
            for d in definitions
            if (missed := missed_periods(d, today))
        ],
        "actions_open": actions.filter(status__in=ReportAction.OPEN_STATES).count(),
        "actions_overdue": list(
            actions.filter(status__in=ReportAction.OPEN_STATES, due_date__lt=today).order_by("due_date")[:20]
        ),
        "actions_done": actions.filter(
            status=ReportAction.Status.DONE, completed_on__gte=start, completed_on__lte=end
        ).count(),
        "decisions": actions.filter(kind=ReportAction.Kind.DECISION)
        .filter(Q(created__date__gte=start) & Q(created__date__lte=end))
        .count(),
    }
