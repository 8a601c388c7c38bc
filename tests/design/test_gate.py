"""The change gate: a change of major impact opens its design and transition project when submitted, and
is not implemented (HTTP 409 naming the project and what it lacks) before that project passed acceptance."""

from __future__ import annotations

from servitium.changes import services as change_services
from servitium.changes.models import Change
from servitium.design import services
from servitium.design.models import DesignProject
from tests.base import client
from tests.design.conftest import FULL_PLAN, criterion, move, outcome, requirement


def _major(chg, service):
    created = client(chg.agent).post(
        "/api/v1/changes/",
        {
            "title": "Introduce Managed Widgets",
            "category": "major",
            "change_type": "service_change",
            "affected_services": [service.pk],
            "planned_start": "2030-01-01T10:00:00Z",
            "planned_end": "2030-01-01T12:00:00Z",
            "risk_assessment": "Medium.",
            "impact_assessment": "New service.",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    return Change.objects.get(pk=created.json()["id"])


def _approve(chg, change):
    for member in (chg.alice, chg.bob):
        change_services.change_approval_record(actor=member, change=change, decision="approve")
    change.refresh_from_db()
    assert change.status == "approved"


def test_a_major_change_opens_its_project_on_submit(ctx, staff, chg):
    change = _major(chg, staff.service)
    submitted = client(chg.agent).post(
        f"/api/v1/changes/{change.pk}/transitions/", {"transition": "submit"}, format="json"
    )
    assert submitted.status_code == 200
    project = DesignProject.objects.get(change=change)
    assert submitted.json()["design_reference"] == project.reference
    assert project.kind == "new" and project.service == staff.service and project.status == "planning"
    # submitted again after a revision, it keeps the same project
    services.open_for_major_change(Change.objects.get(pk=change.pk), None)
    assert DesignProject.objects.filter(change=change).count() == 1


def test_a_major_change_is_implemented_only_after_acceptance(ctx, staff, chg):
    change = _major(chg, staff.service)
    change_services.change_transition(actor=None, instance=change, transition="submit")
    _approve(chg, change)
    project = DesignProject.objects.get(change=change)
    url = f"/api/v1/changes/{change.pk}/transitions/"
    refused = client(chg.manager).post(url, {"transition": "implement"}, format="json")
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert project.reference in detail and change.reference in detail and "Before design" in detail
    assert Change.objects.get(pk=change.pk).status == "approved"
    # the project goes through to acceptance
    services.project_update(
        actor=None,
        instance=project,
        data={
            **FULL_PLAN,
            "planned_start": "2030-01-01",
            "planned_end": "2030-03-01",
            "plan_agreed_by": staff.contact,
            "plan_agreed_on": "2029-12-01",
        },
        m2m={"requirements": [requirement(staff.service, ctx.org_a, agreed_by=staff.contact)]},
    )
    criterion(project, result="met", evidence="Test report 1.")
    outcome(project)
    move(project, "approve_plan", staff.manager)
    from tests.design.conftest import FULL_DESIGN

    services.project_update(actor=None, instance=project, data={**FULL_DESIGN, "test_results": "Passed."})
    move(project, "approve_design", staff.manager)
    move(project, "start_acceptance", staff.manager)
    still = client(chg.manager).post(url, {"transition": "implement"}, format="json")
    assert still.status_code == 409 and "acceptance" in still.json()["detail"]
    move(project, "pass_acceptance", staff.manager2)
    implemented = client(chg.manager).post(url, {"transition": "implement"}, format="json")
    assert implemented.status_code == 200 and implemented.json()["status"] == "implementing"


def test_a_major_change_without_a_project_is_refused(ctx, staff, chg):
    change = _major(chg, staff.service)
    change_services.change_transition(actor=None, instance=change, transition="submit")
    _approve(chg, change)
    project = DesignProject.objects.get(change=change)
    services.project_transition(actor=None, instance=project, transition="cancel")
    refused = client(chg.manager).post(
        f"/api/v1/changes/{change.pk}/transitions/", {"transition": "implement"}, format="json"
    )
    assert refused.status_code == 409 and "no such project" in refused.json()["detail"]


def test_other_changes_are_not_gated(ctx, staff, chg):
    from tests.changes.conftest import change as make_change

    normal = make_change("Patch", cis=[chg.lone])
    assert services.unaccepted_design(normal) is None
