"""The global search index: one `SearchEntry` per record of every type whose declaration says `indexed`.

Kept current by the one audited write path: every create, update, transition and delete writes its
change-log entry (`changelog.record`, `record_many`), and the change log calls `changed` / `changed_many`
here in the same transaction, so an entry is never ahead of or behind its record once committed. Writes
that bypass the change log (a cascade deleting children, a queryset `.update()`) are caught by `reindex`
(`servitium reindex`, run after demo loading and upgrades); until then a stale entry finds nothing,
because results are read back through the permission path and a missing record is dropped.

The full-text structures are per database (migration core 0007): PostgreSQL computes a weighted
`tsvector` column from reference, title and body (GIN index); SQLite keeps the FTS5 table
`core_searchfts` in step with triggers on `core_searchentry`. SQLite drops a table's triggers when a
migration rebuilds it, so `repair` runs after every `migrate`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from . import sqlwrite
from .declaration import Indexed, declared, resource_for

TABLE = "core_searchentry"
FTS_TABLE = "core_searchfts"
CONFIG = "english"  # PostgreSQL text-search configuration of the generated column and of queries
TITLE_MAX, BODY_MAX, REFERENCE_MAX = 300, 20_000, 40
BATCH = 1000


@dataclass(frozen=True)
class Spec:
    """What to read from one record type's records (derived once from its declaration)."""

    record_type: str
    indexed: Indexed
    has_reference: bool
    tenant: str | None  # the tenant path when each record belongs to one customer organization
    relevant: frozenset[str]  # change-log keys whose change alters the entry
    direct: str | None = None  # the tenant path when it is a field of the record itself (kept current)

    def related(self) -> list[str]:
        """Relations to fetch with the records when indexing many (the paths through other records)."""
        paths = [p.rsplit("__", 1)[0] for p in self.indexed.paths if "__" in p]
        if self.tenant and "__" in self.tenant:
            paths.append(self.tenant.rsplit("__", 1)[0])
        return sorted(set(paths))


_SPECS: dict[type[models.Model], Spec | None] = {}


def spec_for(model: type[models.Model]) -> Spec | None:
    """The record type's index spec; None when it is not found by the global search (a dict lookup after
    the first call: this runs on every write)."""
    try:
        return _SPECS[model]
    except KeyError:
        pass
    resource = resource_for(model)
    found = None
    if resource.indexed is not None:
        names = {f.name: f for f in model._meta.get_fields()}
        tenant = resource.tenant if resource.owned_by_one_customer() else None
        roots = {p.split("__")[0] for p in (*resource.indexed.paths, tenant or "")} | {"reference"}
        relevant = set()
        for root in roots:
            field = names.get(root)
            if field is not None and field.concrete:
                relevant |= {field.name, field.attname}
        direct = tenant if tenant and "__" not in tenant else None
        found = Spec(
            resource.label(), resource.indexed, "reference" in names, tenant, frozenset(relevant), direct
        )
    _SPECS[model] = found
    return found


def indexed_models() -> list[type[models.Model]]:
    return [r.model for r in declared() if r.indexed is not None]


def _read(instance: models.Model, path: str) -> Any:
    """The value at `path` (`a__b__c`), None where a relation on the way is empty; a relation at the end
    gives its key."""
    value: Any = instance
    parts = path.split("__")
    for i, part in enumerate(parts):
        if value is None:
            return None
        if part == "pk":
            return value.pk
        field = value._meta.get_field(part)
        if i == len(parts) - 1 and field.is_relation and field.concrete:
            return getattr(value, field.attname)
        value = getattr(value, part)
    return value


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def entry_values(spec: Spec, instance: models.Model) -> tuple:
    """(record_type, record_id, organization_id, reference, title, body, updated) of one record."""
    indexed = spec.indexed
    reference = (getattr(instance, "reference", "") if spec.has_reference else "") or ""
    if indexed.title:
        title = _text(_read(instance, indexed.title))
    else:  # the record's own name, without the reference shown beside it anyway
        title = str(instance).removeprefix(reference).lstrip(" :-") if reference else str(instance)
    body = "\n".join(t for t in (_text(_read(instance, p)) for p in indexed.body) if t)
    organization = _read(instance, spec.tenant) if spec.tenant else None
    updated = getattr(instance, "updated", None) or timezone.now()
    return (
        spec.record_type,
        instance.pk,
        organization,
        reference[:REFERENCE_MAX],
        title[:TITLE_MAX],
        body[:BODY_MAX],
        updated,
    )


