"""Problems escalated when needed (2018 8.6.3.c): escalation through the API and the page, logged and
mailed to the group's lead (and to top management from level 2); the check names an open priority-1
problem past its 14 days that nobody escalated."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from servitium.core import services as core_services
from servitium.core.checks import REGISTRY
from servitium.core.models import ChangeRecord
from servitium.parties.models import Team
from servitium.problems import services
from servitium.problems.models import Problem
from tests import factories
from tests.base import browser, client
from tests.problems.conftest import problem


def test_escalation_is_logged_mailed_and_judged(ctx, django_capture_on_commit_callbacks):
    lead = factories.person("Lena Lead", ctx.provider, email="lena@provider.example")
    team = core_services.record_create(
        model=Team, data={"name": "Storage", "organization": ctx.provider, "lead": lead}, actor=None
    )
    boss = factories.user("boss", ctx.provider, ["top-management"])
    boss.email = "boss@provider.example"
    boss.save()
    agent = factories.user("pa", ctx.provider, ["problem-agent"])
    made = problem(ctx, impact=1, urgency=1, assignment_group=team)
    assert made.priority == 1
    check = REGISTRY["problems.escalated_when_needed"]
    assert check.run().status == "not_applicable"  # raised today: not yet due
    Problem.objects.filter(pk=made.pk).update(created=timezone.now() - dt.timedelta(days=15))
    result = check.run()
    assert result.status == "not_met" and [g.object_id for g in result.gaps] == [made.pk]
    page = browser(agent).get(made.get_absolute_url())
    assert page.context["escalate_by"]["overdue"] and "escalation overdue" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        answer = client(agent).post(
            f"/api/v1/problems/{made.pk}/escalate/", {"note": "Needs a vendor case"}, format="json"
        )
    assert answer.status_code == 200 and answer.json()["escalation_level"] == 1
    assert [m.to for m in mail.outbox] == [["lena@provider.example"]]
    assert check.run().status == "met"
    logged = ChangeRecord.objects.filter(object_type="problems.problem", object_id=made.pk)
    assert logged.filter(message="Escalated to level 1: Needs a vendor case").exists()

    with django_capture_on_commit_callbacks(execute=True):  # from the page, level 2: top management too
        browser(agent).post(made.get_absolute_url(), {"action": "escalate", "note": ""})
    assert Problem.objects.get(pk=made.pk).escalation_level == 2
    assert sorted(mail.outbox[-1].to) == ["boss@provider.example", "lena@provider.example"]


def test_only_an_open_problem_is_escalated_and_only_by_problem_staff(ctx):
    made = problem(ctx)
    assert client(ctx.customer_a).post(f"/api/v1/problems/{made.pk}/escalate/", {}).status_code == 404
    auditor = client(ctx.auditor).post(f"/api/v1/problems/{made.pk}/escalate/", {}, format="json")
    assert auditor.status_code == 403
    services.problem_transition(actor=None, instance=made, transition="cancel")
    refused = client(ctx.admin).post(f"/api/v1/problems/{made.pk}/escalate/", {}, format="json")
    assert refused.status_code == 409 and "open" in refused.json()["detail"]
    assert Problem.objects.get(pk=made.pk).escalation_level == 0
