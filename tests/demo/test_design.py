"""The design and transition demo: Managed Kubernetes designed, accepted, deployed and reviewed for Elm
Analytics (now live for Elm); the demo's major removal change with its real project and handover items;
the gaps the checks find; the change gate; and it loads twice unchanged."""

from __future__ import annotations

from servitium.catalog.models import Service
from servitium.changes import services as change_services
from servitium.changes.models import Change
from servitium.core.checks import MET, NOT_MET, PARTLY_MET, REGISTRY
from servitium.core.models import ChangeRecord
from servitium.design import demo as design_demo
from servitium.design.models import DesignProject, ServiceRequirement
from servitium.parties.models import Organization, User
from tests.base import browser, client


def run(check_id: str):
    return REGISTRY[check_id].run()


def test_the_demo_holds_a_closed_new_service_project(db):
    elm = Organization.objects.get(name=design_demo.ELM)
    assert elm.kind == "customer" and elm.people.filter(name=design_demo.LENA).exists()
    service = Service.objects.get(name=design_demo.MK)
    assert service.status == "live" and list(service.customers.all()) == [elm]
    project = DesignProject.objects.get(title=design_demo.MK_CHANGE)
    assert (
        project.status == "closed"
        and project.kind == "new"
        and project.change.design_reference == project.reference
    )
    assert project.releases.exists() and project.changes.exists() and project.capacity_plan is not None
    assert not project.criteria.exclude(result="met").exists()
    assert not project.outcomes.filter(achieved="").exists()
    kinds = set(project.requirements.values_list("kind", flat=True))
    assert {"functional", "service_level", "security", "prerequisite", "regulatory"} <= kinds
    assert not project.requirements.exclude(status="agreed").exists()
    assert project.accepted_by.username == "ewa" and project.author.username == "admin"
    went_live = ChangeRecord.objects.filter(
        object_type="catalog.service", object_id=service.pk, action="transition"
    )
    assert went_live.exists()


def test_the_major_removal_change_has_its_project(db):
    change = Change.objects.get(title=design_demo.REMOVAL_CHANGE)
    project = DesignProject.objects.get(change=change)
    assert change.design_reference == project.reference
    assert project.kind == "removal" and project.status == "design"
    assert project.handover_items.filter(kind="ci", action="retire").exists()
    assert project.handover_items.count() >= 3
    # the change gate: approved by the CAB, the removal is still not implemented before its project passed
    # acceptance
    ewa = User.objects.get(username="ewa")
    for member in (ewa, User.objects.get(username="sofia")):
        change_services.change_approval_record(actor=member, change=change, decision="approve")
    assert Change.objects.get(pk=change.pk).status == "approved"
    refused = client(ewa).post(
        f"/api/v1/changes/{change.pk}/transitions/", {"transition": "implement"}, format="json"
    )
    assert refused.status_code == 409 and project.reference in refused.json()["detail"]


def test_the_demo_gaps_show_in_the_checks(db):
    outcomes = run("design.plan_measurable_outcomes")
    assert outcomes.status == PARTLY_MET and design_demo.GAP_TITLE in outcomes.message
    decided = run("design.requirements_decided")
    assert decided.status in (PARTLY_MET, NOT_MET) and any("German" in g.label for g in decided.gaps)
    assert ServiceRequirement.objects.filter(status="proposed", customer__name=design_demo.ELM).exists()
    revised = run("design.requirement_changes_controlled")
    assert revised.status == PARTLY_MET and len(revised.gaps) == 1
    assert "200 worker nodes" in revised.gaps[0].label
    misfits = run("changes.portfolio_misfits_have_changes_proposed")
    assert misfits.status == PARTLY_MET and [g.label for g in misfits.gaps] == ["Hosted Email"]
    properly = ServiceRequirement.objects.get(statement__startswith="Clusters are available 99.95")
    assert properly.revision == 1 and properly.change.title == design_demo.MK_CHANGE
    for check_id in (
        "design.major_changes_have_projects",
        "design.tested",
        "design.acceptance_verified",
        "design.deployed_through_release",
        "design.outcomes_reported",
        "design.removal_planned",
        "design.plan_risks",
    ):
        assert run(check_id).status == MET, check_id


def test_the_pages_show_the_projects(db):
    ewa = User.objects.get(username="ewa")
    project = DesignProject.objects.get(title=design_demo.MK_CHANGE)
    page = browser(ewa).get(project.get_absolute_url()).content.decode()
    assert "text-bg-success" in page and "99.97 %" in page and "Managed Kubernetes 1.0" in page
    listing = browser(ewa).get("/design/").content.decode()
    assert project.reference in listing and design_demo.GAP_TITLE in listing
    change = Change.objects.get(title=design_demo.REMOVAL_CHANGE)
    assert 'id="design-projects"' in browser(ewa).get(change.get_absolute_url()).content.decode()


def test_the_design_demo_loads_twice_unchanged(db):
    entries = ChangeRecord.objects.count()
    design_demo.load(actor=User.objects.get(username="admin"))
    assert ChangeRecord.objects.count() == entries
