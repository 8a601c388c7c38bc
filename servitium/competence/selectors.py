"""Reads of resources and competence: gaps per person and per role, the four kinds of resource behind a
service (TR 20000-17: human, technical, information, financial), the review input and the SMS home tile.
Every read that reaches a user goes through `restrict()`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.parties.models import Person

from .models import CompetenceRequirement, PersonCompetence, ResourceBudget, TrainingRecord

MET, BELOW, MISSING, EXPIRED = "met", "below", "missing", "expired"
# What each state means on the matrix: Bootstrap colours, named in the legend.
COLOURS = {MET: "success", BELOW: "warning", EXPIRED: "warning", MISSING: "danger"}
LABELS = {
    MET: _("meets the required level"),
    BELOW: _("below the required level"),
    EXPIRED: _("certificate expired"),
    MISSING: _("not held"),
}


@dataclass
class Gap:
    """One person measured against one requirement of a role they hold."""

    person: Person
    requirement: CompetenceRequirement
    held: int
    status: str
    expired_on: dt.date | None = None

    @property
    def colour(self) -> str:
        return COLOURS[self.status]

    def as_dict(self) -> dict[str, Any]:
        return {
            "person": self.person.pk,
            "person_name": self.person.name,
            "role": str(self.requirement.role),
            "requirement": self.requirement.pk,
            "competence": self.requirement.competence_id,
            "competence_name": self.requirement.competence.name,
            "required_level": self.requirement.required_level,
            "held_level": self.held,
            "status": self.status,
            "expired_on": self.expired_on,
        }


@dataclass
class RoleSummary:
    requirement: CompetenceRequirement
    people: int = 0
    meeting: int = 0
    names: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.people == 0:
            return "vacant"
        return "met" if self.meeting == self.people else ("unmet" if self.meeting == 0 else "partial")

    @property
    def colour(self) -> str:
        return {"met": "success", "partial": "warning", "unmet": "danger", "vacant": "secondary"}[self.status]

    def as_dict(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement.pk,
            "role": str(self.requirement.role),
            "competence": self.requirement.competence_id,
            "competence_name": self.requirement.competence.name,
            "required_level": self.requirement.required_level,
            "people": self.people,
            "meeting": self.meeting,
            "status": self.status,
        }


def staff_people() -> QuerySet:
    return Person.objects.filter(active=True, organization__kind="provider")


def _people_in_roles(requirements: list[CompetenceRequirement]) -> dict[int, list[Person]]:
    """The people each requirement applies to: by job title (case-insensitive) or team membership."""
    titles = {r.job_title.casefold() for r in requirements if r.job_title}
    team_ids = {r.team_id for r in requirements if r.team_id}
    staff = list(
        staff_people().filter(Q(teams__in=team_ids) | ~Q(job_title="")).distinct().prefetch_related("teams")
    )
    by_title: dict[str, list[Person]] = defaultdict(list)
    by_team: dict[int, list[Person]] = defaultdict(list)
    for person in staff:
        if person.job_title.casefold() in titles:
            by_title[person.job_title.casefold()].append(person)
        for team in person.teams.all():
            if team.pk in team_ids:
                by_team[team.pk].append(person)
    return {
        r.pk: (by_title.get(r.job_title.casefold(), []) if r.job_title else by_team.get(r.team_id, []))
        for r in requirements
    }


def _expiries(today: dt.date) -> dict[tuple[int, int], dt.date]:
    """(person, competence) -> expiry of the latest passed certificate, where that expiry has passed."""
    latest: dict[tuple[int, int], TrainingRecord] = {}
    records = TrainingRecord.objects.filter(
        competence__isnull=False, result=TrainingRecord.Result.PASSED, expires_on__isnull=False
    ).order_by("date", "id")
    for record in records:
        latest[(record.person_id, record.competence_id)] = record
    return {key: r.expires_on for key, r in latest.items() if r.expires_on < today}


def gaps(
    user: Any = None, *, today: dt.date | None = None, requirements: QuerySet | None = None
) -> tuple[list[Gap], list[RoleSummary]]:
    """Every person against every requirement of their roles, and per requirement how many meet it. An
    expired certificate counts as not holding the competence until it is renewed."""
    today = today or timezone.localdate()
    queryset = requirements if requirements is not None else CompetenceRequirement.objects.all()
    if user is not None:
        queryset = permissions.restrict(queryset, user)
    reqs = list(queryset.select_related("competence", "team"))
    held_records = PersonCompetence.objects.all()
    if user is not None:
        held_records = permissions.restrict(held_records, user)
    held = {(p, c): level for p, c, level in held_records.values_list("person_id", "competence_id", "level")}
    expired = _expiries(today)
    people = _people_in_roles(reqs)
    rows: list[Gap] = []
    summaries: list[RoleSummary] = []
    for req in reqs:
        summary = RoleSummary(req)
        for person in people[req.pk]:
            level = held.get((person.pk, req.competence_id), 0)
            lapsed = expired.get((person.pk, req.competence_id))
            if lapsed is not None:
                status = EXPIRED
            elif level >= req.required_level:
                status = MET
            else:
                status = BELOW if level else MISSING
            rows.append(Gap(person, req, level, status, lapsed))
            summary.people += 1
            summary.meeting += status == MET
            summary.names.append(person.name)
        summaries.append(summary)
    rows.sort(key=lambda g: (g.person.name, g.requirement.competence.name))
    return rows, summaries


def gap_matrix(rows: list[Gap]) -> dict[str, Any]:
    """People down, competences across; each cell the worst state of that person for that competence."""
    order = [MET, BELOW, EXPIRED, MISSING]
    competences = sorted({g.requirement.competence for g in rows}, key=lambda c: c.name)
    cells: dict[tuple[int, int], Gap] = {}
    for gap in rows:
        key = (gap.person.pk, gap.requirement.competence_id)
        if key not in cells or order.index(gap.status) > order.index(cells[key].status):
            cells[key] = gap
    people = sorted({g.person for g in rows}, key=lambda p: p.name)
    return {
        "competences": competences,
        "rows": [{"person": p, "cells": [cells.get((p.pk, c.pk)) for c in competences]} for p in people],
        "legend": [(COLOURS[s], LABELS[s]) for s in (MET, BELOW, EXPIRED, MISSING)],
    }


# --- resources per service ---------------------------------------------------------------------------


def service_resources(service: Any, user: Any, *, today: dt.date | None = None) -> dict[str, Any]:
    """The human, technical, information and financial resources behind a service, as far as the records
    show them (and the user may see them)."""
    from servitium.cmdb.models import ConfigurationItem
    from servitium.incidents.models import Incident
    from servitium.problems.models import KnownError, Problem

    today = today or timezone.localdate()
    since = today - dt.timedelta(days=365)
    incidents = permissions.restrict(Incident.objects.filter(service=service, created__date__gte=since), user)
    teams = list(
        incidents.exclude(assignment_group=None)
        .values("assignment_group__id", "assignment_group__name")
        .annotate(n=Count("id"))
        .order_by("-n")[:20]
    )
    problems = permissions.restrict(Problem.objects.filter(service=service), user)
    problem_teams = list(
        problems.exclude(assignment_group=None)
        .values_list("assignment_group__name", flat=True)
        .distinct()[:20]
    )
    cis = permissions.restrict(ConfigurationItem.objects.filter(service=service), user)
    ci_owners = sorted(set(cis.exclude(owner=None).values_list("owner__name", flat=True)))
    known_errors = permissions.restrict(KnownError.objects.filter(service=service, status="active"), user)
    budgets = permissions.restrict(ResourceBudget.objects.filter(service=service), user).order_by("-year")
    return {
        "service": service,
        "human": {
            "owner": service.owner,
            "teams": [
                {"id": t["assignment_group__id"], "name": t["assignment_group__name"], "incidents": t["n"]}
                for t in teams
            ],
            "problem_teams": list(problem_teams),
            "ci_owners": ci_owners,
        },
        "technical": {
            "cis": list(cis.select_related("ci_type").order_by("name")[:50]),
            "ci_count": cis.count(),
            "by_status": dict(cis.values_list("status").annotate(n=Count("id")).values_list("status", "n")),
            "components": list(service.components.order_by("name").values_list("name", flat=True)),
        },
        "information": {
            "known_errors": list(known_errors.order_by("-created")[:20]),
            "known_error_count": known_errors.count(),
            "open_problems": problems.exclude(status__in=Problem.ENDED).count(),
        },
        "financial": {"budgets": list(budgets[:5])},
    }


# --- review input and home tile --------------------------------------------------------------------------


def budget_figures(year: int, user: Any) -> dict[str, Any]:
    budgets = permissions.restrict(ResourceBudget.objects.filter(year=year), user)
    totals = budgets.aggregate(budget=Sum("budget"), actual=Sum("actual"), n=Count("id"))
    over = [b for b in budgets.select_related("service") if b.actual is not None and b.actual > b.budget]
    return {
        "year": year,
        "count": totals["n"],
        "budget": totals["budget"] or Decimal(0),
        "actual": totals["actual"],
        "overspent": over,
    }


def review_figures(start: dt.date, end: dt.date, user: Any) -> dict[str, Any]:
    """The review input on resources: competence gaps, roles nobody fills, expired training, budgets."""
    rows, summaries = gaps(user, today=end)
    open_gaps = [g for g in rows if g.status != MET]
    trainings = permissions.restrict(TrainingRecord.objects.all(), user)
    expired = trainings.filter(expires_on__lt=end, result=TrainingRecord.Result.PASSED)
    renewed = {
        (p, c)
        for p, c in trainings.filter(Q(expires_on__gte=end) | Q(result=TrainingRecord.Result.BOOKED))
        .exclude(competence=None)
        .values_list("person_id", "competence_id")
    }
    lapsed = [
        t
        for t in expired.select_related("person", "competence")
        if (t.person_id, t.competence_id) not in renewed
    ]
    return {
        "gap_count": len(open_gaps),
        "gaps": open_gaps[:20],
        "people_with_gaps": len({g.person.pk for g in open_gaps}),
        "unmet_roles": [s for s in summaries if s.status == "unmet"],
        "expired_training": lapsed,
        "training_in_period": trainings.filter(date__gte=start, date__lte=end)
        .exclude(result="booked")
        .count(),
        "budgets": budget_figures(end.year, user),
        "start": start,
        "end": end,
    }
