"""`servitium backup` and `servitium restore` as an operator runs them: real processes, a writer that keeps
creating records (and sealing) while the backup runs, a restore into a fresh database and data dir, and a
change log that verifies afterwards."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)

SERVITIUM = [sys.executable, "-m", "servitium.entry"]
PG = "postgresql://postgres@127.0.0.1:5432"

WRITER = """
import os, sys
from pathlib import Path
import django
django.setup()
from servitium.catalog import services
from servitium.core import changelog
from servitium.core.context import change_context

stop, progress = Path(sys.argv[1]), Path(sys.argv[2])
written = 0
with change_context(context="shell"):
    while not stop.exists():
        services.service_create(actor=None, data={"name": f"load-{written:06d}", "status": "live"}, m2m={})
        written += 1  # committed: service_create is one transaction with its change-log entry
        progress.with_suffix(".new").write_text(str(written))
        os.replace(progress.with_suffix(".new"), progress)  # never seen half-written
        if written % 20 == 0:
            changelog.seal()
"""


def environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "servitium.settings",
        "SERVITIUM_DATA_DIR": str(data_dir),
        "SERVITIUM_ANCHOR_KEY_FILE": str(settings.ANCHOR_KEY_FILE),  # the key, kept apart from the backup
        "SERVITIUM_LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def servitium(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*SERVITIUM, *args], env=env, capture_output=True, text=True, timeout=300)  # noqa: S603


def written(progress: Path) -> int:
    return int(progress.read_text()) if progress.exists() and progress.read_text() else 0


def wait_for(progress: Path, count: int, writer: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while written(progress) < count:
        assert writer.poll() is None, writer.communicate()
        assert time.monotonic() < deadline, "the writer did not get going"
        time.sleep(0.05)


@pytest.fixture
def source(tmp_path):
    """The site being backed up: its data dir and database (a file copy of the migrated test database on
    SQLite; the test database itself on PostgreSQL)."""
    data_dir = tmp_path / "source"
    data_dir.mkdir()
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(data_dir / "servitium.sqlite3") as copy:
            connection.connection.backup(copy)
        return data_dir, None
    return data_dir, f"{PG}/{connection.settings_dict['NAME']}"


@pytest.fixture
def target(tmp_path):
    """A fresh data dir and an empty database to restore into."""
    data_dir = tmp_path / "target"
    data_dir.mkdir()
    if connection.vendor == "sqlite":
        yield data_dir, None
        return
    name = f"h_restore_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield data_dir, f"{PG}/{name}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restored_rows(target_dir: Path, database_url: str | None, query: str) -> list[tuple]:
    if database_url is None:
        with sqlite3.connect(target_dir / "servitium.sqlite3") as db:
            return db.execute(query).fetchall()
    with psycopg.connect(database_url) as db:
        return db.execute(query).fetchall()


def test_a_backup_taken_under_write_load_restores_to_one_point_in_time(source, target, tmp_path):
    source_dir, source_url = source
    target_dir, target_url = target
    source_env, target_env = environment(source_dir, source_url), environment(target_dir, target_url)
    attachment = source_dir / "attachments" / "2026" / "evidence.txt"
    attachment.parent.mkdir(parents=True)
    attachment.write_text("kept with the backup")

    stop, progress = tmp_path / "stop", tmp_path / "progress"
    writer = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", WRITER, str(stop), str(progress)],
        env=source_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(progress, 30, writer)
        before = written(progress)
        out = tmp_path / "site.backup"
        made = servitium(source_env, "backup", "--out", str(out))
        after = written(progress)
        assert made.returncode == 0, made.stderr
        wait_for(progress, after + 10, writer)  # and the writer goes on after it
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert writer.returncode == 0, writer.stderr.read()
    assert after > before, "no write happened while the backup ran; the test proves nothing"

    with tarfile.open(out) as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert {"manifest.json", "changelog-anchors.jsonl", "attachments/2026/evidence.txt"} <= names
    assert not any("key" in name for name in names)  # neither the anchor key nor the secret key
    assert manifest["database"]["vendor"] == connection.vendor
    assert oct(out.stat().st_mode & 0o777) == "0o600"

    put_back = servitium(target_env, "restore", str(out))
    assert put_back.returncode == 0, put_back.stdout + put_back.stderr
    assert "change log intact" in put_back.stdout

    # One point in time: the writer's services form an unbroken run load-000000..k-1 (a single writer
    # commits them in order), taken while the backup ran, each with its change-log entry.
    services = [name for (name,) in restored_rows(target_dir, target_url, "SELECT name FROM catalog_service")]
    loaded = sorted(name for name in services if name.startswith("load-"))
    count = len(loaded)
    assert before <= count <= after
    assert loaded == [f"load-{i:06d}" for i in range(count)]
    entries = restored_rows(
        target_dir,
        target_url,
        "SELECT object_repr FROM core_changerecord"
        " WHERE object_type = 'catalog.service' AND action = 'create' AND object_repr LIKE 'load-%'",
    )
    assert sorted(repr_ for (repr_,) in entries) == loaded
    assert (target_dir / "attachments" / "2026" / "evidence.txt").read_text() == "kept with the backup"

    verified = servitium(target_env, "verify-changelog")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    again = servitium(target_env, "restore", str(out))
    assert again.returncode != 0 and "already holds data" in again.stderr
