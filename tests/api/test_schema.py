"""The rules that keep the OpenAPI description true (servitium/core/api/schema.py), checked on the published
schema itself; the contract test (test_contract.py) checks the answers against it."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.fixture(scope="module")
def spec() -> dict:
    answer = APIClient().get("/api/schema/", {"format": "json"})
    assert answer.status_code == 200
    return answer.json()


def response(spec: dict, method: str, path: str, status: str = "200") -> dict:
    answer = spec["paths"][f"/api/v1/{path}"][method]["responses"][status]
    return answer["content"]["application/json"]["schema"]


def test_extra_actions_answer_lists_not_pages_and_take_no_list_filters(spec):
    extra = ("services/{id}/transitions/", "cis/licences/", "releases/trends/", "incidents/{id}/timeline/")
    for path in extra:
        assert response(spec, "get", path)["type"] == "array", path
        names = {p["name"] for p in spec["paths"][f"/api/v1/{path}"]["get"].get("parameters", [])}
        assert not names & {"page", "page_size", "ordering", "search", "status"}, path
    # the standard lists still page and filter
    assert response(spec, "get", "services/")["$ref"].endswith("/PaginatedServiceList")


def test_a_plain_views_list_is_what_it_returns(spec):
    assert response(spec, "get", "change-schedule/")["$ref"].endswith("/ChangeSchedule")


def test_read_only_values_that_may_be_blank_or_missing_say_so(spec):
    schemas = spec["components"]["schemas"]
    outcome = schemas["Change"]["properties"]["outcome"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in outcome["oneOf"]
    assert schemas["Service"]["properties"]["owner_display"]["nullable"] is True  # owner may be empty
    assert schemas["ChangeRecord"]["properties"]["actor_id"]["nullable"] is True  # the system acts too
    assert schemas["Token"]["properties"]["key"]["nullable"] is True  # shown once, on creation
    assert "nullable" not in schemas["Service"]["properties"]["name"]


def test_page_parameters_state_their_range(spec):
    parameters = {p["name"]: p["schema"] for p in spec["paths"]["/api/v1/services/"]["get"]["parameters"]}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1, "maximum": 1000}
    assert parameters["page"] == {"type": "integer", "minimum": 1}
