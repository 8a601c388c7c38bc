"""Django's PostgreSQL backend with the C timestamp loader where it gives the same values (see the
package's docstring)."""

from __future__ import annotations

import datetime as dt

from django.db.backends.postgresql import base

try:
    import psycopg
    from psycopg._cmodule import _psycopg as _c  # None without the C (binary) build

    C_LOADER = _c.TimestamptzLoader if _c is not None else None
    TIMESTAMPTZ_OID = psycopg.postgres.types["timestamptz"].oid
except ImportError:  # psycopg 2: Django's own path
    C_LOADER = None


class DatabaseOperations(base.DatabaseOperations):
    compiler_module = "servitium.core.db.compiler_postgresql"  # plain SELECTs kept (core/db/shapes.py)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def create_cursor(self, name=None):
        return self.tune_cursor(super().create_cursor(name))

    def tune_cursor(self, cursor):
        """Timestamps read by this cursor are parsed in C when that gives Django's values (also called
        for the hot paths' own cursors, core/sqlwrite.py)."""
        if C_LOADER is not None and self.timezone is dt.UTC and self._speaks_utc():
            # On the cursor, not the connection: Django compares the connection's loader's `timezone`,
            # which the C class does not have. Registering copies only the text loaders' small map.
            cursor.adapters.register_loader(TIMESTAMPTZ_OID, C_LOADER)
        return cursor

    def _speaks_utc(self) -> bool:
        return self.connection.info.parameter_status("TimeZone") in ("UTC", "Etc/UTC")
