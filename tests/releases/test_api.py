"""Generated suites for the release resources, and the release lifecycle through the API alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from servitium.cmdb import services as cmdb_services
from servitium.cmdb.models import Baseline, CIType
from servitium.core import services as core_services
from servitium.core.models import ChangeRecord
from servitium.releases.models import AcceptanceCriterion, Deployment, Release, ReleasePolicy
from tests import factories
from tests.base import RecordAPISuite, baseline, client, query_count
from tests.releases.conftest import change

SOON = timezone.now() + dt.timedelta(days=3)


def new_release(actor=None, **data) -> Release:
    from servitium.releases import services

    payload = {"title": "Shop 2.0", "planned_start": SOON, "rollback_plan": "Redeploy 1.9", **data}
    m2m = {k: payload.pop(k) for k in ("services", "changes") if k in payload}
    return services.release_create(actor=actor, data=payload, m2m=m2m)


class TestReleasePolicyAPI(RecordAPISuite):
    endpoint = "release-policies"
    model = ReleasePolicy
    writer_roles = ["release-manager"]
    foreign_roles = ["incident-manager", "configuration-manager"]

    def make(self, ctx):
        return ReleasePolicy.objects.create(name="A's policy", customer=ctx.org_a, release_types=["minor"])

    def create_payload(self, ctx):
        return {
            "name": "Quarterly",
            "customer": ctx.org_a.pk,
            "frequency": "quarterly",
            "release_types": ["major"],
        }

    def invalid_payload(self, ctx):
        return {"name": "Odd", "release_types": ["big"]}

    def update_payload(self, ctx):
        return {"early_life_days": 30}


class TestReleaseAPI(RecordAPISuite):
    endpoint = "releases"
    model = Release
    writer_roles = ["release-agent"]
    foreign_roles = ["incident-manager", "change-manager"]
    deletable = False
    customer_visible = False

    def make(self, ctx):
        return new_release()

    def create_payload(self, ctx):
        return {"title": "Web 3.1", "release_type": "minor", "planned_start": SOON.isoformat()}

    def invalid_payload(self, ctx):
        return {
            "title": "Backwards",
            "planned_start": SOON.isoformat(),
            "planned_end": "2020-01-01T00:00:00Z",
        }

    def update_payload(self, ctx):
        return {"deliverables": "Packages and runbook"}


class TestAcceptanceCriterionAPI(RecordAPISuite):
    endpoint = "acceptance-criteria"
    model = AcceptanceCriterion
    writer_roles = ["release-agent"]
    foreign_roles = ["incident-manager"]
    customer_visible = False
    deletable = False  # agents may not delete

    def release(self):
        return Release.objects.filter(title="Suite release").first() or new_release(title="Suite release")

    def make(self, ctx):
        return AcceptanceCriterion.objects.create(release=self.release(), criterion="Smoke test")

    def create_payload(self, ctx):
        return {"release": self.release().pk, "criterion": "Load test"}

    def invalid_payload(self, ctx):
        return {"release": self.release().pk, "criterion": "Load test", "result": "passed"}  # no evidence

    def update_payload(self, ctx):
        return {"result": "passed", "evidence": "500 rps for 10 min, p99 80 ms"}


def deployed_release(title: str = "Deployed release") -> Deployment:
    """A release deployed by the lifecycle (a service with one CI, so that a baseline is taken)."""
    from servitium.releases import services

    name = "deployment suite kind"
    kind = CIType.objects.filter(name=name).first() or core_services.record_create(
        model=CIType, data={"name": name, "description": "t", "attribute_schema": {}}, actor=None
    )
    service = factories.service(factories.unique("Deployed service"))
    host = {"name": factories.unique("host"), "ci_type": kind, "service": service}
    cmdb_services.ci_create(actor=None, data=host)
    release = _approved(new_release(title=title, services=[service]))
    where = {"environment": "production"}
    services.release_transition(actor=None, instance=release, transition="deploy", note="Window", data=where)
    return Deployment.objects.get(release=release)


class TestDeploymentAPI:
    """The deployments a release's lifecycle records: read-only, with its declared filters, search and
    ordering (the generated checks of RecordAPISuite that apply to a read-only resource, and the refusal
    of every write)."""

    endpoint = "deployments"
    model = Deployment

    def make(self, ctx):
        return deployed_release()

    url = RecordAPISuite.url
    api = RecordAPISuite.api
    resource = RecordAPISuite.resource
    test_representation_is_the_declaration = RecordAPISuite.test_representation_is_the_declaration
    test_permission_paths_agree_for_every_role = RecordAPISuite.test_permission_paths_agree_for_every_role
    test_declared_filters_find_the_record = RecordAPISuite.test_declared_filters_find_the_record
    test_search_finds_the_record = RecordAPISuite.test_search_finds_the_record
    test_list_paginates_and_orders = RecordAPISuite.test_list_paginates_and_orders
    test_customers_see_only_their_own_organization = (
        RecordAPISuite.test_customers_see_only_their_own_organization
    )

    def test_nobody_writes_deployments_through_the_api(self, ctx):
        obj = self.make(ctx)
        manager = factories.user("dep_manager", ctx.provider, ["release-manager"])
        before = ChangeRecord.objects.count()
        assert self.api().get(self.url()).status_code == 401
        for user in (ctx.admin, manager):
            api = self.api(user)
            assert api.get(self.url(obj)).json()["release_reference"] == obj.release.reference
            payload = {"release": obj.release_id, "environment": "staging", "started_at": SOON.isoformat()}
            assert api.post(self.url(), payload, format="json").status_code == 405
            assert api.patch(self.url(obj), {"notes": "edited"}, format="json").status_code == 405
            assert api.put(self.url(obj), payload, format="json").status_code == 405
            assert api.delete(self.url(obj)).status_code == 405
        assert ChangeRecord.objects.count() == before

    def test_readers_and_customers(self, ctx):
        obj = self.make(ctx)
        desk = factories.user("dep_desk", ctx.provider, ["incident-agent"])
        assert self.api(desk).get(self.url(obj)).status_code == 200  # the service desk reads releases
        assert self.api(ctx.auditor).get(self.url(obj)).status_code == 200
        for customer in (ctx.customer_a, ctx.customer_b):
            assert self.api(customer).get(self.url(obj)).status_code == 404
            assert self.api(customer).get(self.url()).json()["count"] == 0

    def test_list_queries_match_the_baseline(self, ctx):
        self.make(ctx)
        api = self.api(ctx.admin)
        one = query_count(lambda: api.get(self.url()))
        self.make(ctx)
        more = query_count(lambda: api.get(self.url()))
        assert more == one, f"deployments: {one} queries for one row, {more} for two"
        expected = baseline(f"api:{self.endpoint}", one)
        assert expected == one, f"deployments: {one} queries, recorded baseline {expected}"


def step(api, release, name, **data):
    return api.post(
        f"/api/v1/releases/{release.pk}/transitions/", {"transition": name, **data}, format="json"
    )


@pytest.mark.django_db
def test_a_release_goes_from_plan_to_review_with_a_baseline_before_deployment(stack, release_staff):
    approved = change("Upgrade shop-db", "approved", cis=[stack.db])
    agent, manager = client(release_staff.agent), client(release_staff.manager)
    created = agent.post(
        "/api/v1/releases/",
        {
            "title": "Shop 2.0",
            "services": [stack.service.pk],
            "changes": [approved.pk],
            "planned_start": SOON.isoformat(),
            "rollback_plan": "Redeploy 1.9 from the library",
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    release = Release.objects.get(pk=created.data["id"])
    assert created.data["reference"].startswith("REL")

    assert step(agent, release, "build").status_code == 200
    refused = step(agent, release, "accept")
    assert refused.status_code == 409 and "acceptance criterion" in refused.data["detail"]
    criterion = agent.post(
        "/api/v1/acceptance-criteria/", {"release": release.pk, "criterion": "Checkout works"}, format="json"
    )
    assert criterion.status_code == 201
    assert step(agent, release, "accept").status_code == 409  # still pending
    passed = agent.patch(
        f"/api/v1/acceptance-criteria/{criterion.data['id']}/",
        {"result": "passed", "evidence": "Ran 40 checkout scenarios"},
        format="json",
    )
    assert passed.status_code == 200 and passed.data["tested_at"]
    assert step(agent, release, "accept").status_code == 200

    assert step(agent, release, "approve").status_code == 403  # agents cannot approve
    approval = step(manager, release, "approve")
    assert approval.status_code == 200 and approval.data["approved_by"] == release_staff.manager.pk

    deployed = step(agent, release, "deploy", environment="production")
    assert deployed.status_code == 200, deployed.data
    deployment = Deployment.objects.get(release=release)
    baseline = deployment.baseline
    assert baseline is not None and baseline.created <= deployment.started_at <= deployment.created
    covered = set(baseline.items.values_list("ci_pk", flat=True))
    assert covered == {stack.app.pk, stack.db.pk}  # the service's CI and the change's CI, nothing else

    assert step(agent, release, "complete").status_code == 200
    deployment.refresh_from_db()
    assert deployment.outcome == "successful" and deployment.finished_at
    missing = step(agent, release, "review")
    assert missing.status_code == 400 and "review_notes" in missing.data
    reviewed = step(agent, release, "review", review_notes="All objectives met")
    assert reviewed.status_code == 200
    assert reviewed.data["early_life_incidents"] == 0
    assert reviewed.data["successful"] is None  # early life is still running
    assert agent.patch(f"/api/v1/releases/{release.pk}/", {"title": "x"}, format="json").status_code == 409


@pytest.mark.django_db
def test_approval_waits_for_every_bundled_change(stack, release_staff):
    pending = change("Schema migration", "submitted", cis=[stack.db])
    release = new_release(services=[stack.service], changes=[pending])
    AcceptanceCriterion.objects.create(release=release, criterion="ok", result="passed", evidence="seen")
    Release.objects.filter(pk=release.pk).update(status="accepted")
    refused = step(client(release_staff.manager), release, "approve")
    assert refused.status_code == 409 and pending.reference in refused.data["detail"]


@pytest.mark.django_db
def test_rejected_changes_cannot_be_bundled(stack, release_staff):
    rejected = change("Bad idea", "rejected")
    response = client(release_staff.agent).post(
        "/api/v1/releases/", {"title": "R", "changes": [rejected.pk]}, format="json"
    )
    assert response.status_code == 400 and rejected.reference in str(response.data["changes"])
    assert not Release.objects.exists()


@pytest.mark.django_db
def test_release_type_must_be_agreed_in_the_policy(release_staff):
    ReleasePolicy.objects.create(name="Default", release_types=["minor", "patch"])
    response = client(release_staff.agent).post(
        "/api/v1/releases/", {"title": "Big bang", "release_type": "major"}, format="json"
    )
    assert response.status_code == 400 and "minor, patch" in str(response.data["release_type"])


def _approved(release):
    Release.objects.filter(pk=release.pk).update(status="approved", approved_at=timezone.now())
    release.refresh_from_db()
    return release


@pytest.mark.django_db
def test_nothing_to_baseline_blocks_deployment_and_leaves_nothing(release_staff):
    release = _approved(new_release())
    response = step(client(release_staff.agent), release, "deploy")
    assert response.status_code == 409 and "baseline" in response.data["detail"]
    assert not Deployment.objects.exists() and not Baseline.objects.exists()
    release.refresh_from_db()
    assert release.status == "approved"


@pytest.mark.django_db
def test_failure_and_rollback_need_their_reasons(stack, release_staff):
    agent = client(release_staff.agent)
    release = _approved(new_release(services=[stack.service]))
    assert step(agent, release, "deploy").status_code == 200
    assert step(agent, release, "fail").status_code == 400
    rolled = step(agent, release, "roll_back", rollback_notes="Restored 1.9")
    assert rolled.status_code == 200 and rolled.data["successful"] is False
    deployment = Deployment.objects.get(release=release)
    assert deployment.outcome == "rolled_back" and deployment.rollback_notes == "Restored 1.9"
    desk = client(release_staff.desk).get("/api/v1/releases/service-desk/")
    assert desk.status_code == 200
    assert [r["reference"] for r in desk.data["failures"]] == [release.reference]


@pytest.mark.django_db
def test_service_desk_sees_upcoming_releases_but_cannot_change_them(stack, release_staff):
    release = _approved(new_release(services=[stack.service]))
    later = new_release(title="Next quarter", planned_start=timezone.now() + dt.timedelta(days=90))
    desk = client(release_staff.desk)
    data = desk.get("/api/v1/releases/service-desk/").data
    assert [r["reference"] for r in data["upcoming"]] == [release.reference]
    assert later.reference not in str(data)
    assert desk.patch(f"/api/v1/releases/{release.pk}/", {"title": "x"}, format="json").status_code == 403
    assert desk.get("/api/v1/releases/service-desk/?days=0").status_code == 400


@pytest.mark.django_db
def test_customers_see_no_releases(stack, customer_a):
    release = new_release(services=[stack.service])
    api = client(customer_a)
    assert api.get(f"/api/v1/releases/{release.pk}/").status_code == 404
    assert api.get("/api/v1/releases/service-desk/").data == {"upcoming": [], "failures": []}
    assert api.get("/api/v1/deployments/").data["count"] == 0


@pytest.mark.django_db
def test_what_the_lifecycle_writes_is_refused_by_name_from_any_channel(release_staff):
    from django.core.exceptions import ValidationError

    from servitium.releases import services

    release = new_release()
    for name, value in (("approved_at", timezone.now()), ("successful", True), ("failure_reason", "x")):
        with pytest.raises(ValidationError) as refused:
            services.release_update(actor=release_staff.agent, instance=release, data={name: value})
        assert name in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.release_create(actor=release_staff.agent, data={"title": "X", "status": "approved"})
    assert "status" in refused.value.message_dict
    response = client(release_staff.agent).patch(
        f"/api/v1/releases/{release.pk}/", {"status": "approved", "title": "Shop 2.0"}, format="json"
    )
    assert response.status_code == 400 and "status" in response.json()
    # an unchanged value is not a write: a client may send back what it read
    api = client(release_staff.agent)
    read = api.get(f"/api/v1/releases/{release.pk}/").json()
    assert api.put(f"/api/v1/releases/{release.pk}/", read, format="json").status_code == 200