_COLUMNS = "record_type, record_id, organization_id, reference, title, body, updated"
_UPSERT = (
    f"INSERT INTO {TABLE} ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s) "  # noqa: S608 - constants
    "ON CONFLICT (record_type, record_id) DO UPDATE SET organization_id = excluded.organization_id, "
    "reference = excluded.reference, title = excluded.title, body = excluded.body, updated = excluded.updated"
)
_FORGET = f"DELETE FROM {TABLE} WHERE record_type = %s AND record_id = %s"  # noqa: S608 - constants


def _params(values: tuple) -> list[Any]:
    *head, updated = values
    return [*head, connection.ops.adapt_datetimefield_value(updated)]


def changed(instance: models.Model, action: str, changes: dict[str, Any] | None = None) -> None:
    """A change-log entry was written for `instance`: bring its search entry up to date."""
    spec = spec_for(type(instance))
    if spec is None or instance.pk is None:
        return
    if action == "delete":
        sqlwrite.run(_FORGET, [spec.record_type, instance.pk])
        return
    if action != "create" and changes is not None and spec.relevant.isdisjoint(changes):
        return  # nothing the entry holds has changed (a status, an assignment)
    sqlwrite.run(_UPSERT, _params(entry_values(spec, instance)))


def changed_many(instances: Iterable[models.Model], action: str = "create") -> int:
    """Entries for a batch of records of one model written together (imports, generators)."""
    # One entry per record: a batch may name a record twice (two updates of it logged together), and an
    # upsert may not touch the same row twice in one statement; the last state is the one to index.
    instances = list({i.pk: i for i in instances if i.pk is not None}.values())
    if not instances:
        return 0
    spec = spec_for(type(instances[0]))
    if spec is None:
        return 0
    if action == "delete":
        from .models import SearchEntry

        ids = [i.pk for i in instances]
        SearchEntry.objects.filter(record_type=spec.record_type, record_id__in=ids).delete()
        return len(ids)
    _store(spec, instances, upsert=True)
    return len(instances)


def _store(spec: Spec, instances: list[models.Model], *, upsert: bool) -> None:
    from .models import SearchEntry

    fields = ("organization_id", "reference", "title", "body", "updated")
    rows = []
    for instance in instances:
        values = entry_values(spec, instance)
        rows.append(SearchEntry(**dict(zip(("record_type", "record_id", *fields), values, strict=True))))
    options: dict[str, Any] = {"batch_size": BATCH}
    if upsert:
        options |= {
            "update_conflicts": True,
            "unique_fields": ["record_type", "record_id"],
            "update_fields": list(fields),
        }
    SearchEntry.objects.bulk_create(rows, **options)


def reindex(models_: Iterable[type[models.Model]] | None = None) -> dict[str, int]:
    """Build the entries of the given record types (default: every indexed type) from their records, and
    drop entries of types no longer indexed. Returns the number of entries per record type."""
    from .models import SearchEntry

    every = indexed_models()
    chosen = list(models_) if models_ is not None else every
    counts: dict[str, int] = {}
    if models_ is None:
        known = [spec_for(m).record_type for m in every]
        SearchEntry.objects.exclude(record_type__in=known).delete()
    for model in chosen:
        spec = spec_for(model)
        if spec is None:
            continue
        with transaction.atomic():
            SearchEntry.objects.filter(record_type=spec.record_type).delete()
            records = model._base_manager.order_by("pk")
            if spec.related():
                records = records.select_related(*spec.related())
            batch, total = [], 0
            for instance in records.iterator(chunk_size=BATCH):
                batch.append(instance)
                if len(batch) == BATCH:
                    _store(spec, batch, upsert=False)
                    total, batch = total + len(batch), []
            if batch:
                _store(spec, batch, upsert=False)
                total += len(batch)
        counts[spec.record_type] = total
    return counts


