"""Reads of the improvement register: what other apps ask (open findings of a check), the SMS home tile and
the management review inputs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from servitium.core import permissions

from .models import CorrectiveAction, ImprovementOpportunity, Nonconformity

NC, ACTION, OFI = Nonconformity.Status, CorrectiveAction.Status, ImprovementOpportunity.Status
OFI_OPEN = (OFI.PROPOSED, OFI.APPROVED, OFI.IN_PROGRESS)


def open_check_findings(*, lock: bool = False) -> dict[tuple[str, str], Nonconformity]:
    """Not-closed nonconformities a check opened, by (requirement key, check id); `lock` holds their rows
    while an assessment decides about them."""
    rows = Nonconformity.objects.exclude(status=NC.CLOSED).exclude(check_id="")
    if lock:
        rows = rows.select_for_update()
    return {(nc.requirement, nc.check_id): nc for nc in rows}


def overdue_actions(today: dt.date | None = None):
    today = today or timezone.localdate()
    return CorrectiveAction.objects.filter(status__in=CorrectiveAction.OPEN, due_date__lt=today)


def home_figures(user: Any) -> dict[str, Any]:
    """The SMS home tile: open nonconformities (major ones apart), overdue actions, opportunities waiting."""
    ncs = permissions.restrict(Nonconformity.objects.all(), user)
    counts = ncs.exclude(status=NC.CLOSED).aggregate(
        open=Count("pk"), major=Count("pk", filter=Q(grade=Nonconformity.Grade.MAJOR))
    )
    actions = permissions.restrict(overdue_actions(), user)
    ofis = permissions.restrict(ImprovementOpportunity.objects.all(), user)
    return {
        **counts,
        "overdue_actions": actions.count(),
        "awaiting_decision": ofis.filter(status=OFI.PROPOSED).count(),
        "awaiting_evaluation": ofis.filter(status=OFI.IMPLEMENTED).count(),
    }


def _in_period(field: str, start: dt.date, end: dt.date) -> Q:
    return Q(**{f"{field}__date__gte": start, f"{field}__date__lte": end})


def nonconformities_review(start: dt.date, end: dt.date, user: Any) -> dict[str, Any]:
    """Review input: nonconformities raised and closed in the period, by source and grade; those still
    open by status; corrective actions overdue."""
    ncs = permissions.restrict(Nonconformity.objects.all(), user)
    raised = ncs.filter(_in_period("created", start, end))
    by_source = {
        row["source_kind"]: row["n"]
        for row in raised.values("source_kind").annotate(n=Count("pk")).order_by()
    }
    by_grade = {row["grade"]: row["n"] for row in raised.values("grade").annotate(n=Count("pk")).order_by()}
    still_open = ncs.exclude(status=NC.CLOSED)
    by_status = {
        row["status"]: row["n"] for row in still_open.values("status").annotate(n=Count("pk")).order_by()
    }
    overdue = permissions.restrict(overdue_actions(end), user).select_related("nonconformity", "owner")
    return {
        "raised": raised.count(),
        "closed": ncs.filter(_in_period("closed_at", start, end)).count(),
        "sources": _labelled(by_source, Nonconformity._meta.get_field("source_kind").choices),
        "grades": _labelled(by_grade, Nonconformity.Grade.choices),
        "open": still_open.count(),
        "open_by_status": _labelled(by_status, NC.choices),
        "not_effective": ncs.filter(
            effectiveness_result=Nonconformity.Result.NOT_EFFECTIVE,
            effectiveness_checked_on__gte=start,
            effectiveness_checked_on__lte=end,
        ).count(),
        "overdue_actions": list(overdue[:20]),
        "overdue_count": overdue.count(),
    }


def improvement_review(start: dt.date, end: dt.date, user: Any) -> dict[str, Any]:
    """Review input: opportunities raised in the period by source, decided, implemented and evaluated;
    those implemented but never evaluated."""
    ofis = permissions.restrict(ImprovementOpportunity.objects.all(), user)
    raised = ofis.filter(_in_period("created", start, end))
    by_source = {
        row["source_kind"]: row["n"]
        for row in raised.values("source_kind").annotate(n=Count("pk")).order_by()
    }
    by_status = {row["status"]: row["n"] for row in ofis.values("status").annotate(n=Count("pk")).order_by()}
    return {
        "raised": raised.count(),
        "sources": _labelled(by_source, ImprovementOpportunity._meta.get_field("source_kind").choices),
        "by_status": _labelled(by_status, OFI.choices),
        "implemented": ofis.filter(implemented_on__gte=start, implemented_on__lte=end).count(),
        "evaluated": ofis.filter(evaluated_on__gte=start, evaluated_on__lte=end).count(),
        "not_evaluated": list(ofis.filter(status=OFI.IMPLEMENTED).order_by("implemented_on")[:20]),
        "open": list(ofis.filter(status__in=OFI_OPEN).order_by("priority", "target_date")[:20]),
    }


def _labelled(counts: dict[Any, int], choices) -> list[tuple[str, int]]:
    """Counts in the order of the choices, with their labels, leaving out zeros."""
    return [(str(label), counts[value]) for value, label in choices if counts.get(value)]
