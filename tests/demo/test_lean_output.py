"""Every record type of the API leaves through its lean representation (core/api/lean.py); on the demo's
records, read as the administrator and as a customer user, it renders exactly what the record type's DRF
serializer renders. This is what keeps the fast way the only way: a field added to a declaration or a
serializer shows up in both, or this test names the record type and the field."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory, force_authenticate

from servitium.api_urls import router
from servitium.core.api.lean import LeanOutputMixin, representation_of
from servitium.parties.models import User


def _as_json(data) -> object:
    return json.loads(JSONRenderer().render(data))


def _lean_viewsets():
    for prefix, viewset, _basename in router.registry:
        if issubclass(viewset, LeanOutputMixin):
            yield prefix, viewset


# The administrator in UTC and a customer user reading in another time zone (instants render in the
# reader's zone, the lean way looks it up once per response).
@pytest.mark.parametrize("username,zone", [("admin", "UTC"), ("alder", "America/New_York")])
def test_every_record_type_renders_as_its_serializer(db, username, zone):
    # The clock stands still while both render: a running SLA clock reads its business time as of now.
    with timezone.override(zone), time_machine.travel(timezone.now(), tick=False):
        _compare_all(username)


def _compare_all(username: str) -> None:
    user = User.objects.get(username=username)
    compared, rows = [], 0
    for prefix, viewset in _lean_viewsets():
        raw = APIRequestFactory().get(f"/api/v1/{prefix}/")
        force_authenticate(raw, user=user)
        view = viewset(action="list", format_kwarg=None, kwargs={}, args=())
        view.request = Request(raw)
        view.request.user = user
        view.headers = {}
        serializer_class = view.get_serializer_class()
        if not (isinstance(serializer_class, type) and issubclass(serializer_class, serializers.Serializer)):
            continue
        objects = list(view.filter_queryset(view.get_queryset())[:25])
        context = view.get_serializer_context()
        expected = _as_json(serializer_class(objects, many=True, context=context).data)
        lean = _as_json(representation_of(serializer_class).render(objects, context))
        for want, got in zip(expected, lean, strict=True):
            differing = sorted(k for k in want.keys() | got.keys() if want.get(k, ...) != got.get(k, ...))
            assert not differing, f"{prefix} #{want.get('id')}: {differing}"
        compared.append(prefix)
        rows += len(objects)
    assert len(compared) >= 120, compared  # every record type of the API, not a few
    assert rows >= (1000 if username == "admin" else 50)
