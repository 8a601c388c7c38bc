"""`/api/schema/` makes the OpenAPI description once per process and language, and serves the same
description every time (in YAML or JSON, in the language asked for)."""

from __future__ import annotations

import json

from django.test import Client

from servitium.core.api.schemaview import SchemaView


def test_the_description_is_made_once_per_language(db, monkeypatch):
    SchemaView._made.clear()
    made = []
    original = SchemaView.generator_class.get_schema

    def counted(self, *args, **kwargs):
        made.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaView.generator_class, "get_schema", counted)
    browser = Client()
    first = browser.get("/api/schema/")
    second = browser.get("/api/schema/")
    as_json = browser.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert first.status_code == second.status_code == as_json.status_code == 200
    assert first.content == second.content
    assert json.loads(as_json.content)["info"]["title"] == "Servitium API"
    assert len(made) == 1
    german = browser.get("/api/schema/?lang=de")
    assert german.status_code == 200 and len(made) == 2
    SchemaView._made.clear()
