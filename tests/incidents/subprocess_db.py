"""The test database for another process: `servitium mailgate` or a granian server started by a test.

On PostgreSQL another process opens the test database itself (the test must use
`django_db(transaction=True)` so that what it wrote is committed). SQLite's test database lives in this
process's memory: it is copied to a file for the other process and copied back afterwards, so the test
reads what the other process wrote through the ORM as usual.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from django.db import connection


@contextlib.contextmanager
def shared_database(tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL for another process, holding what this test committed."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
        yield f"postgres://{s['USER']}{password}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"
        return
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(path)) as copy:
        connection.connection.backup(copy)
    try:
        yield f"sqlite:///{path}"
    finally:
        with contextlib.closing(sqlite3.connect(path)) as copy:
            copy.backup(connection.connection)


def site_env(database_url: str, **extra: str) -> dict[str, str]:
    """The site's environment for another process: this test run's data dir and settings."""
    return {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "servitium.test_settings",  # immediate tasks, mail kept in memory
        "SERVITIUM_TESTING": "1",
        "SERVITIUM_DATA_DIR": os.environ["SERVITIUM_DATA_DIR"],
        **extra,
    }


def run_mailgate(database_url: str, raw: bytes, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "servitium.cli", "mailgate"],
        input=raw,
        capture_output=True,
        env=site_env(database_url, **extra),
        timeout=120,
    )
