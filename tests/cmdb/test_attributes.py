"""CI types carry a schema that is itself checked; every write of a CI is checked against its type's
schema, and each failure is a 400 naming the attribute."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from servitium.cmdb import services
from servitium.cmdb.models import CIType, ConfigurationItem
from servitium.core.models import ChangeRecord
from tests.base import client
from tests.cmdb.conftest import ci

GOOD = {"os": "Debian 12", "cpu_cores": 8}


def post_ci(user, kind, attributes):
    return client(user).post(
        "/api/v1/cis/", {"name": "srv", "ci_type": kind.pk, "attributes": attributes}, format="json"
    )


@pytest.mark.parametrize(
    ("attributes", "named", "says"),
    [
        ({**GOOD, "colour": "red"}, "colour", "unknown attribute"),
        ({"os": "Debian 12"}, "cpu_cores", "required"),
        ({**GOOD, "cpu_cores": "eight"}, "cpu_cores", "not of type integer"),
        ({**GOOD, "cpu_cores": 8.5}, "cpu_cores", "not of type integer"),
        ({**GOOD, "cpu_cores": True}, "cpu_cores", "not of type integer"),
        ({**GOOD, "memory_gb": "16"}, "memory_gb", "not of type number"),
        ({**GOOD, "virtualised": "yes"}, "virtualised", "not of type boolean"),
        ({**GOOD, "installed_on": "25/11/2026"}, "installed_on", "not of type date"),
        ({**GOOD, "tier": "bronze"}, "tier", "not one of gold, silver"),
    ],
)
def test_each_attribute_failure_is_a_400_naming_it(ctx, cmdb, attributes, named, says):
    before = ChangeRecord.objects.count()
    response = post_ci(cmdb.agent, cmdb.server, attributes)
    assert response.status_code == 400
    messages = response.json()["attributes"]
    assert any(m.startswith(f"{named}:") and says in m for m in messages), messages
    assert ChangeRecord.objects.count() == before


def test_valid_attributes_of_every_type(ctx, cmdb):
    attributes = {
        **GOOD,
        "memory_gb": 15.5,
        "virtualised": False,
        "installed_on": "2026-11-25",
        "tier": "gold",
    }
    response = post_ci(cmdb.agent, cmdb.server, attributes)
    assert response.status_code == 201, response.json()
    assert response.json()["attributes"] == attributes


def test_attributes_are_checked_on_update_and_on_a_change_of_type(ctx, cmdb):
    item = ci("srv", cmdb.server, attributes=GOOD)
    api = client(cmdb.agent)
    response = api.patch(f"/api/v1/cis/{item.pk}/", {"attributes": {"os": "x"}}, format="json")
    assert response.status_code == 400 and "cpu_cores" in str(response.json())
    response = api.patch(f"/api/v1/cis/{item.pk}/", {"ci_type": cmdb.generic.pk}, format="json")
    assert response.status_code == 400 and "os: unknown attribute" in str(response.json())
    response = api.patch(
        f"/api/v1/cis/{item.pk}/", {"ci_type": cmdb.generic.pk, "attributes": {}}, format="json"
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.ci_type == cmdb.generic and item.attributes == {}


def test_attributes_must_be_an_object(ctx, cmdb):
    response = post_ci(cmdb.agent, cmdb.generic, ["os"])
    assert response.status_code == 400 and "attributes" in response.json()


@pytest.mark.parametrize(
    ("schema", "named"),
    [
        ({"vendor": {"type": "text"}}, "vendor"),
        ({"vendor": "string"}, "vendor"),
        ({"ports": {"type": "integer", "required": "yes"}}, "ports"),
        ({"ports": {"type": "integer", "choices": []}}, "ports"),
        ({"ports": {"type": "integer", "choices": [1, "two"]}}, "ports"),
        ({"ok": {"type": "boolean", "choices": [True]}}, "ok"),
        ({"size": {"type": "number", "unit": "GB"}}, "size"),
        ({"due": {"type": "date", "choices": ["2026-02-30"]}}, "due"),
    ],
)
def test_bad_schemas_are_refused_naming_the_key(ctx, cmdb, schema, named):
    response = client(cmdb.manager).post(
        "/api/v1/ci-types/", {"name": "bad", "attribute_schema": schema}, format="json"
    )
    assert response.status_code == 400
    messages = response.json()["attribute_schema"]
    assert any(m.startswith(f"{named}:") for m in messages), messages
    assert not CIType.objects.filter(name="bad").exists()


def test_schema_must_be_an_object(ctx, cmdb):
    response = client(cmdb.manager).post(
        "/api/v1/ci-types/", {"name": "bad", "attribute_schema": ["os"]}, format="json"
    )
    assert response.status_code == 400 and "attribute_schema" in response.json()


def test_a_new_schema_must_fit_the_existing_cis(ctx, cmdb):
    ci("srv", cmdb.server, attributes={**GOOD, "tier": "silver"})
    schema = {**cmdb.server.attribute_schema, "tier": {"type": "string", "choices": ["gold"]}}
    response = client(cmdb.manager).patch(
        f"/api/v1/ci-types/{cmdb.server.pk}/", {"attribute_schema": schema}, format="json"
    )
    assert response.status_code == 400 and "tier" in str(response.json())
    cmdb.server.refresh_from_db()
    assert cmdb.server.attribute_schema["tier"]["choices"] == ["gold", "silver"]


def test_default_types_are_created_once(ctx):
    first = services.ensure_default_types()
    assert {
        "service",
        "application",
        "database",
        "server",
        "virtual machine",
        "container cluster",
        "network device",
        "storage",
        "licence",
        "document",
        "supplier service",
    } <= set(first)
    assert first["server"].attribute_schema["cpu_cores"]["type"] == "integer"
    assert first["licence"].attribute_schema["expires_on"]["type"] == "date"
    count, log = CIType.objects.count(), ChangeRecord.objects.count()
    CIType.objects.filter(name="server").update(description="Our own words")
    again = services.ensure_default_types()
    assert CIType.objects.count() == count and ChangeRecord.objects.count() == log
    assert again["server"].description == "Our own words"  # existing types are left alone


def test_model_level_validation_runs_outside_the_api(ctx, cmdb):
    with pytest.raises(ValidationError) as raised:
        services.ci_create(actor=None, data={"name": "x", "ci_type": cmdb.server, "attributes": {}})
    assert "attributes" in raised.value.message_dict
    assert not ConfigurationItem.objects.exists()
