"""The global search: what the top bar's box, /search/ and GET /api/v1/search/ find across record types.

Reads the index `core/searchindex.py` keeps (one entry per record of every type declared `indexed`):

- a query that is a reference number (INC0000042, inc42, KE-7) finds that record first, exactly;
- every word of the query must match, each as a prefix ("netw" finds "network"); PostgreSQL ranks with
  `ts_rank` over the weighted tsvector column (reference and title above the body), SQLite with FTS5's
  BM25 (reference above title above body); equal ranks: the most recently updated first;
- results come grouped by record type, the best few per type, with a snippet whose matched words are
  marked (escaped for HTML, then the marks become <mark>).

Who sees what is decided by `permissions.rule` per record type, inside the query: a type the user may not
view is left out, a type the user sees only part of (a customer's own organization, a custom scope) is
narrowed by the restricted queryset itself as a subquery, so the per-type limits and counts are of
visible records only; the records are then read back through `permissions.restrict` for their links.
Types declared `staff_only` are never searched for customer users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import permissions
from .references import REFERENCE_DIGITS
from .searchindex import CONFIG, FTS_TABLE, TABLE, indexed_models, spec_for

MAX_QUERY = 200
MAX_TERMS = 8
PER_TYPE, MAX_PER_TYPE = 5, 50
MARK_START, MARK_END = "\x02", "\x03"  # around matched words in snippets (they become <mark> at worst)
_LT = "\x01"  # "<" while PostgreSQL cuts a snippet
_WORD = re.compile(r"[^\W_]+")
_REFERENCE = re.compile(r"^([A-Za-z]{2,5})[-\s]?0*(\d{1,12})$")


def terms(query: Any) -> list[str]:
    """The words of a query, lower-cased, letters and digits only (no operator or quote can reach the
    engines), without duplicates, at most 8."""
    words: list[str] = []
    for word in _WORD.findall(str(query or "")[:MAX_QUERY].lower()):
        if word[:40] not in words:
            words.append(word[:40])
    return words[:MAX_TERMS]


def reference_candidates(query: Any) -> list[str]:
    """The reference numbers a query may mean: as typed, and with the number padded (inc42 ->
    INC0000042)."""
    text = str(query or "").strip()[:MAX_QUERY]
    found = _REFERENCE.match(text)
    if not found:
        return []
    prefix, number = found.group(1).upper(), found.group(2)
    padded = f"{prefix}{number.zfill(REFERENCE_DIGITS)}"
    return list(dict.fromkeys([text.upper().replace("-", "").replace(" ", ""), padded]))


@dataclass
class Hit:
    record_type: str
    id: int
    reference: str
    title: str
    snippet: str  # with MARK_START / MARK_END around matched words
    score: float
    exact: bool = False
    url: str = ""

    @property
    def snippet_text(self) -> str:
        return self.snippet.replace(MARK_START, "").replace(MARK_END, "")

    @property
    def snippet_html(self) -> SafeString:
        """The snippet escaped for HTML, matched words in <mark>."""
        text = escape(self.snippet).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
        return mark_safe(text)  # noqa: S308 - escaped above; only our own markers become tags


@dataclass
class Group:
    record_type: str
    label: str
    count: int  # how many visible records of this type match (the hits are the best of them)
    hits: list[Hit] = field(default_factory=list)

    @property
    def more(self) -> bool:
        return self.count > len(self.hits)


@dataclass
class Results:
    query: str
    exact: Hit | None = None
    groups: list[Group] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.exact is None and not self.groups


def searchable_types(user: Any) -> dict[str, type[models.Model]]:
    """The record types this user may find: label -> model (types the user may not view left out)."""
    customer = permissions.is_customer_user(user)
    found = {}
    for model in indexed_models():
        spec = spec_for(model)
        if spec is None or (customer and spec.indexed.staff_only):
            continue
        if not permissions.rule(user, model, permissions.VIEW).nothing:
            found[spec.record_type] = model
    return found


def type_label(model: type[models.Model]) -> str:
    return str(model._meta.verbose_name_plural).capitalize()


def _visibility(user: Any, types: dict[str, type[models.Model]]) -> tuple[str, list[Any]]:
    """A WHERE clause keeping the entries of records the user may view (of the chosen types)."""
    whole, clauses, params = [], [], []
    for label, model in types.items():
        rule = permissions.rule(user, model, permissions.VIEW)
        if rule.everything:
            whole.append(label)
            continue
        spec = spec_for(model)
        if (
            isinstance(rule, permissions.Tenant)
            and spec is not None
            and spec.tenant == rule.path == spec.direct
        ):
            # The record's own organization field, copied into its entry with every write that changes it:
            # no subquery over the customer's records (the read-back below re-checks each hit anyway).
            clauses.append("(e.record_type = %s AND e.organization_id = %s)")
            params += [label, rule.organization_id]
            continue
        try:
            sql, sub = (
                rule.apply(model._default_manager.all()).order_by().values("pk").query.sql_with_params()
            )
        except EmptyResultSet:  # the scope leaves nothing of this type
            continue
        clauses.append(f"(e.record_type = %s AND e.record_id IN ({sql}))")
        params += [label, *sub]
    if whole:
        clauses.insert(0, f"e.record_type IN ({', '.join(['%s'] * len(whole))})")
        params = [*whole, *params]
    return (" OR ".join(clauses) or "1 = 0"), params


def search(query: Any, user: Any, *, record_type: str | None = None, limit: int | None = None) -> Results:
    """What `user` finds for `query`: an exact reference match, then groups of ranked hits per record type
    (`limit` per type; `record_type` keeps one type)."""
    text = str(query or "").strip()[:MAX_QUERY]
    results = Results(query=text)
    types = searchable_types(user)
    if record_type is not None:
        types = {k: v for k, v in types.items() if k == record_type}
    words = terms(text)
    if not types or not words:
        return results
    per_type = max(1, min(int(limit or (4 * PER_TYPE if record_type else PER_TYPE)), MAX_PER_TYPE))
    where, params = _visibility(user, types)
    candidates = reference_candidates(text)
    exact_row = _exact(candidates, where, params) if candidates else None
    rows, counts = (_postgres if connection.vendor == "postgresql" else _sqlite)(
        words, where, params, per_type
    )
    if exact_row is not None:
        rows = [exact_row, *(r for r in rows if (r[0], r[1]) != (exact_row[0], exact_row[1]))]
    hits = _read_back(rows, user, types)
    if exact_row is not None and hits and hits[0].exact:
        results.exact = hits.pop(0)
    groups: dict[str, Group] = {}
    for hit in hits:
        group = groups.get(hit.record_type)
        if group is None:
            model = types[hit.record_type]
            found = counts.get(hit.record_type, 0)
            group = groups[hit.record_type] = Group(hit.record_type, type_label(model), found)
        group.hits.append(hit)
    # The type holding the best hit first (hits arrive best first within each type).
    results.groups = sorted(groups.values(), key=lambda g: -max(h.score for h in g.hits))
    return results


def _read_back(rows: list[tuple], user: Any, types: dict[str, type[models.Model]]) -> list[Hit]:
    """Hits for the rows whose records still exist and are visible (an entry outliving its record through
    a cascade is dropped here), with the records' links."""
    ids: dict[str, list[int]] = {}
    for row in rows:
        ids.setdefault(row[0], []).append(row[1])
    records = {
        label: permissions.restrict(types[label]._default_manager.all(), user).in_bulk(pks)
        for label, pks in ids.items()
    }
    hits = []
    for record_type, record_id, reference, title, score, snippet, exact in rows:
        record = records[record_type].get(record_id)
        if record is None:
            continue
        url = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
        hits.append(Hit(record_type, record_id, reference, title, snippet or "", float(score), exact, url))
    return hits


