"""CIs of the types the change policy controls change only through an approved change naming them, or by a
configuration manager (2011 9.1 / 2018 8.2.6, 8.5.1.1)."""

from __future__ import annotations

import pytest

from servitium.changes.models import Change
from servitium.cmdb.models import CIRelationship
from tests import factories
from tests.base import client
from tests.cmdb.conftest import ci, ci_type

from .conftest import change


@pytest.fixture
def config_staff(ctx):
    return (
        factories.user("cfg_agent", ctx.provider, ["configuration-agent"]),
        factories.user("cfg_manager", ctx.provider, ["configuration-manager"]),
    )


def approved(chg_ns, cis) -> Change:
    record = change("Resize", cis=cis)
    Change.objects.filter(pk=record.pk).update(
        status="approved"
    )  # set-up: the approval flow has its own tests
    record.refresh_from_db()
    return record


def patch(user, ci_obj, **data):
    return client(user).patch(f"/api/v1/cis/{ci_obj.pk}/", data, format="json")


@pytest.mark.django_db
def test_controlled_ci_needs_an_approved_change_naming_it(chg, config_staff):
    agent, _ = config_staff
    refused = patch(agent, chg.vm, version="2.0")
    assert refused.status_code == 409 and "change control" in refused.data["detail"]
    chg.vm.refresh_from_db()
    assert chg.vm.version != "2.0"
    unrelated = approved(chg, [chg.host])
    assert patch(agent, chg.vm, version="2.0", change=unrelated.pk).status_code == 409
    covering = approved(chg, [chg.vm])
    allowed = patch(agent, chg.vm, version="2.0", change=covering.pk)
    assert allowed.status_code == 200 and allowed.data["version"] == "2.0"


@pytest.mark.django_db
def test_a_draft_change_does_not_authorise(chg, config_staff):
    agent, _ = config_staff
    draft = change("Not yet", cis=[chg.vm])
    assert patch(agent, chg.vm, version="3", change=draft.pk).status_code == 409


@pytest.mark.django_db
def test_the_configuration_manager_may_update_directly(chg, config_staff):
    _, manager = config_staff
    assert patch(manager, chg.vm, version="2.1").status_code == 200


@pytest.mark.django_db
def test_uncontrolled_types_are_free_to_edit(chg, config_staff):
    agent, _ = config_staff
    loose = ci("desk-printer", ci_type("printer", {}))
    assert patch(agent, loose, version="7").status_code == 200


@pytest.mark.django_db
def test_relationships_of_controlled_cis_are_controlled_too(chg, config_staff):
    agent, manager = config_staff
    payload = {"source": chg.lone.pk, "target": chg.host.pk, "kind": "depends_on"}
    refused = client(agent).post("/api/v1/ci-relationships/", payload, format="json")
    assert refused.status_code == 409 and not CIRelationship.objects.filter(source=chg.lone).exists()
    covering = approved(chg, [chg.lone, chg.host])  # both ends are under control
    created = client(agent).post(
        "/api/v1/ci-relationships/", {**payload, "change": covering.pk}, format="json"
    )
    assert created.status_code == 201
    assert client(manager).delete(f"/api/v1/ci-relationships/{created.data['id']}/").status_code == 204


@pytest.mark.django_db
def test_the_ci_form_takes_the_covering_change(chg, config_staff):
    from django.test import Client

    agent, _ = config_staff
    browser = Client()
    browser.force_login(agent)
    form = {
        "name": chg.vm.name,
        "ci_type": chg.vm.ci_type_id,
        "status": "in_use",
        "version": "9",
        "attributes": "{}",
    }
    refused = browser.post(f"/cmdb/{chg.vm.pk}/edit/", form)
    assert refused.status_code == 400 and "under change control" in refused.content.decode()
    covering = approved(chg, [chg.vm])
    saved = browser.post(f"/cmdb/{chg.vm.pk}/edit/", {**form, "change": covering.pk})
    assert saved.status_code == 302
    chg.vm.refresh_from_db()
    assert chg.vm.version == "9"
