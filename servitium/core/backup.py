"""A whole site in one file, and putting it back (`servitium backup --out FILE`, `servitium restore FILE`).

The backup is a tar archive:

- `database.pgdump` (PostgreSQL: `pg_dump` in its custom format, one consistent snapshot) or
  `database.sqlite3` (SQLite: a copy through SQLite's online backup API, one consistent snapshot while
  writers go on);
- `changelog-anchors.jsonl`: the change log's signed heads, copied *before* the database, so that every
  head in it lies within the dumped chain;
- `attachments/...`: the attachments directory, copied *after* the database, so that every file the dump
  refers to is there (with S3 storage the bucket is backed up on its own and nothing is copied);
- `manifest.json` (last): format, time, version, database, applied migrations, sizes and SHA-256 of the
  database and anchor members.

Secrets stay out: neither the anchor key nor the secret key is in the file, so a stolen backup lets nobody
sign heads or mark entries. The anchor key is needed to verify the restored change log: keep it apart.

Restoring refuses a database that holds data unless forced, puts the database back (PostgreSQL:
`pg_restore --clean --if-exists --single-transaction`; SQLite: the backup API into the database file,
under the writers' lock), then the attachments and the signed heads, applies pending migrations, records
the restore as a signed line (heads signed earlier beyond the restored head belong to the rolled-back
history) and verifies the change log.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, connections

FORMAT = "servitium-backup/1"
PG_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"
ANCHORS = "changelog-anchors.jsonl"
ATTACHMENTS = "attachments"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """Something an operator must sort out; the message says what."""


# --- PostgreSQL tools ---------------------------------------------------------------------------------


def pg_tool(name: str, bin_dir: str | None = None) -> str:
    """`pg_dump` or `pg_restore` of the server's major version if installed (Debian keeps each version in
    /usr/lib/postgresql/<major>/bin), else of a given directory, else the one on PATH. A pg_dump older than
    the server refuses to dump it."""
    if bin_dir:
        return str(Path(bin_dir) / name)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    matching = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if matching.exists():
        return str(matching)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install the PostgreSQL {major} client tools, or give --pg-bin")
    return found


def _pg_env() -> dict[str, str]:
    """The connection for the PostgreSQL tools, in their environment variables (no password on a command
    line, where other users could read it)."""
    db = settings.DATABASES["default"]
    env = {**os.environ}
    for variable, value in (
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGDATABASE", db.get("NAME")),
        ("PGSSLMODE", (db.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def _run(command: list[str]) -> None:
    done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(
            f"{Path(command[0]).name} failed ({done.returncode}): {done.stderr.strip()[-2000:]}"
        )


# --- writing a backup -----------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def _dump_database(work: Path, pg_bin: str | None) -> Path:
    if connection.vendor == "postgresql":
        target = work / PG_DUMP
        _run([pg_tool("pg_dump", pg_bin), "--format=custom", "--no-password", f"--file={target}"])
        return target
    if connection.vendor != "sqlite":
        raise BackupError(f"backups of {connection.vendor} databases are not supported")
    target = work / SQLITE_COPY
    source = sqlite3.connect(_sqlite_path(), timeout=60)
    copy = sqlite3.connect(target)
    try:
        # All pages in one step: the step reads one snapshot (WAL lets writers go on meanwhile); a backup
        # in several steps would start over whenever another connection writes.
        source.backup(copy, pages=-1)
    finally:
        copy.close()
        source.close()
    return target


def _copy_anchors(work: Path) -> Path | None:
    source = Path(settings.ANCHOR_FILE)
    if not source.exists():
        return None
    target = work / ANCHORS
    with source.open("rb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)  # no half-appended line
        with target.open("wb") as out:
            shutil.copyfileobj(handle, out)
    return target


def _attachment_files() -> Iterator[tuple[Path, str]]:
    if not isinstance(default_storage, FileSystemStorage):
        return
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for folder, _dirs, files in os.walk(root):
        for name in sorted(files):
            path = Path(folder) / name
            yield path, f"{ATTACHMENTS}/{path.relative_to(root).as_posix()}"


def _applied_migrations() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [f"{app}.{name}" for app, name in cursor.fetchall()]


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]


def create(out: Path, *, pg_bin: str | None = None) -> BackupResult:
    """Write the backup to `out` (first under a temporary name beside it, renamed when complete)."""
    out = out.resolve()
    if not out.parent.is_dir():
        raise BackupError(f"no such directory: {out.parent}")
    partial = out.with_name(out.name + ".partial")
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".servitium-backup-") as tmp:
        work = Path(tmp)
        anchors = _copy_anchors(work)  # before the database: every head in it is within the dumped chain
        migrations = _applied_migrations()
        started = dt.datetime.now(dt.UTC)
        database = _dump_database(work, pg_bin)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created": started.isoformat(),
            "servitium": metadata.version("servitium"),
            "database": {
                "vendor": connection.vendor,
                "member": database.name,
                "bytes": database.stat().st_size,
                "sha256": _sha256(database),
            },
            "migrations": migrations,
            "anchors": {"member": ANCHORS, "sha256": _sha256(anchors)} if anchors else None,
            "attachments": {"storage": type(default_storage).__name__, "files": 0, "bytes": 0},
            "not_included": ["anchor key", "secret key"],
        }
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # the whole site's data
        with (
            os.fdopen(fd, "wb") as raw,
            tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar,
        ):
            tar.add(database, arcname=database.name)
            if anchors:
                tar.add(anchors, arcname=ANCHORS)
            for path, name in _attachment_files():  # after the database: every file it refers to exists
                try:
                    tar.add(path, arcname=name)
                except FileNotFoundError:  # deleted meanwhile: the dump may still name it, nothing to copy
                    continue
                manifest["attachments"]["files"] += 1
                manifest["attachments"]["bytes"] += path.stat().st_size if path.exists() else 0
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
            raw.flush()
            os.fsync(raw.fileno())
    os.replace(partial, out)
    return BackupResult(out, manifest)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    import io

    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


# --- restoring ----------------------------------------------------------------------------------------


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.extractfile(MANIFEST)
    except KeyError:
        raise BackupError("not a Servitium backup (no manifest.json)") from None
    manifest = json.loads(member.read()) if member else {}
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def database_has_data() -> bool:
    """Does the configured database hold anything a restore would overwrite? (A database created and
    migrated but never used holds no users and no change-log entries.)"""
    if connection.vendor == "sqlite":
        path = _sqlite_path()
        if not path.exists() or path.stat().st_size == 0:
            return False
    tables = set(connection.introspection.table_names())
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in ("core_changerecord", "parties_user"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")  # noqa: S608 - fixed names
                if cursor.fetchone():
                    return True
    return bool(tables) and "django_migrations" not in tables  # someone else's tables


def _unknown_migrations(manifest: dict[str, Any]) -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    known = {
        f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    }
    ours = {name for name in manifest.get("migrations", []) if name.split(".")[0] in _our_apps()}
    return sorted(ours - known)


def _our_apps() -> set[str]:
    from django.apps import apps

    return {config.label for config in apps.get_app_configs()}


def _extract_to(tar: tarfile.TarFile, name: str, target: Path, sha256: str | None) -> Path:
    source = tar.extractfile(name)
    if source is None:
        raise BackupError(f"the backup has no {name}")
    with target.open("wb") as out:
        shutil.copyfileobj(source, out, 1 << 20)
    if sha256 and _sha256(target) != sha256:
        raise BackupError(f"{name} in the backup is damaged (its SHA-256 differs from the manifest's)")
    return target


def _restore_postgres(dump: Path, pg_bin: str | None) -> None:
    connections.close_all()
    _run(
        [
            pg_tool("pg_restore", pg_bin),
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--no-password",
            f"--dbname={settings.DATABASES['default']['NAME']}",
            str(dump),
        ]
    )
    connections.close_all()


def _restore_sqlite(copy: Path) -> None:
    connections.close_all()
    target = _sqlite_path()
    gate = os.open(f"{target}.writers", os.O_RDWR | os.O_CREAT, 0o600)  # the writers' queue (core.db)
    try:
        fcntl.flock(gate, fcntl.LOCK_EX)
        source, destination = sqlite3.connect(copy), sqlite3.connect(target, timeout=60)
        try:
            source.backup(destination, pages=-1)
        finally:
            destination.close()
            source.close()
    finally:
        os.close(gate)
    connections.close_all()


def _restore_attachments(tar: tarfile.TarFile) -> int:
    members = [m for m in tar.getmembers() if m.name.startswith(f"{ATTACHMENTS}/") and m.isfile()]
    if not members:
        return 0
    if not isinstance(default_storage, FileSystemStorage):
        raise BackupError("the backup holds attachments, but attachments are not stored on this file system")
    root = Path(settings.MEDIA_ROOT)
    for member in members:
        member.name = member.name[len(ATTACHMENTS) + 1 :]
        tar.extract(member, root, filter="data")  # no absolute paths, no `..`, no links out
    return len(members)


def _merge_anchors(tar: tarfile.TarFile, manifest: dict[str, Any], work: Path) -> int:
    """Put the backup's signed heads into the anchor file: all of them when there is none here (a new
    machine), else those the file lacks. Returns how many lines were added."""
    if not manifest.get("anchors"):
        return 0
    copy = _extract_to(tar, ANCHORS, work / ANCHORS, manifest["anchors"]["sha256"])
    local = Path(settings.ANCHOR_FILE)
    have = set(local.read_text(encoding="utf-8").splitlines()) if local.exists() else set()
    from . import anchors

    added = 0
    for line in copy.read_text(encoding="utf-8").splitlines():
        if line.strip() and line not in have:
            anchors.append(json.loads(line))
            have.add(line)
            added += 1
    return added


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    attachments: int
    anchors_added: int
    restore_line: dict[str, Any] | None


def restore(path: Path, *, force: bool = False, pg_bin: str | None = None) -> RestoreResult:
    """Put a backup back into the configured database and data dir (the site must not be running)."""
    from django.core.management import call_command

    from . import anchors, ledgerkey
    from .models import ChainSeal

    if not path.is_file():
        raise BackupError(f"no such file: {path}")
    with tarfile.open(path, mode="r:") as tar:
        manifest = read_manifest(tar)
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise BackupError(f"this is a {vendor} backup; the configured database is {connection.vendor}")
        unknown = _unknown_migrations(manifest)
        if unknown:
            raise BackupError(
                f"the backup comes from a newer Servitium (unknown migrations: {', '.join(unknown)})"
            )
        if not force and database_has_data():
            raise BackupError(
                "the database already holds data; restoring would replace it (--force to do so)"
            )
        work_dir = Path(settings.DATA_DIR)
        with tempfile.TemporaryDirectory(dir=work_dir, prefix=".servitium-restore-") as tmp:
            work = Path(tmp)
            database = _extract_to(
                tar, manifest["database"]["member"], work / "database", manifest["database"]["sha256"]
            )
            if vendor == "postgresql":
                _restore_postgres(database, pg_bin)
            else:
                _restore_sqlite(database)
            attachments = _restore_attachments(tar)
            added = _merge_anchors(tar, manifest, work)
    call_command("migrate", verbosity=0, interactive=False)  # a backup of an earlier version
    line = None
    if ledgerkey.existing() is not None:
        head = ChainSeal.objects.filter(pk=1).first()
        line = anchors.record(
            {
                "kind": "restore",
                "seq": head.last_seq if head else 0,
                "hash": head.last_hash if head else "",
                "backup": _sha256(path),
            }
        )
    return RestoreResult(manifest, attachments, added, line)
