"""The API's JSON renderer writes exactly the bytes DRF's own renderer writes, faster."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFRenderer

from servitium.core.api.renderers import JSONRenderer

CASES = [
    {"id": 1, "title": "Drucker im 3. Stock – offline", "tags": ["a", "b"], "nested": {"x": None, "y": True}},
    {"when": dt.datetime(2026, 12, 5, 3, 4, 5, 123456, tzinfo=dt.UTC), "day": dt.date(2026, 12, 5)},
    {"at": dt.time(14, 30), "span": dt.timedelta(hours=2, seconds=3)},
    {"cost": decimal.Decimal("12.50"), "ratio": 0.1, "big": 2**40},
    {"label": gettext_lazy("name"), "key": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    {1: "an integer key", "s": "line\u2028separator\u2029paragraph"},
    {"huge": 2**70},  # beyond orjson's integers: DRF's path
    [{"results": []}, "", 0, -1.5],
]


@pytest.mark.parametrize("data", CASES)
def test_the_bytes_are_drf_s(data):
    assert JSONRenderer().render(data) == DRFRenderer().render(data)


def test_an_indented_answer_is_drf_s():
    data = {"a": [1, 2], "b": {"c": "d"}}
    media = "application/json; indent=4"
    assert JSONRenderer().render(data, media) == DRFRenderer().render(data, media)
    assert b"\n    " in JSONRenderer().render(data, media)


def test_nothing_renders_as_no_body():
    assert JSONRenderer().render(None) == b""
