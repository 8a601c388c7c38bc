"""Resources and competence kept as the checks expect, for tests of other areas (the well-run provider)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from servitium.catalog.models import Service
from servitium.competence.models import (
    Competence,
    CompetenceArea,
    CompetenceRequirement,
    PersonCompetence,
    ResourceBudget,
    TrainingRecord,
)
from servitium.core import services as core_services


def _make(model, **data):
    return core_services.record_create(model=model, data=data, actor=None)


def well_kept_competence(*, provider: Any) -> None:
    """A budget for every live service this year; each provider person's job title (if any) has a
    requirement they meet, with dated evidence and evaluated training."""
    today = dt.date.today()
    for service in Service.objects.filter(status="live"):
        if not ResourceBudget.objects.filter(service=service, year=today.year).exists():
            _make(ResourceBudget, service=service, year=today.year, budget=1000)
    area = _make(CompetenceArea, name="Service management (well kept)")
    competence = _make(Competence, area=area, name="Running the service")
    titles = set(provider.people.exclude(job_title="").values_list("job_title", flat=True))
    for title in titles:
        _make(CompetenceRequirement, job_title=title, competence=competence, required_level=2)
    for team in provider.teams.filter(members__isnull=False).distinct():
        _make(CompetenceRequirement, team=team, competence=competence, required_level=2)
    staff = provider.people.exclude(job_title="") | provider.people.filter(teams__isnull=False)
    for person in staff.distinct():
        _make(
            PersonCompetence,
            person=person,
            competence=competence,
            level=3,
            assessed_on=today,
            evidence="Seen",
        )
        _make(
            TrainingRecord,
            person=person,
            competence=competence,
            course="Induction",
            date=today - dt.timedelta(days=10),
            result="passed",
            effectiveness="Checked on the job.",
        )
