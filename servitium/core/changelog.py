"""The change log: one append-only entry per create, update, delete and transition, sealed into a chain.

Writers only INSERT (no lock, no read of the chain head); each entry carries a MAC under the anchor key
(core/ledgerkey.py). A periodic job (`seal`) takes the unsealed entries in id order, keeps out those
without a valid MAC (rows put into the table without the key) and copies of earlier entries, links the
others to the previous one with SHA-256, and signs the head it reached into the anchor file
(core/anchors.py); only the sealer locks the chain head. `ledgercheck.verify` checks the whole chain
against the signed heads.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import logging
import math
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, Min, Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from . import anchors, context, ledgercheck, ledgerkey, outbound, searchindex, sqlwrite
from .models import ChainSeal, ChangeRecord

logger = logging.getLogger(__name__)

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
    kind = type(value)
    if kind is float or kind is dict or kind is list:  # JSON field values, floats: as stored
        return stored_form(value)
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


def stored_form(value: Any) -> Any:
    """`value` as the database hands it back, so that the MAC taken when an entry is written matches the
    entry read back: JSON's string keys and lists, whole numbers beyond 1e16 as integers and no negative
    zero (PostgreSQL's jsonb prints them so). `snapshot` gives values in this form already (what
    `record_many` writes); `record` applies it to the changes it is given."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        return {k if isinstance(k, str) else json.dumps(k): stored_form(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [stored_form(v) for v in value]
    if kind is float and math.isfinite(value):
        if value == 0:
            return 0.0
        if abs(value) >= 1e16:
            return int(decimal.Decimal(repr(value)))
    return value


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
        changes=stored_form(changes),
        message=message[:500],
        context=context.channel(),
        request_id=context.request_id(),
    )
    ledgerkey.mark([entry])
    sqlwrite.insert(entry)  # every write of the system passes here: SQL prepared once
    searchindex.changed(instance, action, changes)  # a dict lookup unless the type is found by search
    outbound.changed(instance, action, actor=actor, changes=changes)  # a dict lookup unless subscribed
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
    ledgerkey.mark(entries)
    if connection.vendor == "postgresql" and len(entries) > 100:
        sqlwrite.copy_rows(ChangeRecord, entries, with_pk=False)  # batches of history: COPY is ~6x faster
    else:
        ChangeRecord.objects.bulk_create(entries, batch_size=1000)
    searchindex.changed_many(instances, action)
    if timestamp is None:  # history written after the fact is not news to announce
        outbound.changed_many(instances, action, actor=actor)
    return len(entries)


@dataclass(frozen=True)
class SealStatus:
    last_seq: int
    sealed_at: dt.datetime | None
    unsealed: int  # waiting for the sealer
    refused: int  # kept out of the chain (no valid MAC, or a copy)
    oldest_unsealed: dt.datetime | None


def seal_status() -> SealStatus:
    """Where the sealer stands, in two small queries (the unsealed entries have their own partial index)."""
    head = ChainSeal.objects.filter(pk=1).values_list("last_seq", "sealed_at").first() or (0, None)
    waiting = ChangeRecord.objects.filter(seq__isnull=True).order_by()
    counts = waiting.aggregate(
        n_unsealed=Count("id", filter=Q(refused="")),
        n_refused=Count("id", filter=~Q(refused="")),
        oldest=Min("timestamp", filter=Q(refused="")),
    )
    return SealStatus(head[0], head[1], counts["n_unsealed"], counts["n_refused"], counts["oldest"])


class ChainTampered(Exception):
    """The chain past the last signed head is not the sealer's work: sealing stops rather than sign it."""


def seal(batch: int = SEAL_BATCH) -> int:
    """Chain every unsealed entry with a valid MAC, keep out the others, and sign the head reached.
    Returns how many were chained. Safe to run concurrently with writers and with another sealer; runs
    outside a transaction (the signed head is written after the database has committed the chain)."""
    key = ledgerkey.current()
    signed = anchors.latest_head()
    total, refused, legacy = 0, [], None
    first = True
    while True:
        sealed, turned_away, genesis = _seal_batch(batch, key, signed, check=first)
        if first:
            legacy, first = genesis, False
        total += sealed
        refused += turned_away
        if sealed + len(turned_away) < batch:
            break
    head = ChainSeal.objects.get(pk=1)
    if signed is None or refused or (head.last_seq, head.last_hash) != (signed.seq, signed.hash):
        record: dict[str, Any] = {
            "kind": "head",
            "seq": head.last_seq,
            "hash": head.last_hash,
            "refused": refused,
        }
        if signed is None:
            record["legacy_through"] = legacy
        anchors.record(record)
    return total


