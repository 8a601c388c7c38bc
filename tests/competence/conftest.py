"""Fixtures of the competence tests: SMS staff, a small team with roles, and a competence catalogue."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from servitium.competence.models import (
    Competence,
    CompetenceArea,
    CompetenceRequirement,
    PersonCompetence,
    TrainingRecord,
)
from servitium.core import services as core_services
from servitium.parties.models import Team
from tests import factories


def create(model, **data):
    return core_services.record_create(model=model, data=data, actor=None)


@pytest.fixture
def staff(ctx):
    team = create(Team, name="Platform", organization=ctx.provider)
    ana = factories.person("Ana Admin", ctx.provider, job_title="DBA")
    ben = factories.person("Ben Builder", ctx.provider, job_title="Engineer")
    team.members.set([ana, ben])
    area = create(CompetenceArea, name="Technical")
    return SimpleNamespace(
        manager=factories.user("cmp_m", ctx.provider, ["sms-manager"]),
        agent=factories.user("cmp_a", ctx.provider, ["sms-agent"]),
        team=team,
        ana=ana,
        ben=ben,
        area=area,
        sql=create(Competence, area=area, name="SQL"),
        linux=create(Competence, area=area, name="Linux"),
        service=factories.service("Hosted Mail", customers=[ctx.org_a], owner=ana),
    )


def requirement(competence, level=2, *, job_title="", team=None):
    return create(
        CompetenceRequirement, competence=competence, required_level=level, job_title=job_title, team=team
    )


def held(person, competence, level, **extra):
    return create(PersonCompetence, person=person, competence=competence, level=level, **extra)


def training(person, competence, date, **extra):
    return create(TrainingRecord, person=person, competence=competence, course="Course", date=date, **extra)
