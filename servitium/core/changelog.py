"""The change log: one append-only entry per create, update, delete and transition, sealed into a chain.

Writers only INSERT (no lock, no read of the chain head). A periodic job (`seal`) takes the unsealed
entries in id order and links each to the previous one with SHA-256; only the sealer locks the chain head.
`verify` recomputes the whole chain and names the first entry whose stored hash does not match.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from . import context, sqlwrite
from .models import ChainSeal, ChangeRecord

SKIPPED_FIELDS = {"created", "updated", "password", "last_login"}
SEAL_BATCH = 2000


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, bytes):
        return value.hex()
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The record's field values as JSON-ready data; many-to-many fields as sorted id lists."""
    exclude = SKIPPED_FIELDS | set(getattr(instance, "changelog_exclude", ()))
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or field.primary_key:
            continue
        data[field.attname if field.is_relation else field.name] = _jsonable(getattr(instance, field.attname))
    if instance.pk is not None:
        for field in instance._meta.many_to_many:
            if field.name in exclude:
                continue
            data[field.name] = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    return data


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    before, after = before or {}, after or {}
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def record(
    instance: models.Model,
    *,
    action: str,
    actor: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    message: str = "",
    changes: dict[str, list[Any]] | None = None,
) -> ChangeRecord | None:
    """Append one entry. For an update with no field changed (and no message) nothing is written."""
    if after is None and action != ChangeRecord.Action.DELETE:
        after = snapshot(instance)
    if changes is None:
        changes = diff(before, after)
    if action == ChangeRecord.Action.UPDATE and not changes and not message:
        return None
    actor = actor if actor is not None else context.actor()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    entry = ChangeRecord(
        actor=actor if authenticated else None,
        actor_name=actor.get_username() if authenticated else "",
        action=action,
        object_type=f"{instance._meta.app_label}.{instance._meta.model_name}",
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        changes=changes,
        message=message[:500],
        context=context.channel(),
        request_id=context.request_id(),
    )
    sqlwrite.insert(entry)  # every write of the system passes here: SQL prepared once
    return entry


def record_many(
    instances: list[models.Model],
    *,
    action: str = ChangeRecord.Action.CREATE,
    actor: Any = None,
    message: str = "",
    with_changes: bool = True,
    timestamp: Any = None,
) -> int:
    """One entry per record for a batch written together (imports, generators), stored in one INSERT per
    thousand entries. `with_changes=False` leaves the field values out (generated bulk data, where the
    records themselves are the evidence); `timestamp` dates entries of history written after the fact
    (a callable of the record, or one instant)."""
    actor = actor if actor is not None else context.actor()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    channel, request_id = context.channel(), context.request_id()
    entries = []
    for instance in instances:
        entry = ChangeRecord(
            actor=actor if authenticated else None,
            actor_name=actor.get_username() if authenticated else "",
            action=action,
            object_type=f"{instance._meta.app_label}.{instance._meta.model_name}",
            object_id=instance.pk,
            object_repr=str(instance)[:200],
            changes=diff(None, snapshot(instance)) if with_changes else {},
            message=message[:500],
            context=channel,
            request_id=request_id,
        )
        if timestamp is not None:
            entry.timestamp = timestamp(instance) if callable(timestamp) else timestamp
        entries.append(entry)
    if connection.vendor == "postgresql" and len(entries) > 100:
        sqlwrite.copy_rows(ChangeRecord, entries, with_pk=False)  # batches of history: COPY is ~6x faster
    else:
        ChangeRecord.objects.bulk_create(entries, batch_size=1000)
    return len(entries)


def seal(batch: int = SEAL_BATCH) -> int:
    """Chain every unsealed entry; returns how many were sealed. Safe to run concurrently with writers."""
    total = 0
    while True:
        sealed = _seal_batch(batch)
        total += sealed
        if sealed < batch:
            return total


@transaction.atomic
def _seal_batch(batch: int) -> int:
    ChainSeal.objects.get_or_create(pk=1)
    head = ChainSeal.objects.select_for_update().get(pk=1)
    pending = list(ChangeRecord.objects.filter(seq__isnull=True).order_by("id")[:batch])
    if not pending:
        return 0
    previous, seq = head.last_hash, head.last_seq
    for entry in pending:
        seq += 1
        entry.seq = seq
        entry.chain_hash = entry.compute_hash(previous)
        previous = entry.chain_hash
    _store_seals(pending)
    head.last_seq, head.last_hash, head.sealed_at = seq, previous, timezone.now()
    head.save()
    return len(pending)


def _store_seals(entries: list[ChangeRecord]) -> None:
    """Write the entries' positions and hashes in one UPDATE joined to a VALUES list (PostgreSQL and
    SQLite >= 3.33): a CASE per row, as bulk_update writes it, costs the database and Python time
    quadratic in the batch, on a job that runs every minute beside the busiest writes."""
    from django.db import connection

    quote = connection.ops.quote_name
    table = quote(ChangeRecord._meta.db_table)
    rows = ", ".join(["(CAST(%s AS BIGINT), CAST(%s AS BIGINT), %s)"] * len(entries))
    params = [value for e in entries for value in (e.pk, e.seq, e.chain_hash)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH v (id, seq, hash) AS (VALUES {rows}) "  # noqa: S608 - fixed identifiers
            f"UPDATE {table} SET seq = v.seq, chain_hash = v.hash FROM v WHERE {table}.id = v.id",
            params,
        )
        if cursor.rowcount not in (-1, len(entries)):  # SQLite's driver gives -1 for a WITH statement
            raise RuntimeError("sealing updated a different number of change-log entries than it read")


@dataclass
class Verification:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""


def _sealed_entries(chunk: int = 5000) -> Iterator[ChangeRecord]:
    last = 0
    while True:
        rows = list(ChangeRecord.objects.filter(seq__gt=last).order_by("seq")[:chunk])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify() -> Verification:
    """Recompute the chain from the first sealed entry; report the first entry that does not verify."""
    previous, expected_seq, checked = "", 1, 0
    for entry in _sealed_entries():
        if entry.seq != expected_seq:
            return Verification(
                False, checked, entry.id, f"sequence gap: expected {expected_seq}, found {entry.seq}"
            )
        if entry.compute_hash(previous) != entry.chain_hash:
            return Verification(False, checked, entry.id, "content or hash does not match the chain")
        previous, expected_seq, checked = entry.chain_hash, expected_seq + 1, checked + 1
    head = ChainSeal.objects.filter(pk=1).first()
    if head and (head.last_seq != checked or head.last_hash != previous):
        return Verification(False, checked, None, "the chain head does not match the last sealed entry")
    return Verification(True, checked)
