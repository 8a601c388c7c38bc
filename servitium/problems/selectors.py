"""Reads of problem management that need thought: recurrence after resolution and the effectiveness of
problem resolution (2011 8.2: monitored, reviewed and reported; 2018 8.6.3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from servitium.incidents.models import Incident

from .models import Problem

DEFAULT_WINDOW_DAYS = 30


def _same_fault(problem: Problem) -> Q | None:
    """Incidents that look like the problem's: same service and category, or same configuration item."""
    match = Q()
    if problem.service_id and problem.category:
        match |= Q(service_id=problem.service_id, category=problem.category)
    if problem.affected_ci_name:
        match |= Q(affected_ci_name__iexact=problem.affected_ci_name)
    return match or None


def recurrence(problem: Problem, *, days: int | None = None) -> QuerySet[Incident]:
    """Incidents like the problem's raised after it was resolved (within `days` days when given). A problem
    that is not resolved, or names neither a service and category nor a configuration item, has none."""
    match = _same_fault(problem)
    if problem.resolved_at is None or match is None:
        return Incident.objects.none()
    incidents = Incident.objects.filter(match, kind=Incident.Kind.INCIDENT, created__gt=problem.resolved_at)
    if days is not None:
        incidents = incidents.filter(created__lte=problem.resolved_at + dt.timedelta(days=days))
    return incidents


def _recurred_within(days: int) -> Exists:
    """Per problem (as a subquery): did an incident like it come in within `days` days of its resolution?"""
    window_end = ExpressionWrapper(
        OuterRef("resolved_at") + dt.timedelta(days=days), output_field=DateTimeField()
    )
    same_service = Q(service_id=OuterRef("service_id"), category=OuterRef("category")) & ~Q(category="")
    same_ci = Q(ci=Lower(OuterRef("affected_ci_name"))) & ~Q(ci="")
    return Exists(
        Incident.objects.annotate(ci=Lower("affected_ci_name")).filter(
            same_service | same_ci,
            kind=Incident.Kind.INCIDENT,
            created__gt=OuterRef("resolved_at"),
            created__lte=window_end,
        )
    )


def effectiveness(
    since: dt.date | None = None,
    until: dt.date | None = None,
    *,
    days: int = DEFAULT_WINDOW_DAYS,
    problems: QuerySet[Problem] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Of the problems resolved in the period, how many saw their incidents come back within `days` days.

    `problems` is the reader's restricted queryset. Totals are one aggregate query; the recurring problems
    one more. Problems resolved less than `days` days ago are counted, and also reported as still in their
    window (their figure may yet change).
    """
    now = now or timezone.now()
    resolved = (problems if problems is not None else Problem.objects.all()).filter(resolved_at__isnull=False)
    if since:
        resolved = resolved.filter(resolved_at__date__gte=since)
    if until:
        resolved = resolved.filter(resolved_at__date__lte=until)
    recurred = _recurred_within(days)
    totals = resolved.aggregate(
        resolved=Count("id"),
        recurred=Count("id", filter=recurred),
        in_window=Count("id", filter=Q(resolved_at__gt=now - dt.timedelta(days=days))),
    )
    recurring = list(
        resolved.filter(recurred).order_by("resolved_at", "id").values("id", "reference", "title")
    )
    count, recurred = totals["resolved"], totals["recurred"]
    return {
        "since": since,
        "until": until,
        "window_days": days,
        "resolved": count,
        "recurred": recurred,
        "without_recurrence": count - recurred,
        "effectiveness": round((count - recurred) / count, 3) if count else None,
        "still_in_window": totals["in_window"],
        "recurring_problems": recurring,
    }