@transaction.atomic
def _seal_batch(
    batch: int, key: ledgerkey.AnchorKey, signed: anchors.Anchor | None, check: bool
) -> tuple[int, list[int], int | None]:
    ChainSeal.objects.get_or_create(pk=1)
    head = ChainSeal.objects.select_for_update().get(pk=1)
    legacy = None
    if check:
        problem = ledgercheck.unsigned_span_problem(signed, head, key)
        if problem:
            logger.error("change log: not sealing: %s (run servitium verify-changelog)", problem)
            raise ChainTampered(problem)
        if signed is None:  # the first signed head: positions before entries carried MACs stay exempt
            legacy = ledgercheck.legacy_prefix(head.last_seq)
    pending = list(ChangeRecord.objects.filter(seq__isnull=True, refused="").order_by("id")[:batch])
    if not pending:
        return 0, [], legacy
    refusals = _screen(pending, key)
    if refusals:
        _store_refusals(refusals)
    accepted = [e for e in pending if e.pk not in refusals]
    previous, seq = head.last_hash, head.last_seq
    for entry in accepted:
        seq += 1
        entry.seq = seq
        entry.chain_hash = entry.compute_hash(previous)
        previous = entry.chain_hash
    if accepted:
        _store_seals(accepted)
        head.last_seq, head.last_hash, head.sealed_at = seq, previous, timezone.now()
        head.save()
    return len(accepted), sorted(refusals), legacy


def _screen(pending: list[ChangeRecord], key: ledgerkey.AnchorKey) -> dict[int, str]:
    """The entries the chain must not take in, with the reason: no valid MAC (not written by the
    application holding the key, or altered since), or a copy of an earlier entry (same MAC: the nonce
    in it makes every written entry's MAC unique)."""
    refusals = {
        e.pk: "no valid MAC: not written by Servitium, or altered since"
        for e in pending
        if not ledgerkey.mac_valid(e, key)
    }
    genuine = [e for e in pending if e.pk not in refusals]
    if genuine:
        earlier: dict[str, int] = {}
        for pk, mac in _same_macs(genuine):
            if pk not in refusals:
                earlier[mac] = min(pk, earlier.get(mac, pk))
        for entry in genuine:
            if earlier.get(entry.mac, entry.pk) != entry.pk:
                refusals[entry.pk] = f"a copy of entry {earlier[entry.mac]}"
    if refusals:
        logger.error(
            "change log: kept %d entries out of the chain (ids %s); servitium verify-changelog lists them",
            len(refusals),
            ", ".join(map(str, sorted(refusals))),
        )
    return refusals


def _same_macs(entries: list[ChangeRecord]) -> list[tuple[int, str]]:
    """(id, mac) of every entry not refused that carries one of these entries' MACs (themselves too). A
    copy has its original's time as well, so the time index finds the original."""
    times, macs = list({e.timestamp for e in entries}), [e.mac for e in entries]
    if (
        connection.vendor == "postgresql"
    ):  # one array each: an IN list of thousands costs more to build than to run
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, mac FROM {connection.ops.quote_name(ChangeRecord._meta.db_table)}"  # noqa: S608
                " WHERE timestamp = ANY(%s) AND mac = ANY(%s) AND refused = ''",
                [times, macs],
            )
            return cursor.fetchall()
    return list(
        ChangeRecord.objects.filter(timestamp__in=times, mac__in=macs, refused="").values_list("pk", "mac")
    )


def _store_refusals(refusals: dict[int, str]) -> None:
    by_reason: dict[str, list[int]] = defaultdict(list)
    for pk, reason in refusals.items():
        by_reason[reason].append(pk)
    for reason, ids in by_reason.items():
        ChangeRecord.objects.filter(pk__in=ids).update(refused=reason[:200])


def _store_seals(entries: list[ChangeRecord]) -> None:
    """Write the entries' positions and hashes in one UPDATE joined to a VALUES list (PostgreSQL and
    SQLite >= 3.33): a CASE per row, as bulk_update writes it, costs the database and Python time
    quadratic in the batch, on a job that runs every minute beside the busiest writes."""
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


def discard_refused() -> list[int]:
    """Delete the entries the sealer refused (after they were looked into), first recording their ids
    as a signed line in the anchor file, so that the deletion is on record outside the database."""
    ids = list(ChangeRecord.objects.exclude(refused="").order_by("id").values_list("pk", flat=True))
    if ids:
        anchors.record({"kind": "discard", "ids": ids})
        ChangeRecord.objects.filter(pk__in=ids).delete()
    return ids


def reseal_unanchored() -> int:
    """Take the chain back to the last signed head and seal again what came after it: the way out when
    rows were chained in past the last signed head without the sealer (sealing stopped with
    ChainTampered). Entries with a valid MAC are chained again (at new positions, which no signed head
    had covered); the others are refused. Returns how many positions were undone."""
    signed = anchors.latest_head()
    if signed is None:
        raise ChainTampered("there is no signed head to go back to")
    with transaction.atomic():
        ChainSeal.objects.get_or_create(pk=1)
        head = ChainSeal.objects.select_for_update().get(pk=1)
        if head.last_seq < signed.seq or (
            signed.seq
            and ChangeRecord.objects.filter(seq=signed.seq).values_list("chain_hash", flat=True).first()
            != signed.hash
        ):
            raise ChainTampered(
                f"the chain up to the last signed head (seq {signed.seq}) is not intact; restore a backup"
            )
        undone = ChangeRecord.objects.filter(seq__gt=signed.seq).update(seq=None, chain_hash="")
        head.last_seq, head.last_hash, head.sealed_at = signed.seq, signed.hash, timezone.now()
        head.save()
    seal()
    return undone
