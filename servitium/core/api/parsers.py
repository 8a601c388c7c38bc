"""Request bodies the API takes (JSON, forms, multipart), checked once for every write before any view.

- A JSON body is an object: `[null, null]` or `"text"` is a 400, never a view's AttributeError.
- JSON nested deeper than `MAX_DEPTH` levels is a 400 (Python's parser would hit its recursion limit at a
  few thousand levels, a 500); no record of ours nests more than a few levels.
- A NUL character (U+0000) in any key or string, at any depth, is a 400 naming the field: PostgreSQL stores
  no NUL in text or JSON and would fail the write with a DataError (SQLite would keep it silently).
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.utils.json import strict_constant

from servitium.core.nul import NUL, find_nul, nul_message

MAX_DEPTH = 64


def check_value(data: Any, *, depth_limit: int = MAX_DEPTH) -> None:
    """Refuse NUL characters and nesting beyond `depth_limit` anywhere in parsed JSON (iteratively, so no
    depth can exhaust the stack). A NUL is reported under the top-level field it is in."""
    stack: list[tuple[Any, int, str, str]] = [(data, 1, "", "")]
    while stack:
        value, depth, top, path = stack.pop()
        if isinstance(value, dict | list) and depth > depth_limit:
            raise ParseError(
                _("The JSON body is nested deeper than %(limit)s levels (at %(path)s).")
                % {"limit": depth_limit, "path": path or "the top"}
            )
        if isinstance(value, dict):
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and NUL in key:
                    raise ValidationError({top or "non_field_errors": [nul_message(where)]})
                stack.append((item, depth + 1, top or str(key), where))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                stack.append((item, depth + 1, top, f"{path}[{index}]"))
        elif isinstance(value, str) and NUL in value:
            raise ValidationError({top or "non_field_errors": [nul_message(path or _("the body"))]})


def check_form(data: Any) -> None:
    """Refuse NUL characters in the names and values of a form or multipart body."""
    items = data.lists() if hasattr(data, "lists") else ((k, [v]) for k, v in data.items())
    for key, values in items:
        if NUL in key:
            raise ValidationError({"non_field_errors": [nul_message(key)]})
        if find_nul([v for v in values if isinstance(v, str)]) is not None:
            raise ValidationError({key: [nul_message(key)]})


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, plus: an object at the top, at most `MAX_DEPTH` levels, no NUL anywhere."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", "utf-8")
        try:
            text = stream.read().decode(encoding)
            data = json.loads(text, parse_constant=strict_constant)
        except RecursionError:
            raise ParseError(
                _("The JSON body is nested deeper than %(limit)s levels.") % {"limit": MAX_DEPTH}
            ) from None
        except ValueError as exc:  # also UnicodeDecodeError
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        check_body(data)
        return data


def check_body(data: Any) -> None:
    """The rules for a parsed JSON body (also used by the fast lane, which parses on its own)."""
    if not isinstance(data, dict):
        raise ParseError(_("Send a JSON object ({...}) as the body."))
    check_value(data)


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        check_form(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        check_form(parsed.data)
        return parsed
