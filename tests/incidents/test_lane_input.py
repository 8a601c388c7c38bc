"""The lane's input parsing (core.api.fast.FastInput) and the API serializer are made from the same
declaration; on any payload they accept and refuse the same fields with the same messages."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIRequestFactory

from servitium.incidents.api import INCIDENT_INPUT, IncidentSerializer
from servitium.incidents.resources import IncidentResource
from tests import factories

WRITABLE = sorted(IncidentResource.writable())
READ_ONLY = sorted(IncidentResource.read_only())
KEYS = st.sampled_from(WRITABLE + READ_ONLY + ["status", "sla_clocks", "id"])
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=10**6),
    st.sampled_from(["", " ", "1", "2", "abc", "malware", "email", "true", "0", "x" * 260]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)


@pytest.fixture
def world(ctx):
    factories.service("Email", customers=[ctx.org_a])
    factories.person("Caller", ctx.org_a)
    return ctx


def serializer_errors(payload, user) -> dict:
    request = APIRequestFactory().post("/api/v1/incidents/", payload, format="json")
    request.user = user
    serializer = IncidentSerializer(data=payload, context={"request": request})
    serializer.is_valid()
    return {k: [str(m) for m in v] for k, v in serializer.errors.items()}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.dictionaries(KEYS, VALUES, max_size=5))
def test_lane_and_serializer_judge_every_payload_alike(world, payload):
    for user in (world.admin, world.customer_a):
        _values, lane_errors = INCIDENT_INPUT.parse(payload, user)
        assert lane_errors == serializer_errors(payload, user), (payload, user.username)