def index_missing_types() -> dict[str, int]:
    """Index the record types that have records but no entries at all (a new install's existing data, a
    type newly declared `indexed` by an upgrade): run after every `migrate`."""
    from .models import SearchEntry

    missing = [
        m
        for m in indexed_models()
        if not SearchEntry.objects.filter(record_type=spec_for(m).record_type).exists()
        and m._base_manager.exists()
    ]
    return reindex(missing) if missing else {}


# --- SQLite: the FTS5 table and its triggers ----------------------------------------------------------

_FTS_COLUMNS = "reference, title, body"
_NEW = "new.id, new.reference, new.title, new.body"
_OLD = "old.id, old.reference, old.title, old.body"
# All SQL here is composed from the constants above, never from input (hence the S608 exemptions).
_ADD = f"INSERT INTO {FTS_TABLE} (rowid, {_FTS_COLUMNS}) VALUES ({_NEW});"  # noqa: S608
_DROP = f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, {_FTS_COLUMNS}) VALUES ('delete', {_OLD});"  # noqa: S608
SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5({_FTS_COLUMNS}, "
    f"content='{TABLE}', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
)
_TRIGGER = "CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON " + TABLE + " BEGIN {body} END"
SQLITE_TRIGGERS = {
    name: _TRIGGER.format(name=name, event=event, body=body)
    for name, event, body in (
        (f"{FTS_TABLE}_ai", "INSERT", _ADD),
        (f"{FTS_TABLE}_ad", "DELETE", _DROP),
        (f"{FTS_TABLE}_au", "UPDATE", f"{_DROP} {_ADD}"),
    )
}
SQLITE_REBUILD = f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('rebuild')"  # noqa: S608

# --- PostgreSQL: the generated tsvector column and its GIN index ----------------------------------------
# The reference is indexed without stemming ('simple'), so that INC0000042 stays one exact token.
POSTGRES_INSTALL = [
    f"ALTER TABLE {TABLE} ADD COLUMN document tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', reference), 'A') || "
    f"setweight(to_tsvector('{CONFIG}', title), 'A') || "
    f"setweight(to_tsvector('{CONFIG}', body), 'B')) STORED",
    f"CREATE INDEX searchentry_document_idx ON {TABLE} USING gin (document)",
]
POSTGRES_UNINSTALL = [
    "DROP INDEX IF EXISTS searchentry_document_idx",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS document",
]


def install_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return POSTGRES_INSTALL
    if vendor == "sqlite":
        return [SQLITE_TABLE, *SQLITE_TRIGGERS.values(), SQLITE_REBUILD]
    return []


def uninstall_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return POSTGRES_UNINSTALL
    if vendor == "sqlite":
        return [
            *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
            f"DROP TABLE IF EXISTS {FTS_TABLE}",
        ]
    return []


def repair(conn: Any = None, *, rebuild: bool = False) -> bool:
    """SQLite: put back triggers a table rebuild dropped and rebuild the FTS5 table from the entries (also
    when `rebuild` is asked for); True if anything was missing."""
    conn = conn or connection
    if conn.vendor != "sqlite":
        return False
    with conn.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE %s", [f"{FTS_TABLE}%"])
        present = {row[0] for row in cursor.fetchall()}
        if FTS_TABLE not in present:  # migration 0007 is not applied yet
            return False
        missing = [sql for name, sql in SQLITE_TRIGGERS.items() if name not in present]
        if not missing and not rebuild:
            return False
        for sql in [*missing, SQLITE_REBUILD]:
            cursor.execute(sql)
    return bool(missing)
