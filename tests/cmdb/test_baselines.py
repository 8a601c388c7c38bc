"""Baselines freeze CIs with their relationships; diffs show what changed since, field by field."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from servitium.cmdb import services
from servitium.cmdb.models import BaselineItem, CIRelationship
from servitium.core.models import ChangeRecord
from tests.base import client
from tests.cmdb.conftest import ci, relate

ATTRS = {"os": "Debian 12", "cpu_cores": 4}


@pytest.fixture
def stack(ctx, cmdb):
    svc = ci("Mail service", cmdb.generic, status="in_use", customers=[ctx.org_a])
    app = ci("mail-app", cmdb.generic, status="in_use", version="1.0")
    host = ci("host-1", cmdb.server, status="in_use", attributes=ATTRS, owner=cmdb.owner)
    relate(svc, "depends_on", app)
    relate(app, "runs_on", host)
    return svc, app, host


def test_snapshot_keeps_attributes_status_version_owner_and_relationships(ctx, cmdb, stack):
    svc, app, host = stack
    baseline = services.baseline_create(
        actor=cmdb.manager, name="v1", cis=[app, host], purpose="before upgrade"
    )
    assert baseline.reference.startswith("BL") and baseline.item_count == 2
    items = {i.ci_pk: i.data for i in BaselineItem.objects.filter(baseline=baseline)}
    assert items[host.pk]["attributes"] == ATTRS
    assert items[host.pk]["owner"] == "Olga Owner" and items[host.pk]["status"] == "in_use"
    assert items[app.pk]["version"] == "1.0"
    assert items[app.pk]["relationships"] == [
        {"kind": "runs_on", "target": host.reference, "target_name": "host-1"}
    ]
    assert ChangeRecord.objects.filter(object_type="cmdb.baseline", object_id=baseline.pk).count() == 1


def test_service_scope_takes_the_service_and_all_it_depends_on(ctx, cmdb, stack):
    svc, app, host = stack
    ci("unrelated", cmdb.generic)
    baseline = services.baseline_for_scope(actor=None, name="mail", scope="service", scope_id=svc.pk)
    assert set(baseline.items.values_list("ci_pk", flat=True)) == {svc.pk, app.pk, host.pk}
    assert baseline.scope == "service" and baseline.scope_id == svc.pk


def test_baseline_for_cis_adds_dependencies_and_records_its_cause(ctx, cmdb, stack):
    svc, app, host = stack
    baseline = services.baseline_for_cis(
        actor=None, name="deploy", cis=[app], purpose="before deployment", source=("releases.deployment", 7)
    )
    assert set(baseline.items.values_list("ci_pk", flat=True)) == {app.pk, host.pk}
    assert (baseline.source_type, baseline.source_id) == ("releases.deployment", 7)


def test_an_empty_or_unknown_set_is_refused_and_nothing_written(ctx, cmdb):
    before = ChangeRecord.objects.count()
    with pytest.raises(ValidationError):
        services.baseline_create(actor=None, name="empty", cis=[])
    with pytest.raises(ValidationError):
        services.baseline_create(actor=None, name="ghost", cis=[999999])
    assert ChangeRecord.objects.count() == before and not BaselineItem.objects.exists()


def test_diff_between_two_baselines(ctx, cmdb, stack):
    svc, app, host = stack
    first = services.baseline_for_scope(actor=None, name="v1", scope="service", scope_id=svc.pk)
    services.ci_update(
        actor=None, instance=host, data={"attributes": {**ATTRS, "cpu_cores": 8}, "status": "maintenance"}
    )
    db = ci("mail-db", cmdb.generic, status="in_use")
    relate(app, "depends_on", db)
    CIRelationship.objects.filter(source=app, target=host).delete()
    relate(app, "depends_on", host)
    second = services.baseline_for_scope(actor=None, name="v2", scope="service", scope_id=svc.pk)
    body = client(cmdb.manager).get(f"/api/v1/baselines/{first.pk}/diff/", {"against": second.pk}).json()
    assert body["from"]["id"] == first.pk and body["to"]["id"] == second.pk
    assert [c["reference"] for c in body["added"]] == [db.reference]
    assert body["removed"] == []
    changed = {c["reference"]: c["fields"] for c in body["changed"]}
    assert changed[host.reference] == {
        "status": {"before": "in_use", "after": "maintenance"},
        "attributes.cpu_cores": {"before": 4, "after": 8},
    }
    rels = body["relationships"]
    assert {"source": app.reference, "kind": "depends_on", "target": db.reference} in rels["added"]
    assert {"source": app.reference, "kind": "depends_on", "target": host.reference} in rels["added"]
    assert rels["removed"] == [{"source": app.reference, "kind": "runs_on", "target": host.reference}]


def test_diff_against_now_shows_removed_and_changed_cis(ctx, cmdb, stack):
    svc, app, host = stack
    baseline = services.baseline_create(actor=None, name="chosen", cis=[app, host])
    services.ci_update(actor=None, instance=app, data={"version": "2.0"})
    services.ci_delete(actor=None, instance=host)
    body = client(cmdb.manager).get(f"/api/v1/baselines/{baseline.pk}/diff/", {"against": "now"}).json()
    assert body["to"] == {"now": True}
    assert [c["reference"] for c in body["removed"]] == [host.reference]
    assert body["changed"][0]["fields"] == {"version": {"before": "1.0", "after": "2.0"}}
    assert body["relationships"]["removed"] == [
        {"source": app.reference, "kind": "runs_on", "target": host.reference}
    ]
    # the snapshot itself is unchanged
    items = client(cmdb.manager).get(f"/api/v1/baselines/{baseline.pk}/items/").json()
    assert {i["reference"]: i["version"] for i in items}[app.reference] == "1.0"


def test_content_cannot_be_edited_and_bad_against_is_400(ctx, cmdb, stack):
    svc, app, host = stack
    baseline = services.baseline_create(actor=None, name="frozen", cis=[app])
    api = client(cmdb.manager)
    response = api.patch(f"/api/v1/baselines/{baseline.pk}/", {"scope": "customer"}, format="json")
    assert response.status_code == 400 and "scope" in response.json()
    assert api.get(f"/api/v1/baselines/{baseline.pk}/diff/", {"against": "yesterday"}).status_code == 400


def test_api_creates_by_service_scope(ctx, cmdb, stack):
    svc, app, host = stack
    api = client(cmdb.manager)
    response = api.post(
        "/api/v1/baselines/", {"name": "svc", "scope": "service", "scope_id": svc.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["item_count"] == 3
    response = api.post("/api/v1/baselines/", {"name": "svc", "scope": "service"}, format="json")
    assert response.status_code == 400 and "scope_id" in response.json()


def test_customers_see_no_baselines(ctx, cmdb, stack):
    svc, app, host = stack
    baseline = services.baseline_create(actor=None, name="b", cis=[svc])
    api = client(ctx.customer_a)
    assert api.get("/api/v1/baselines/").json()["count"] == 0
    assert api.get(f"/api/v1/baselines/{baseline.pk}/diff/").status_code == 404
