"""The web UI of configuration management: lists, the CI page with relationships and impact, forms, and
what customers get (the CIs serving them)."""

from __future__ import annotations

from django.test import Client

from servitium.cmdb.models import CIRelationship, ConfigurationItem
from tests import factories
from tests.base import client, sent_to_portal
from tests.cmdb.conftest import ci, relate


def login(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_pages(ctx, cmdb):
    host = ci("hv-01", cmdb.generic, customers=[ctx.org_a])
    vm = ci("vm-01", cmdb.generic, customers=[ctx.org_a])
    rel = relate(vm, "runs_on", host)
    browser = login(cmdb.manager)
    for url in (
        "/cmdb/",
        "/cmdb/new/",
        f"/cmdb/{host.pk}/",
        f"/cmdb/{host.pk}/edit/",
        "/cmdb/types/",
        "/cmdb/types/new/",
        f"/cmdb/types/{cmdb.server.pk}/",
        f"/cmdb/types/{cmdb.server.pk}/edit/",
        f"/cmdb/relationships/new/?source={vm.pk}",
        f"/cmdb/relationships/{rel.pk}/",
    ):
        assert browser.get(url).status_code == 200, url
    page = browser.get(f"/cmdb/{host.pk}/").content.decode()
    assert "vm-01" in page and "Impact if it fails" in page
    assert "runs on" in browser.get(f"/cmdb/{vm.pk}/").content.decode()
    assert b"Configuration" in browser.get("/").content  # the area is in the navigation


def test_create_a_ci_and_a_relationship_through_the_forms(ctx, cmdb):
    browser = login(cmdb.agent)
    response = browser.post(
        "/cmdb/new/",
        {
            "name": "srv-07",
            "ci_type": cmdb.server.pk,
            "status": "in_use",
            "attributes": '{"os": "Debian 12"}',
        },
    )
    assert response.status_code == 400 and "cpu_cores" in response.content.decode()
    response = browser.post(
        "/cmdb/new/",
        {
            "name": "srv-07",
            "ci_type": cmdb.server.pk,
            "status": "in_use",
            "attributes": '{"os": "Debian 12", "cpu_cores": 4}',
        },
    )
    assert response.status_code == 302
    server = ConfigurationItem.objects.get(name="srv-07")
    app = ci("app", cmdb.generic)
    response = browser.post(
        "/cmdb/relationships/new/", {"source": app.pk, "kind": "runs_on", "target": server.pk}
    )
    assert response.status_code == 302
    assert CIRelationship.objects.filter(source=app, target=server).exists()
    response = browser.post(
        "/cmdb/relationships/new/", {"source": app.pk, "kind": "runs_on", "target": app.pk}
    )
    assert response.status_code == 400


def test_customers_see_the_cis_serving_them(ctx, cmdb):
    mine = ci("mine", cmdb.generic, customers=[ctx.org_a])
    theirs = ci("theirs", cmdb.generic, customers=[ctx.org_b])
    # The staff pages send customers to the portal; through the API they read the CIs serving them.
    assert sent_to_portal(login(ctx.customer_a).get("/cmdb/"))
    api = client(ctx.customer_a)
    assert [row["name"] for row in api.get("/api/v1/cis/").json()["results"]] == ["mine"]
    assert api.get(f"/api/v1/cis/{mine.pk}/").status_code == 200
    assert api.get(f"/api/v1/cis/{theirs.pk}/").status_code == 404
    assert api.post("/api/v1/cis/", {"name": "new"}, format="json").status_code == 403
    outsider = login(factories.user("im", ctx.provider, ["incident-manager"]))
    assert outsider.get(f"/cmdb/{mine.pk}/").status_code == 404
