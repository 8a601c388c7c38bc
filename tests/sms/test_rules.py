"""Guards, transitions, measurements, checks (both ways), review inputs and the pages of their own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from servitium.core import indicators
from servitium.core.checks import REGISTRY
from servitium.core.models import ChangeRecord
from servitium.core.reviewinputs import review_inputs
from servitium.sms import jobs, services
from servitium.sms.lifecycle import CONTEXT_WORKFLOW, OBJECTIVE_WORKFLOW, SCOPE_WORKFLOW, SECTION_WORKFLOW
from servitium.sms.models import (
    CommunicationEntry,
    ContextIssue,
    Objective,
    ObjectiveMeasurement,
    PlanSection,
    ProcessRole,
    ScopeStatement,
    SmsPlan,
    SmsSettings,
)
from servitium.sms.models.objectives import judge
from servitium.sms.models.plan import PLAN_ITEMS
from tests import factories
from tests.base import browser, client, sent_to_portal

from . import helpers as h


def run(check_id):
    return REGISTRY[check_id].run()


@pytest.fixture
def manager(ctx):
    return factories.user("smsmgr", ctx.provider, ["sms-manager"])


@pytest.fixture
def other_manager(ctx):
    return factories.user("smsmgr2", ctx.provider, ["sms-manager"])


@pytest.mark.parametrize(
    "model,workflow",
    [
        (ContextIssue, CONTEXT_WORKFLOW),
        (ScopeStatement, SCOPE_WORKFLOW),
        (Objective, OBJECTIVE_WORKFLOW),
        (PlanSection, SECTION_WORKFLOW),
    ],
)
def test_every_status_is_in_the_workflow(model, workflow):
    assert set(model.Status.values) == set(workflow.states)


# --- scope ---------------------------------------------------------------------------------------------
def test_scope_author_cannot_approve_then_another_can_and_current_supersedes(ctx, manager, other_manager):
    first = h.scope(ctx, actor=manager)
    api = client(manager)
    url = f"/api/v1/scope-statements/{first.pk}/transitions/"
    refused = api.post(url, {"transition": "approve"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "approver_is_author"
    assert "author" in refused.json()["detail"]
    assert ScopeStatement.objects.get(pk=first.pk).status == "draft"
    approved = client(other_manager).post(url, {"transition": "approve"}, format="json")
    assert approved.status_code == 200 and approved.json()["approved_by"] == other_manager.pk
    current = api.post(url, {"transition": "make_current"}, format="json").json()
    assert current["status"] == "current" and current["effective_from"] == str(timezone.localdate())
    # a change to a non-draft version is refused
    patched = api.patch(f"/api/v1/scope-statements/{first.pk}/", {"text": "Changed"}, format="json")
    assert patched.status_code == 409
    second = h.scope(ctx, actor=manager)
    services.scope_transition(actor=other_manager, instance=second, transition="approve")
    services.scope_transition(actor=manager, instance=second, transition="make_current")
    assert ScopeStatement.objects.get(pk=first.pk).status == "superseded"
    assert list(ScopeStatement.objects.filter(status="current")) == [second]
    assert (
        ChangeRecord.objects.filter(
            object_id=first.pk, object_type="sms.scopestatement", action="transition"
        ).count()
        == 3
    )


def test_scope_without_services_cannot_be_approved(ctx, manager, other_manager):
    empty = services.scope_create(actor=manager, data={"version": "0.1", "text": "Everything"})
    response = client(other_manager).post(
        f"/api/v1/scope-statements/{empty.pk}/transitions/", {"transition": "approve"}, format="json"
    )
    assert response.status_code == 409 and "services" in response.json()["detail"]


def test_scope_exclusion_needs_justification(ctx, manager):
    response = client(manager).post(
        "/api/v1/scope-statements/",
        {"version": "9", "text": "x", "exclusions": [{"excluded": "Email", "justification": ""}]},
        format="json",
    )
    assert response.status_code == 400 and "exclusions" in response.json()
    assert not ScopeStatement.objects.exists()


# --- RACI ------------------------------------------------------------------------------------------------
def test_second_accountable_is_refused_naming_raci(ctx, manager):
    h.accountable(ctx)
    api = client(manager)
    payload = {
        "process": "incident",
        "activity": "Major incident handling",
        "raci": "A",
        "person": h.person(ctx).pk,
    }
    before = ProcessRole.objects.count()
    response = api.post("/api/v1/process-roles/", payload, format="json")
    assert response.status_code == 400 and "raci" in response.json()
    assert ProcessRole.objects.count() == before
    # the same person may be accountable for another activity
    payload["activity"] = "Post-incident review"
    assert api.post("/api/v1/process-roles/", payload, format="json").status_code == 201


def test_a_team_is_never_accountable_and_someone_is_named(ctx, manager):
    team = factories.organization  # noqa: F841 (teams come from parties)
    from servitium.core import services as core_services
    from servitium.parties.models import Team

    desk = core_services.record_create(
        model=Team, data={"name": "Desk", "organization": ctx.provider}, actor=None
    )
    api = client(manager)
    bad = api.post(
        "/api/v1/process-roles/",
        {"process": "problem", "activity": "x", "raci": "A", "team": desk.pk},
        format="json",
    )
    assert bad.status_code == 400 and "team" in bad.json()
    nobody = api.post(
        "/api/v1/process-roles/", {"process": "problem", "activity": "x", "raci": "R"}, format="json"
    )
    assert nobody.status_code == 400


def test_raci_matrix_api_and_page(ctx, manager):
    h.accountable(ctx)
    h.role(ctx, raci="R")
    h.role(ctx, process="change", activity="Approve normal changes", raci="C")
    rows = client(manager).get("/api/v1/process-roles/matrix/").json()
    assert [(r["process"], r["accountable_ok"]) for r in rows] == [("change", False), ("incident", True)]
    page = browser(manager).get("/sms/raci/")
    assert page.status_code == 200 and b'id="raci-matrix"' in page.content and b"raci-gaps" in page.content
    only = browser(manager).get("/sms/raci/", {"process": "incident"})
    assert only.context["without_accountable"] == 0
    result = run("sms.raci_one_accountable")
    assert result.status == "partly_met" and "Approve normal changes" in result.message
    h.accountable(ctx, process="change", activity="Approve normal changes")
    assert run("sms.raci_one_accountable").status == "met"


# --- appointments and plan ------------------------------------------------------------------------------
def test_appointments_are_one_record_and_checked(ctx, manager):
    assert run("sms.management_representative").status == "not_applicable"
    h.issue(ctx)  # the SMS is under way: a missing appointment is now a failure
    assert run("sms.management_representative").status == "not_met"
    appointed = h.settings(ctx, reports_to_top_management="")
    assert run("sms.management_representative").status == "not_met"
    response = client(manager).post(
        "/api/v1/sms-settings/", {"management_representative": h.person(ctx).pk}, format="json"
    )
    assert response.status_code == 400 and "management_representative" in response.json()
    assert SmsSettings.objects.count() == 1
    client(manager).patch(
        f"/api/v1/sms-settings/{appointed.pk}/", {"reports_to_top_management": "Monthly"}, format="json"
    )
    assert run("sms.management_representative").status == "met"


def test_plan_has_every_section_and_reviews(ctx, manager):
    api = client(manager)
    created = api.post("/api/v1/sms-plans/", {"title": "Plan", "owner": h.person(ctx).pk}, format="json")
    assert created.status_code == 201
    plan = SmsPlan.objects.get()
    assert sorted(plan.sections.values_list("item", flat=True)) == sorted(k for k, _l in PLAN_ITEMS)
    assert created.json()["review_overdue"] is True
    assert run("sms.plan_maintained").status == "not_met"
    again = api.post("/api/v1/sms-plans/", {"title": "Second", "owner": h.person(ctx).pk}, format="json")
    assert again.status_code == 400 and "title" in again.json()
    reviewed = api.post(f"/api/v1/sms-plans/{plan.pk}/review/").json()
    assert reviewed["last_reviewed"] == str(timezone.localdate()) and reviewed["review_overdue"] is False
    assert run("sms.plan_maintained").status == "met"
    page = browser(manager).post(plan.get_absolute_url(), {"review": "1"})
    assert page.status_code == 302


def test_section_lifecycle_and_its_check(ctx, manager):
    plan = h.plan(ctx)
    section = plan.sections.get(item="limitations")
    api = client(manager)
    url = f"/api/v1/plan-sections/{section.pk}/transitions/"
    assert run("sms.plan_section_limitations").status == "not_met"
    refused = api.post(url, {"transition": "complete"}, format="json")
    assert refused.status_code == 409
    api.patch(
        f"/api/v1/plan-sections/{section.pk}/",
        {"text": "No on-site support in Dublin at night"},
        format="json",
    )
    still = api.post(url, {"transition": "complete"}, format="json")
    assert still.status_code == 409 and "owner" in still.json()["detail"]
    api.patch(f"/api/v1/plan-sections/{section.pk}/", {"owner": h.person(ctx).pk}, format="json")
    done = api.post(url, {"transition": "complete"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "complete"
    assert run("sms.plan_section_limitations").status == "met"
    assert PlanSection.objects.get(pk=section.pk).last_reviewed == timezone.localdate()


# --- objectives ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value,comparator,expected",
    [
        ("96", ">=", "on_track"),
        ("94", ">=", "at_risk"),
        ("90", ">=", "off_track"),
        ("94", "<=", "on_track"),
        ("96.5", "<=", "at_risk"),
        (None, ">=", "no_data"),
    ],
)
def test_judge(value, comparator, expected):
    value = None if value is None else Decimal(value)
    assert judge(value, Decimal(95), comparator, Decimal(2)) == expected


def test_objective_needs_its_plan_to_activate(ctx, manager):
    obj = h.objective(ctx, actions="", evaluation="")
    response = client(manager).post(
        f"/api/v1/objectives/{obj.pk}/transitions/", {"transition": "activate"}, format="json"
    )
    assert response.status_code == 409
    assert (
        "what will be done" in response.json()["detail"]
        and "how results are judged" in response.json()["detail"]
    )
    assert Objective.objects.get(pk=obj.pk).status == "draft"


def test_monthly_job_measures_and_tracks(ctx):
    obj = h.active_objective(ctx)
    h.FIXED["value"] = Decimal("97.5")
    try:
        assert jobs.record_objective_measurements.call_local() == 1
        obj.refresh_from_db()
        assert obj.tracking == "on_track" and obj.latest_value == Decimal("97.5")
        last = ObjectiveMeasurement.objects.get(objective=obj)
        assert last.period_start == services.closed_months(1)[0][0] and last.target_value == Decimal(95)
        assert ChangeRecord.objects.filter(object_type="sms.objectivemeasurement", context="job").exists()
        h.FIXED["value"] = Decimal("80")
        services.objective_measure_months(months=6, objectives=[obj])
        obj.refresh_from_db()
        assert obj.tracking == "off_track" and obj.measurements.count() == 6
    finally:
        h.FIXED["value"] = Decimal("97.5")
    assert obj.off_track_without_action
    assert run("sms.objectives_updated").status == "not_met"
    assert [o.pk for o in services.objective_off_track_actions()] == [obj.pk]
    raised = services.objective_off_track_actions(raise_action=lambda o: f"NC-for-{o.reference}")
    assert [o.pk for o in raised] == [obj.pk]
    obj.refresh_from_db()
    assert obj.action_reference == f"NC-for-{obj.reference}" and not services.objective_off_track_actions()
    assert run("sms.objectives_updated").status == "met"
    assert run("sms.objectives_monitored").status == "met"


def test_manual_measurement_is_judged(ctx, manager):
    obj = h.active_objective(ctx)
    response = client(manager).post(
        "/api/v1/objective-measurements/",
        {"objective": obj.pk, "period_start": "2026-01-01", "period_end": "2026-02-01", "value": "94"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["tracking"] == "at_risk"
    assert response.json()["target_value"] == "95.000"
    obj.refresh_from_db()
    assert obj.tracking == "at_risk"
    refused = client(manager).post(
        "/api/v1/objective-measurements/",
        {
            "objective": obj.pk,
            "period_start": "2026-03-01",
            "period_end": "2026-04-01",
            "tracking": "on_track",
        },
        format="json",
    )
    assert refused.status_code == 400 and "tracking" in refused.json()


def test_objective_page_draws_the_trend_with_target(ctx, manager):
    obj = h.active_objective(ctx)
    services.objective_measure_months(months=4, objectives=[obj])
    page = browser(manager).get(obj.get_absolute_url())
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and 'class="trend-target"' in body
    assert body.count("<circle") == 4 and "<polyline" in body
    measured = client(manager).post(f"/api/v1/objectives/{obj.pk}/measure/")
    assert measured.status_code == 200 and measured.json()["tracking"] == "on_track"


def test_objective_rules_both_ways(ctx):
    assert run("sms.objectives_documented").status == "not_applicable"
    h.issue(ctx)
    assert run("sms.objectives_documented").status == "not_met"
    obj = h.active_objective(ctx, policy_basis="")
    assert run("sms.objectives_documented").status == "met"
    assert run("sms.objectives_follow_policy").status == "not_met"
    assert run("sms.objectives_measurable").status == "not_met"  # no data yet
    assert run("sms.objectives_reflect_requirements").status == "not_met"
    services.objective_update(
        actor=None,
        instance=obj,
        data={"policy_basis": "Customers first"},
        m2m={"requirements": [h.requirement(ctx)]},
    )
    services.objective_measure_months(months=1, objectives=[obj])
    for rule in (
        "follow_policy",
        "measurable",
        "reflect_requirements",
        "plan_what",
        "plan_resources",
        "plan_owner",
        "plan_due",
        "plan_evaluation",
    ):
        assert run(f"sms.objectives_{rule}").status == "met", rule


# --- indicators ------------------------------------------------------------------------------------------
def test_provider_indicators_are_registered_and_measure_an_empty_period(db):
    keys = {i.key for i in indicators.indicators()}
    assert {
        "sla_compliance",
        "resolution_within_target",
        "customer_satisfaction",
        "complaints",
        "change_success_rate",
        "emergency_change_share",
        "availability",
        "conformity_met",
    } <= keys
    start, end = dt.date(2026, 1, 1), dt.date(2026, 2, 1)
    values = {key: indicators.get(key).measure(start, end) for key in keys if key != "test_fixed"}
    assert values["complaints"] == Decimal(0)
    assert all(v is None for k, v in values.items() if k != "complaints")


def test_indicators_count_records(ctx):
    from servitium.core import services as core_services
    from servitium.relationships.models import Complaint

    core_services.record_create(
        model=Complaint,
        data={"customer": ctx.org_a, "title": "Slow", "description": "Slow portal"},
        actor=None,
    )
    today = timezone.localdate()
    assert indicators.get("complaints").measure(today.replace(day=1), today + dt.timedelta(days=1)) == 1


# --- context checks -------------------------------------------------------------------------------------
def test_context_issue_check_both_ways(ctx):
    assert run("sms.context_issues_current").status == "not_applicable"
    h.stakeholder(ctx)
    assert run("sms.context_issues_current").status == "not_met"
    h.issue(ctx)
    only_external = run("sms.context_issues_current")
    assert only_external.status == "partly_met" and "internal" in only_external.message
    stale = h.issue(ctx, origin="internal", last_reviewed=timezone.localdate() - dt.timedelta(days=400))
    assert stale.review_overdue
    result = run("sms.context_issues_current")
    assert result.status == "partly_met" and stale.reference in result.message
    from servitium.core import services as core_services

    core_services.record_update(instance=stale, data={"last_reviewed": timezone.localdate()}, actor=None)
    assert run("sms.context_issues_current").status == "met"


def test_parties_and_requirements_checks(ctx):
    party = h.stakeholder(ctx)
    assert run("sms.interested_parties_determined").status == "not_met"
    req = h.requirement(ctx, party=party, how_addressed="")
    assert run("sms.interested_parties_determined").status == "met"
    assert run("sms.party_requirements_addressed").status == "not_met"
    from servitium.core import services as core_services

    core_services.record_update(instance=req, data={"how_addressed": "Breach procedure"}, actor=None)
    assert run("sms.party_requirements_addressed").status == "met"


def test_scope_checks_both_ways(ctx, manager, other_manager):
    from servitium.core import services as core_services
    from servitium.suppliers.models import GovernedProcess

    for check in (
        "sms.scope_current_and_approved",
        "sms.scope_names_services",
        "sms.scope_names_other_party_processes",
    ):
        assert run(check).status == "not_applicable"
    h.issue(ctx)
    for check in (
        "sms.scope_current_and_approved",
        "sms.scope_names_services",
        "sms.scope_names_other_party_processes",
    ):
        assert run(check).status == "not_met"
    live = factories.service("Compute")
    factories.service("Email")
    scope = h.scope(ctx, actor=manager, services_=[live])
    supplier_org = factories.organization("Relay", "supplier")
    governed = core_services.record_create(
        model=GovernedProcess,
        data={"process": "incident_request", "part_operated": "2nd line", "operated_by": supplier_org},
        actor=None,
    )
    services.scope_transition(actor=other_manager, instance=scope, transition="approve")
    services.scope_transition(actor=manager, instance=scope, transition="make_current")
    assert run("sms.scope_current_and_approved").status == "met"
    partly = run("sms.scope_names_services")
    assert partly.status == "partly_met" and "Email" in partly.message
    assert run("sms.scope_names_other_party_processes").status == "not_met"
    draft = h.scope(ctx, actor=manager, services_=[live])
    core_services.record_update(
        instance=draft,
        data={"exclusions": [{"excluded": "Email", "justification": "Resold partner service"}]},
        m2m={"other_party_processes": [governed]},
        actor=manager,
    )
    services.scope_transition(actor=other_manager, instance=draft, transition="approve")
    services.scope_transition(actor=manager, instance=draft, transition="make_current")
    assert run("sms.scope_names_services").status == "met"
    assert run("sms.scope_names_other_party_processes").status == "met"


def test_scope_names_its_delivery_locations_and_every_customer(ctx, manager, other_manager):
    from servitium.core import services as core_services
    from servitium.parties.models import Location

    assert run("sms.scope_names_locations").status == "not_applicable"  # nothing of the SMS yet
    h.issue(ctx)
    assert run("sms.scope_names_customers").status == "not_met"  # no scope at all
    mail = factories.service("Mail", customers=[ctx.org_a, ctx.org_b])
    scope = h.scope(ctx, actor=manager, services_=[mail])  # names org_a only, and no location
    services.scope_transition(actor=other_manager, instance=scope, transition="approve")
    services.scope_transition(actor=manager, instance=scope, transition="make_current")
    assert run("sms.scope_names_locations").status == "not_met"
    partly = run("sms.scope_names_customers")
    assert partly.status == "partly_met" and ctx.org_b.name in partly.message
    assert [g.object_id for g in partly.gaps] == [ctx.org_b.pk]
    site = core_services.record_create(
        model=Location, data={"organization": ctx.provider, "name": "Frankfurt"}, actor=None
    )
    customer_site = core_services.record_create(
        model=Location, data={"organization": ctx.org_a, "name": "Alder HQ"}, actor=None
    )
    draft = h.scope(ctx, actor=manager, services_=[mail])
    core_services.record_update(
        instance=draft,
        data={},
        m2m={"locations": [customer_site], "organizations": [ctx.org_a, ctx.org_b]},
        actor=manager,
    )
    services.scope_transition(actor=other_manager, instance=draft, transition="approve")
    services.scope_transition(actor=manager, instance=draft, transition="make_current")
    assert run("sms.scope_names_customers").status == "met"
    assert (
        run("sms.scope_names_locations").status == "not_met"
    )  # a customer's site is not where we deliver from
    core_services.record_update(instance=draft, data={}, m2m={"locations": [site]}, actor=manager)
    found = run("sms.scope_names_locations")
    assert found.status == "met" and "Frankfurt" in found.message


def test_commitment_checks_both_ways(ctx):
    assert run("sms.commitment_resources").status == "not_applicable"
    h.commitment(ctx, made_on=timezone.localdate() - dt.timedelta(days=500))
    old = run("sms.commitment_resources")
    assert old.status == "not_met" and "last was" in old.message
    h.commitment(ctx)
    assert run("sms.commitment_resources").status == "met"
    assert REGISTRY["sms.commitment_resources"].requirements == (
        "iso20000-1:2018#5.1.g",
        "iso20000-1:2011#4.1.1.e",
    )
    assert run("sms.commitment_plan").status == "not_met"  # other commitments exist, none for the plan


def test_communication_rules_both_ways(ctx):
    assert run("sms.communication_plan").status == "not_applicable"
    assert run("sms.communication_timing").status == "not_applicable"
    h.communication(ctx)
    assert run("sms.communication_plan").status == "partly_met"
    h.communication(ctx, direction="internal", subject="Objectives", audience="All staff")
    assert run("sms.communication_plan").status == "met"
    for rule in ("subject", "timing", "audience", "method", "sender"):
        assert run(f"sms.communication_{rule}").status == "met"
    assert CommunicationEntry.objects.count() == 2


def test_established_check(ctx, manager, other_manager):
    assert run("sms.established").status == "not_applicable"
    scope = h.scope(ctx, actor=manager)
    services.scope_transition(actor=other_manager, instance=scope, transition="approve")
    services.scope_transition(actor=manager, instance=scope, transition="make_current")
    services.plan_review(actor=None, plan=h.plan(ctx))
    h.active_objective(ctx)
    h.accountable(ctx)
    assert run("sms.established").status == "met"


def test_every_check_names_known_leaves(db):

    ids = {r for c in REGISTRY.values() if c.id.startswith("sms.") for r in c.requirements}
    from pathlib import Path

    import yaml

    known = set()
    base = Path(__file__).resolve().parents[2] / "servitium/conformity/frameworks"
    for edition in ("2011", "2018"):
        data = yaml.safe_load((base / f"iso20000-1-{edition}.yaml").read_text())
        stack = list(data["requirements"])
        while stack:
            node = stack.pop()
            children = node.get("children") or []
            if not children:
                known.add(f"iso20000-1:{edition}#{node['id']}")
            stack.extend(children)
    assert ids <= known, sorted(ids - known)


# --- review inputs and home ----------------------------------------------------------------------------
def test_review_inputs(ctx, manager):
    inputs = {i.key: i for i in review_inputs()}
    assert inputs["sms_objectives"].topics == ("policy_objectives",)
    assert inputs["sms_context"].topics == ("context_changes",)
    obj = h.active_objective(ctx)
    services.objective_measure_months(months=2, objectives=[obj])
    issue = h.issue(ctx)
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=90), today + dt.timedelta(days=1)
    objectives = inputs["sms_objectives"].context(start, end, manager)
    assert objectives["rows"][0]["measurement"].value == Decimal("97.5")
    html = render_to_string(inputs["sms_objectives"].template, {"panel": objectives})
    assert obj.reference in html and "97.5" in html
    context = inputs["sms_context"].context(start, end, manager)
    assert context["new_issues"] == [issue]
    assert issue.reference in render_to_string(inputs["sms_context"].template, {"panel": context})
    customer_view = inputs["sms_objectives"].context(start, end, ctx.customer_a)
    assert customer_view is None


def test_home_shows_tiles_and_attention(ctx, manager):
    h.issue(ctx, last_reviewed=timezone.localdate() - dt.timedelta(days=400))
    h.role(ctx)
    page = browser(manager).get("/sms/")
    assert page.status_code == 200 and b'id="tile-sms"' in page.content
    tile = next(p for p in page.context["panels"] if p["template"] == "sms/_sms_home_panel.html")
    assert tile["context"]["attention"] == {"issues_stale": 1, "raci_without_accountable": 1}
    assert sent_to_portal(browser(ctx.customer_a).get("/sms/"))
    assert browser(ctx.auditor).get("/sms/").status_code == 200


def test_an_empty_installation_has_no_failures_only_no_evidence(db):
    """Before anything is recorded, nothing fails: the requirements read "no evidence yet"."""
    statuses = {c.id: c.run().status for c in REGISTRY.values() if c.id.startswith("sms.")}
    assert {k: v for k, v in statuses.items() if v != "not_applicable"} == {}


def test_an_objective_off_track_goes_to_the_improvement_register_once(ctx):
    from servitium.improvement.models import ImprovementOpportunity

    obj = h.active_objective(ctx)
    h.FIXED["value"] = Decimal("80")
    try:
        services.objective_measure_months(months=2, objectives=[obj])
        # The monthly job measures (the fixed indicator is off target again) and raises the improvement.
        jobs.record_objective_measurements.call_local()
    finally:
        h.FIXED["value"] = Decimal("97.5")
    obj.refresh_from_db()
    raised = ImprovementOpportunity.objects.get(source_kind="objective", source_id=obj.pk)
    assert obj.action_reference == raised.reference and raised.owner_id == obj.owner_id
    assert obj.reference in raised.description and raised.priority == ImprovementOpportunity.Priority.HIGH
    assert services.objectives_raise_improvements() == []  # raised once
    assert ImprovementOpportunity.objects.filter(source_kind="objective").count() == 1
    assert run("sms.objectives_updated").status == "met"
