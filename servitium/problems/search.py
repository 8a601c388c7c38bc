"""Full-text search of active known errors and resolved incidents: what incident handling reaches while an
agent types (2011 8.1 / 8.2: known errors and problem resolutions available to incident management).

Two backends behind one function, `search()`:

- PostgreSQL: `tsvector` expressions over the records' text, ranked with `ts_rank`; migration 0002 puts GIN
  indexes on exactly these expressions (`known_error_vector()`, `incident_vector()`).
- SQLite: an FTS5 table `problems_search` ranked with BM25. Triggers on `problems_knownerror` and
  `incidents_incident` keep it in step with every write, bulk ones included. Rows: known error *n* has rowid
  2n, incident *n* 2n+1. Only active known errors and resolved/closed incidents are indexed.

Queries are reduced to plain words (letters and digits) before they reach either engine, so quotes,
operators and other punctuation in what people type cannot break the query. Results pass through
`permissions.restrict`: customer users get nothing, provider users see known errors with a view grant on
the problems area and incidents with one on the incidents area.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from servitium.core import permissions
from servitium.incidents.models import Incident

from .models import KnownError

KNOWN_ERROR, INCIDENT = "known_error", "incident"
KINDS = (KNOWN_ERROR, INCIDENT)
CONFIG = "english"  # PostgreSQL text-search configuration (the GIN indexes are built with it)
TABLE = "problems_search"
MAX_TERMS = 12
MAX_LIMIT = 50
KNOWN_ERROR_BOOST = 2.0  # a known error is worth more to the agent than one past incident of equal relevance
MARK_START, MARK_END = "\x02", "\x03"  # around matched words in snippets (at worst they become <mark>)
INCIDENT_DONE = (Incident.Status.RESOLVED, Incident.Status.CLOSED)
_COMMON_WORDS = (
    "a about an and are as at be been but by can could did do does for from had has have he her his how i if "
    "in into is it its me my no not of on or our she so than that the their them then there these they this "
    "to us was we were what when where which who why will with would you your"
)
STOPWORDS = frozenset(_COMMON_WORDS.split())
_WORD = re.compile(r"[^\W_]+")


def terms(query: Any) -> list[str]:
    """The words of a query, lower-cased, without stop words, duplicates or punctuation (at most 12)."""
    words: list[str] = []
    for word in _WORD.findall(str(query or "").lower()):
        word = word[:40]
        if len(word) > 1 and word not in STOPWORDS and word not in words:
            words.append(word)
    return words[:MAX_TERMS]


@dataclass
class Hit:
    kind: str
    id: int
    reference: str
    title: str
    snippet: str  # with MARK_START / MARK_END around matched words
    remedy: str  # the known error's workaround or the incident's resolution
    score: float
    url: str

    def as_dict(self) -> dict[str, Any]:
        remedy_key = "workaround" if self.kind == KNOWN_ERROR else "resolution"
        return {
            "kind": self.kind,
            "id": self.id,
            "reference": self.reference,
            "title": self.title,
            "snippet": self.snippet.replace(MARK_START, "").replace(MARK_END, ""),
            remedy_key: self.remedy,
            "score": round(self.score, 4),
        }

    @property
    def snippet_html(self) -> SafeString:
        """The snippet escaped for HTML, matched words in <mark>."""
        text = escape(self.snippet).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
        return mark_safe(text)  # noqa: S308 - escaped above; only our own markers become tags


def _visible(user: Any, kinds: tuple[str, ...]) -> dict[str, Any]:
    visible = {}
    if KNOWN_ERROR in kinds:
        visible[KNOWN_ERROR] = permissions.restrict(
            KnownError.objects.filter(status=KnownError.Status.ACTIVE), user
        )
    if INCIDENT in kinds:
        visible[INCIDENT] = permissions.restrict(
            Incident.objects.filter(kind=Incident.Kind.INCIDENT, status__in=INCIDENT_DONE), user
        )
    return visible


def search(query: Any, user: Any, *, kinds: tuple[str, ...] = KINDS, limit: int = 10) -> list[Hit]:
    """Known errors and resolved incidents matching the words of `query`, best first."""
    words = terms(query)
    if not words or not permissions.is_provider_user(user):
        return []
    limit = max(1, min(int(limit), MAX_LIMIT))
    visible = _visible(user, kinds)
    if connection.vendor == "postgresql":
        return _postgres(words, visible, limit)
    return _sqlite(words, visible, limit)


def search_known_errors(query: Any, user: Any, limit: int = 10) -> list[Hit]:
    return search(query, user, kinds=(KNOWN_ERROR,), limit=limit)


def suggest(query: Any, user: Any, limit: int = 10) -> list[Hit]:
    """What the incident form offers while the agent types: known errors and resolved incidents."""
    return search(query, user, kinds=KINDS, limit=limit)


def _hit(kind: str, obj: Any, snippet: str, score: float) -> Hit:
    if kind == KNOWN_ERROR:
        remedy, fallback = obj.workaround, obj.symptoms
    else:
        remedy, fallback = obj.resolution_notes, obj.description
    return Hit(
        kind=kind,
        id=obj.pk,
        reference=obj.reference,
        title=obj.title,
        snippet=snippet or fallback[:200],
        remedy=remedy,
        score=float(score or 0.0),
        url=obj.get_absolute_url(),
    )


# --- PostgreSQL -------------------------------------------------------------------------------------------


def known_error_vector() -> SearchVector:
    return (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("symptoms", weight="B", config=CONFIG)
        + SearchVector("root_cause", "workaround", weight="C", config=CONFIG)
    )


def incident_vector() -> SearchVector:
    return (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("resolution_notes", weight="B", config=CONFIG)
        + SearchVector("description", weight="C", config=CONFIG)
    )


# The GIN indexes (migration 0002) are partial: they cover the rows `_visible` searches.
KNOWN_ERROR_INDEXED = Q(status="active")
INCIDENT_INDEXED = Q(kind="incident", status__in=["resolved", "closed"])


def postgres_indexes(apps) -> list[tuple[Any, Any]]:
    from django.contrib.postgres.indexes import GinIndex

    return [
        (
            apps.get_model("problems", "KnownError"),
            GinIndex(known_error_vector(), condition=KNOWN_ERROR_INDEXED, name="knownerror_fulltext_idx"),
        ),
        (
            apps.get_model("incidents", "Incident"),
            GinIndex(incident_vector(), condition=INCIDENT_INDEXED, name="incident_fulltext_idx"),
        ),
    ]


SPACE = Value(" ", output_field=TextField())


def _postgres(words: list[str], visible: dict[str, Any], limit: int) -> list[Hit]:
    # Words are letters and digits only, so this raw tsquery cannot be malformed. Any word may match
    # (ranking prefers records matching more of them); the last one may be a word still being typed.
    query = SearchQuery(" | ".join([*words[:-1], f"{words[-1]}:*"]), search_type="raw", config=CONFIG)
    sources = {
        KNOWN_ERROR: (known_error_vector(), Concat("symptoms", SPACE, "root_cause", SPACE, "workaround")),
        INCIDENT: (incident_vector(), Concat("description", SPACE, "resolution_notes")),
    }
    hits = []
    for kind, queryset in visible.items():
        vector, text = sources[kind]
        rows = (
            queryset.annotate(fulltext=vector)
            .filter(fulltext=query)
            .annotate(
                score=SearchRank(F("fulltext"), query),
                snippet=SearchHeadline(
                    text,
                    query,
                    config=CONFIG,
                    start_sel=MARK_START,
                    stop_sel=MARK_END,
                    max_words=30,
                    min_words=12,
                ),
            )
            .order_by("-score", "-pk")[:limit]
        )
        boost = KNOWN_ERROR_BOOST if kind == KNOWN_ERROR else 1.0
        hits += [_hit(kind, row, row.snippet, row.score * boost) for row in rows]
    return sorted(hits, key=lambda h: -h.score)[:limit]


# --- SQLite -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    kind: str
    table: str
    offset: int  # rowid = id * 2 + offset
    columns: tuple[str, str, str, str]  # -> title, body, cause, remedy
    indexed: str  # which rows are indexed; `{r}` is the row prefix (new. in triggers)


SOURCES = (
    _Source(
        KNOWN_ERROR,
        "problems_knownerror",
        0,
        ("title", "symptoms", "root_cause", "workaround"),
        "{r}status = 'active'",
    ),
    _Source(
        INCIDENT,
        "incidents_incident",
        1,
        ("title", "description", "''", "resolution_notes"),
        "{r}kind = 'incident' AND {r}status IN ('resolved', 'closed')",
    ),
)
SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    "kind UNINDEXED, obj_id UNINDEXED, title, body, cause, remedy, "
    "tokenize = 'porter unicode61 remove_diacritics 2')"
)
_INSERT = f"INSERT INTO {TABLE} (rowid, kind, obj_id, title, body, cause, remedy) "
# bm25 weights per column: kind, obj_id, title, body, cause, remedy
_WEIGHTS = "0.0, 0.0, 4.0, 2.0, 1.0, 2.0"


# All SQL below is composed from the constants above, never from input (hence the S608 exemptions).


def _select(source: _Source, row: str) -> str:
    values = ", ".join(c if c.startswith("'") else f"{row}{c}" for c in source.columns)
    where = source.indexed.format(r=row)
    table = "" if row else f" FROM {source.table}"
    return f"SELECT {row}id * 2 + {source.offset}, '{source.kind}', {row}id, {values}{table} WHERE {where}"


def _forget(source: _Source, row: str) -> str:
    return f"DELETE FROM {TABLE} WHERE rowid = {row}.id * 2 + {source.offset};"  # noqa: S608


def _triggers(source: _Source) -> dict[str, str]:
    name = f"{TABLE}_{source.table}"
    add = f"{_INSERT}{_select(source, 'new.')};"
    bodies = {
        "ai": ("INSERT", f"{_forget(source, 'new')} {add}"),
        "au": ("UPDATE", f"{_forget(source, 'old')} {add}"),
        "ad": ("DELETE", _forget(source, "old")),
    }
    return {
        f"{name}_{suffix}": f"CREATE TRIGGER IF NOT EXISTS {name}_{suffix} AFTER {event} ON {source.table} "
        f"BEGIN {body} END"
        for suffix, (event, body) in bodies.items()
    }


SQLITE_TRIGGERS = {name: sql for source in SOURCES for name, sql in _triggers(source).items()}


def sqlite_install_statements() -> list[str]:
    """Create the FTS5 table and its triggers, and fill it from the records already there."""
    return [SQLITE_TABLE, *SQLITE_TRIGGERS.values(), *sqlite_rebuild_statements()]


def sqlite_rebuild_statements() -> list[str]:
    forget_all = f"DELETE FROM {TABLE}"  # noqa: S608
    return [forget_all, *(f"{_INSERT}{_select(source, '')}" for source in SOURCES)]


def sqlite_uninstall_statements() -> list[str]:
    return [*(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS), f"DROP TABLE IF EXISTS {TABLE}"]


def sqlite_repair(conn=None) -> bool:
    """Re-create triggers that are gone and refill the index; True if anything was missing.

    SQLite drops a table's triggers when Django rebuilds the table (many ALTERs of `incidents_incident`
    or `problems_knownerror` do), so this runs after every `migrate` (post_migrate, see apps.py).
    """
    conn = conn or connection
    if conn.vendor != "sqlite":
        return False
    with conn.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE name LIKE %s", [f"{TABLE}%"])
        present = {name for _type, name in cursor.fetchall()}
        if TABLE not in present:  # the search migration is not applied
            return False
        missing = [sql for name, sql in SQLITE_TRIGGERS.items() if name not in present]
        if not missing:
            return False
        for sql in [*missing, *sqlite_rebuild_statements()]:
            cursor.execute(sql)
    return True


def _sqlite(words: list[str], visible: dict[str, Any], limit: int) -> list[Hit]:
    # Each word quoted (FTS5 then reads it as a plain string); any may match; the last may be a prefix.
    match = " OR ".join([*(f'"{w}"' for w in words[:-1]), f'"{words[-1]}" *'])
    clauses, params = [], []
    for kind, queryset in visible.items():
        try:
            sql, sub_params = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # the user may see none of this kind
            continue
        clauses.append(f"(kind = %s AND obj_id IN ({sql}))")
        params += [kind, *sub_params]
    if not clauses:
        return []
    # The clauses hold SQL Django compiled from the restricted querysets; the values travel as parameters.
    where = " OR ".join(clauses)
    sql = (
        f"SELECT kind, obj_id, bm25({TABLE}, {_WEIGHTS}) * (CASE kind WHEN %s THEN %s ELSE 1.0 END) AS rank, "  # noqa: S608
        f"snippet({TABLE}, -1, %s, %s, %s, 24) FROM {TABLE} WHERE {TABLE} MATCH %s AND ({where}) "
        "ORDER BY rank LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [KNOWN_ERROR, KNOWN_ERROR_BOOST, MARK_START, MARK_END, "…", match, *params, limit]
        )
        rows = cursor.fetchall()
    models = {KNOWN_ERROR: KnownError, INCIDENT: Incident}
    objects = {
        kind: models[kind].objects.in_bulk([row[1] for row in rows if row[0] == kind])
        for kind in {row[0] for row in rows}
    }
    hits = []
    for kind, obj_id, rank, snippet in rows:
        obj = objects[kind].get(obj_id)
        if obj is not None:
            hits.append(_hit(kind, obj, snippet, -rank))
    return hits
