"""Reference numbers (INC0001234, SVC0000012, ...) unique under concurrent creation.

PostgreSQL: one sequence per prefix. `nextval` never waits for other transactions, so concurrent creators
do not queue behind each other (a rolled-back creation leaves a gap, which is harmless).
SQLite: writers are serialised by the database anyway; an UPSERT ... RETURNING on a counter row is atomic.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection, transaction

from . import sqlwrite

REFERENCE_DIGITS = 7


def _sequence_name(prefix: str) -> str:
    if not prefix.isalpha() or not prefix.isupper():
        raise ValueError(f"reference prefix must be upper-case letters, got {prefix!r}")
    return f"servitium_ref_{prefix.lower()}"


_SEEN_SEQUENCES: set[str] = set()  # sequences this process has drawn from: they exist


def next_number(prefix: str) -> int:
    if connection.vendor == "postgresql":
        name = _sequence_name(prefix)
        if name in _SEEN_SEQUENCES:  # one round trip; the guarded form below costs three
            return sqlwrite.run("SELECT nextval(%s)", [name])[0][0]
        _SEEN_SEQUENCES.add(name)
        with connection.cursor() as cursor:
            try:
                with transaction.atomic():
                    cursor.execute("SELECT nextval(%s)", [name])
                    return cursor.fetchone()[0]
            except Exception:  # noqa: BLE001 - sequence not created yet (new model before migrate hook ran)
                cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name}")
                cursor.execute("SELECT nextval(%s)", [name])
                return cursor.fetchone()[0]
    _sequence_name(prefix)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_referencecounter (prefix, last) VALUES (%s, 1) "
            "ON CONFLICT(prefix) DO UPDATE SET last = last + 1 RETURNING last",
            [prefix],
        )
        return cursor.fetchone()[0]


def next_numbers(prefix: str, count: int) -> list[int]:
    """`count` fresh numbers in one round trip, for writers of many records at once (imports, generators);
    as safe beside live creation as `next_number`."""
    if count <= 0:
        return []
    if connection.vendor == "postgresql":
        name = _sequence_name(prefix)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name}")
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [name, count])
            return sorted(row[0] for row in cursor.fetchall())
    _sequence_name(prefix)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_referencecounter (prefix, last) VALUES (%s, %s) "
            "ON CONFLICT(prefix) DO UPDATE SET last = last + %s RETURNING last",
            [prefix, count, count],
        )
        last = cursor.fetchone()[0]
    return list(range(last - count + 1, last + 1))


def format_reference(prefix: str, number: int) -> str:
    return f"{prefix}{number:0{REFERENCE_DIGITS}d}"


def next_reference(prefix: str) -> str:
    return format_reference(prefix, next_number(prefix))


def ensure_sequences(**kwargs) -> None:
    """post_migrate: create the PostgreSQL sequence of every model that carries a reference prefix."""
    using = kwargs.get("using", "default")
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        for model in apps.get_models():
            prefix = getattr(model, "reference_prefix", None)
            if prefix:
                cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {_sequence_name(prefix)}")
