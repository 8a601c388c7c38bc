"""Reads of problem management that need thought: recurrence after resolution and the effectiveness of
problem resolution (2011 8.2: monitored, reviewed and reported; 2018 8.6.3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils import timezone

from servitium.incidents.models import Incident

from .models import Problem

DEFAULT_WINDOW_DAYS = 30


def _same_fault(problem: Problem) -> Q | None:
    """Incidents that look like the problem's: linked to it, naming its configuration item, or on its
    service and category without naming a different configuration item (another CI is another fault)."""
    match = Q(pk__in=Problem.incidents.through.objects.filter(problem_id=problem.pk).values("incident_id"))
    ci = problem.affected_ci_name.strip().lower()
    if problem.service_id and problem.category:
        same_service = Q(service_id=problem.service_id, category=problem.category)
        if ci:
            same_service &= Q(affected_ci_name="") | Q(affected_ci_name__iexact=ci)
        match |= same_service
    if ci:
        match |= Q(affected_ci_name__iexact=ci)
    return match


def _attributed_elsewhere(problem_id: Any) -> Q:
    """Incidents linked to another problem: people said they are another fault."""
    links = Problem.incidents.through.objects.exclude(problem_id=problem_id)
    return Q(pk__in=links.values("incident_id"))


def recurrence(problem: Problem, *, days: int | None = None) -> QuerySet[Incident]:
    """Incidents like the problem's (see `_same_fault`) raised after it was resolved (within `days` days when
    given), leaving out those attributed to another problem. An open problem has none."""
    if problem.resolved_at is None:
        return Incident.objects.none()
    incidents = Incident.objects.filter(
        _same_fault(problem), kind=Incident.Kind.INCIDENT, created__gt=problem.resolved_at
    ).exclude(_attributed_elsewhere(problem.pk))
    if days is not None:
        incidents = incidents.filter(created__lte=problem.resolved_at + dt.timedelta(days=days))
    return incidents


def _recurred_within(days: int) -> Exists:
    """Per problem (as a subquery): did an incident like it (`_same_fault`) come in within `days` days of its
    resolution, not attributed to another problem?"""
    window_end = ExpressionWrapper(
        OuterRef("resolved_at") + dt.timedelta(days=days), output_field=DateTimeField()
    )
    links = Problem.incidents.through.objects.filter(incident_id=OuterRef("pk"))
    linked_here = Exists(links.filter(problem_id=OuterRef(OuterRef("pk"))))
    linked_elsewhere = Exists(links.exclude(problem_id=OuterRef(OuterRef("pk"))))
    problem_ci = Lower(OuterRef("affected_ci_name"))
    problem_names_no_ci = Q(Exact(OuterRef("affected_ci_name"), Value("")))
    same_service = (
        Q(service_id=OuterRef("service_id"), category=OuterRef("category"))
        & ~Q(category="")
        & (Q(ci="") | problem_names_no_ci | Q(ci=problem_ci))
    )
    same_ci = Q(ci=problem_ci) & ~Q(ci="")
    return Exists(
        Incident.objects.annotate(ci=Lower("affected_ci_name"))
        .filter(
            linked_here | same_service | same_ci,
            kind=Incident.Kind.INCIDENT,
            created__gt=OuterRef("resolved_at"),
            created__lte=window_end,
        )
        .exclude(linked_elsewhere)
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


# A problem of priority 1 or 2 still open this many days after it was raised needs management's attention:
# it is escalated (2018 8.6.3.c). Lower priorities are escalated by judgement, not by the calendar.
ESCALATE_AFTER_DAYS = {1: 14, 2: 30}


def escalation_due(problem: Problem, today: dt.date | None = None) -> dict[str, Any]:
    """When an open problem should be escalated by (None when its priority sets no deadline), and whether
    that day has passed without an escalation."""
    days = ESCALATE_AFTER_DAYS.get(problem.priority)
    if days is None or not problem.is_open:
        return {"due": None, "overdue": False}
    due = timezone.localtime(problem.created).date() + dt.timedelta(days=days)
    today = today or timezone.localdate()
    return {"due": due, "overdue": due < today and not problem.escalation_level}
