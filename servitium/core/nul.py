"""NUL characters (U+0000) in input: PostgreSQL stores none in text or JSON and fails the whole write with a
DataError, SQLite keeps them silently. Every input path (API bodies, UI forms, model validation, importers)
refuses them by name with the one message here, so both databases answer alike."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

NUL = "\x00"


def find_nul(value: Any, path: str = "") -> str | None:
    """Where `value` (a string, or lists and dicts of them, to any depth) holds a NUL: `path`, `path.key`,
    `path[2]`; None if nowhere. Iterative, so no nesting exhausts the stack."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return where
        elif isinstance(item, dict):
            for key, inner in item.items():
                at = f"{where}.{key}" if where else str(key)
                if isinstance(key, str) and NUL in key:
                    return at
                stack.append((inner, at))
        elif isinstance(item, list | tuple):
            stack.extend((inner, f"{where}[{index}]") for index, inner in enumerate(item))
    return None


def nul_message(where: str) -> str:
    return _("Remove the NUL character (\\x00) from %(field)s.") % {"field": where.replace(NUL, "\\x00")}
