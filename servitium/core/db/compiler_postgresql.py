"""PostgreSQL's compilers, with plain SELECTs kept once compiled (core/db/shapes.py)."""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import compiler as vendor

from .shapes import KeptSelects


class SQLCompiler(KeptSelects, vendor.SQLCompiler):
    pass


def __getattr__(name: str) -> Any:  # the other compilers as PostgreSQL has them
    return getattr(vendor, name)
