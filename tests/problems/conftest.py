"""Fixtures of the problem tests: a service with a customer, staff with problem and incident roles, and
builders for incidents (optionally resolved and back-dated) and problems."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from servitium.incidents import services as incident_services
from servitium.incidents.models import Incident
from servitium.problems import services
from tests import factories


@pytest.fixture
def staff(ctx):
    return SimpleNamespace(
        manager=factories.user("pm", ctx.provider, ["problem-manager", "incident-agent"]),
        agent=factories.user("pa", ctx.provider, ["problem-agent"]),
        incident_agent=factories.user("ia", ctx.provider, ["incident-agent"]),
        owner=factories.person("Olga Owner", ctx.provider),
        service=factories.service("Hosted Mail", customers=[ctx.org_a]),
    )


def incident(ctx, service=None, *, created=None, resolved: str = "", **extra) -> Incident:
    """An incident for ctx.org_a; `resolved` resolves it with these notes; `created` back-dates it."""
    ticket = incident_services.incident_create(
        actor=None, data={"customer": ctx.org_a, "title": "Mail stuck", "service": service, **extra}
    )
    if resolved:
        ticket = incident_services.incident_transition(
            actor=None,
            instance=ticket,
            transition="resolve",
            data={"resolution_code": "fixed", "resolution_notes": resolved},
        )
    if created is not None:
        Incident.objects.filter(pk=ticket.pk).update(created=created)
        ticket.refresh_from_db()
    return ticket


def problem(ctx, **data):
    return services.problem_create(actor=None, data={"title": "Mail queues up", **data})


def days_ago(n: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=n)