def _exact(candidates: list[str], where: str, params: list[Any]) -> tuple | None:
    """The visible record whose reference is one of `candidates` (references are unique per type; the
    prefix tells the type)."""
    marks = ", ".join(["%s"] * len(candidates))
    sql = (
        f"SELECT e.record_type, e.record_id, e.reference, e.title, e.body FROM {TABLE} e "  # noqa: S608
        f"WHERE e.reference IN ({marks}) AND ({where}) ORDER BY e.record_type LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*candidates, *params])
        row = cursor.fetchone()
    if row is None:
        return None
    record_type, record_id, reference, title, body = row
    return (record_type, record_id, reference, title, 0.0, _lead(body), True)


def _lead(body: str, words: int = 30) -> str:
    parts = (body or "").split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


# All SQL below is composed from constants and from the clauses Django compiled for the restricted
# querysets; every value travels as a parameter.


def _postgres(
    words: list[str], where: str, params: list[Any], per_type: int
) -> tuple[list[tuple], dict[str, int]]:
    # Words are letters and digits only, so this raw tsquery cannot be malformed; all must match, each
    # as a prefix. Stop words ("the") drop out of to_tsquery; a query of nothing but stop words finds
    # nothing rather than everything.
    tsquery = " & ".join(f"{w}:*" for w in words)
    # ts_headline drops whatever looks like an HTML tag; the text's "<" travel as a stand-in and come back.
    text = f"replace(CASE WHEN t.body = '' THEN t.title ELSE t.body END, '<', '{_LT}')"
    headline = f"ts_headline('{CONFIG}', {text}, r.q, %s)"
    options = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12"
    sql = (
        f"SELECT r.record_type, r.record_id, r.reference, r.title, r.score, {headline}, r.found "  # noqa: S608
        "FROM (SELECT m.*, row_number() OVER (PARTITION BY m.record_type "
        "ORDER BY m.score DESC, m.updated DESC, m.record_id DESC) AS n, "
        "count(*) OVER (PARTITION BY m.record_type) AS found FROM ("
        # the rank once per matching row (in the window's ORDER BY it would be worked out again)
        "SELECT e.id, e.record_type, e.record_id, e.reference, e.title, e.updated, q.q, "
        "ts_rank(e.document, q.q) AS score "
        f"FROM {TABLE} e, (SELECT to_tsquery('{CONFIG}', %s) AS q) q "
        f"WHERE e.document @@ q.q AND ({where})) m) r "
        # the text for the snippet is read for the few rows shown only
        f"JOIN {TABLE} t ON t.id = r.id "
        "WHERE r.n <= %s ORDER BY r.record_type, r.n"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [options, tsquery, *params, per_type])
        fetched = cursor.fetchall()
    counts = {row[0]: row[6] for row in fetched}
    return [(*row[:5], (row[5] or "").replace(_LT, "<"), False) for row in fetched], counts


# bm25 weights per FTS5 column: reference, title, body
_WEIGHTS = "10.0, 4.0, 1.0"


def _sqlite(
    words: list[str], where: str, params: list[Any], per_type: int
) -> tuple[list[tuple], dict[str, int]]:
    match = " ".join(f'"{w}"*' for w in words)  # each word quoted: FTS5 reads it as a plain string
    sql = (
        "SELECT record_type, record_id, reference, title, score, snip, found FROM ("  # noqa: S608
        "SELECT m.*, row_number() OVER (PARTITION BY record_type "
        "ORDER BY score DESC, updated DESC, record_id DESC) AS n, "
        "count(*) OVER (PARTITION BY record_type) AS found FROM ("
        f"SELECT e.record_type, e.record_id, e.reference, e.title, e.updated, -bm25({FTS_TABLE}, {_WEIGHTS}) "
        f"AS score, snippet({FTS_TABLE}, 2, %s, %s, %s, 24) AS snip FROM {FTS_TABLE} "
        f"JOIN {TABLE} e ON e.id = {FTS_TABLE}.rowid WHERE {FTS_TABLE} MATCH %s AND ({where})) m) "
        "WHERE n <= %s ORDER BY record_type, n"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [MARK_START, MARK_END, "…", match, *params, per_type])
        fetched = cursor.fetchall()
    counts = {row[0]: row[6] for row in fetched}
    return [(*row[:6], False) for row in fetched], counts
