"""The OpenAPI description: drf-spectacular's, with the rules that keep it true to what the API answers.

- A read-only field may be blank or null whenever the stored value may be: a choice field whose model field
  allows blank lists "" among its values; a field with `default=None` (a value through a relation that may
  be missing, e.g. `owner.name`) is nullable. DRF drops `allow_blank` from read-only fields, so without this
  the schema promises a value the API does not always give.
- An extra action (`/{id}/transitions/`, `/licences/`, `/trends/`, ...) answers what it returns, never a
  page, and takes no list filters, unless the action itself names a paginator or filter backends: only the
  standard `list` pages and filters.
- The `list` of a view without a queryset answers what its response serializer says (the change schedule
  is one document, not an array of them).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import is_list_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

STANDARD_ACTIONS = frozenset(
    {"list", "retrieve", "create", "update", "partial_update", "destroy", "metadata"}
)


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "servitium.core.auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; create a key with `servitium create-token USERNAME`.",
        }


def stored_field(field: serializers.Field) -> tuple[models.Field | None, bool]:
    """The model field a serializer field shows (following `a.b` through relations), if there is one, and
    whether a relation on the way may be empty (then the value may be missing too)."""
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    source = getattr(field, "source", None)
    if model is None or not source or source == "*":
        return None, False
    found, gaps = None, False
    for part in source.split("."):
        if model is None:
            return None, False
        if found is not None and _nullable(found):
            gaps = True
        try:
            found = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None, False
        model = found.related_model
    return found, gaps


def _nullable(field: models.Field) -> bool:
    # a stored column that may hold NULL (not a to-many relation, which is an empty list at worst)
    return bool(getattr(field, "concrete", False) and field.null and not field.many_to_many)


class AutoSchema(openapi.AutoSchema):
    def _extra_action_options(self) -> dict[str, Any] | None:
        """The options of the extra action being described; None for the standard ones."""
        action = getattr(self.view, "action", None)
        if action is None or action in STANDARD_ACTIONS:
            return None
        return getattr(getattr(self.view, action, None), "kwargs", {})

    def _get_paginator(self):
        options = self._extra_action_options()
        if options is not None and not options.get("pagination_class"):
            return None
        return super()._get_paginator()

    def get_filter_backends(self) -> list[Any]:
        options = self._extra_action_options()
        if options is not None and not options.get("filter_backends"):
            return []
        return super().get_filter_backends()

    def _is_list_view(self, serializer=None) -> bool:
        if not isinstance(self.view, GenericAPIView):  # no queryset: a list only if the response says so
            if serializer is None:
                serializer = self.get_response_serializers()
            return is_list_serializer(serializer)
        return super()._is_list_view(serializer)

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if direction == "response" and getattr(field, "read_only", False):
            stored, gaps = stored_field(field)
            if field.default is None or gaps or (stored is not None and _nullable(stored)):
                field.allow_null = True
            if isinstance(field, serializers.ChoiceField) and stored is not None and stored.blank:
                field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        """Lists and records read by id: the validator they carry and the conditional request it allows
        (core/api/lean.py)."""
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if (
            operation is None
            or method != "GET"
            or getattr(self.view, "action", None) not in ("list", "retrieve")
        ):
            return operation
        from .lean import LeanOutputMixin

        if not isinstance(self.view, LeanOutputMixin):
            return operation
        operation.setdefault("parameters", []).append(
            {
                "in": "header",
                "name": "If-None-Match",
                "schema": {"type": "string"},
                "description": "The `ETag` of an earlier answer: 304 without a body while it still holds.",
            }
        )
        etag = {"schema": {"type": "string"}, "description": "A weak validator of this answer."}
        ok = operation.get("responses", {}).get("200")
        if ok is not None:
            ok.setdefault("headers", {})["ETag"] = etag
        operation["responses"]["304"] = {
            "description": "Not modified: what the `If-None-Match` validator stands for is still current.",
            "headers": {"ETag": etag},
        }
        return operation
