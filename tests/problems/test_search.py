"""Full-text search of known errors and resolved incidents (FTS5 on SQLite, tsvector on PostgreSQL): what it
finds, what it keeps out, who sees what, and that nothing typed can break it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from servitium.core import services as core_services
from servitium.incidents import services as incident_services
from servitium.problems import search, services
from servitium.problems.models import KnownError
from tests.base import client, sent_to_portal
from tests.problems.conftest import incident

NASTY = [
    '"',
    "'",
    '"unbalanced quote',
    "'; DROP TABLE problems_search; --",
    "' OR 1=1 --",
    "NEAR(vpn banner, 2)",
    "vpn AND OR NOT",
    "title:vpn",
    "*",
    "vpn*",
    "^vpn",
    "a & b | !c <-> d:*",
    "(((",
    "\x00\x01 vpn",
    "{} [] <> %s %% \\ ; :: --",
    "—…“quotes”",
    "",
    "   ",
]


@pytest.fixture
def corpus(ctx, staff):
    known = services.known_error_create(
        actor=None,
        data={
            "title": "Outlook banner after VPN reconnect",
            "symptoms": "Outlook shows a disconnected banner after the VPN reconnects.",
            "root_cause": "The mail client keeps a stale session token.",
            "workaround": "Close Outlook completely and start it again.",
            "service": staff.service,
        },
    )
    retired = services.known_error_create(
        actor=None,
        data={"title": "Old disconnected banner issue", "root_cause": "Old client", "workaround": "Upgrade"},
    )
    services.known_error_transition(actor=None, instance=retired, transition="retire")
    resolved = incident(
        ctx,
        staff.service,
        title="Mailbox search returns nothing",
        resolved="Rebuilt the corrupted mailbox index on the mail store.",
    )
    still_open = incident(
        ctx, staff.service, title="Mailbox index corrupted again", description="index corrupted"
    )
    return type("Corpus", (), {"known": known, "retired": retired, "resolved": resolved, "open": still_open})


def kinds_and_ids(hits):
    return [(h.kind, h.id) for h in hits]


def test_finds_a_known_error_by_a_word_of_its_symptoms(ctx, staff, corpus):
    hits = search.search_known_errors("disconnected", staff.manager)
    assert kinds_and_ids(hits) == [("known_error", corpus.known.pk)]  # the retired one is not offered
    hit = hits[0]
    assert hit.reference == corpus.known.reference and hit.remedy.startswith("Close Outlook")
    assert hit.score > 0 and "disconnected" in hit.as_dict()["snippet"].lower()
    assert kinds_and_ids(search.search_known_errors("disconn", staff.manager)) == kinds_and_ids(
        hits
    )  # typing


def test_finds_a_resolved_incident_by_its_resolution_text(ctx, staff, corpus):
    hits = search.suggest("corrupted mailbox", staff.manager)
    assert ("incident", corpus.resolved.pk) in kinds_and_ids(hits)
    assert ("incident", corpus.open.pk) not in kinds_and_ids(hits)  # not resolved yet
    hit = next(h for h in hits if h.kind == "incident")
    assert hit.as_dict()["resolution"] == "Rebuilt the corrupted mailbox index on the mail store."
    assert "workaround" not in hit.as_dict()


def test_suggest_ranks_both_kinds(ctx, staff, corpus):
    hits = search.suggest("Outlook disconnected after VPN; mailbox index rebuilt", staff.manager)
    assert set(kinds_and_ids(hits)) == {("known_error", corpus.known.pk), ("incident", corpus.resolved.pk)}
    assert hits[0].score >= hits[1].score
    assert len(search.suggest("outlook mailbox", staff.manager, limit=1)) == 1


def test_who_sees_what(ctx, staff, corpus):
    query = "disconnected mailbox corrupted"
    assert search.suggest(query, ctx.customer_a) == []  # customers: nothing, not even their own incidents
    assert search.suggest(query, ctx.customer_b) == []
    assert {h.kind for h in search.suggest(query, staff.agent)} == {"known_error"}  # no incidents role
    # Incident handling reaches known errors too (2011 8.1), without a problems role.
    assert {h.kind for h in search.suggest(query, staff.incident_agent)} == {"known_error", "incident"}
    assert {h.kind for h in search.suggest(query, ctx.auditor)} == {"known_error", "incident"}


def test_the_index_follows_every_write(ctx, staff, corpus):
    core_services.record_update(
        instance=corpus.known, data={"workaround": "Flush the credential cache"}, actor=None
    )
    assert kinds_and_ids(search.search_known_errors("credential", staff.manager)) == [
        ("known_error", corpus.known.pk)
    ]
    assert search.search_known_errors("completely", staff.manager) == []
    services.known_error_transition(actor=None, instance=corpus.retired, transition="reactivate")
    assert len(search.search_known_errors("disconnected", staff.manager)) == 2
    incident_services.incident_transition(actor=None, instance=corpus.resolved, transition="reopen")
    assert search.suggest("corrupted mailbox", staff.manager) == []
    KnownError.objects.filter(pk=corpus.retired.pk).delete()
    assert len(search.search_known_errors("disconnected", staff.manager)) == 1
    bulk = KnownError.objects.bulk_create(
        [
            KnownError(
                reference="KE9999999", title="Printer jams", root_cause="Worn roller", workaround="Feed A4"
            )
        ]
    )
    assert kinds_and_ids(search.search_known_errors("roller", staff.manager)) == [("known_error", bulk[0].pk)]


@pytest.mark.parametrize("query", NASTY)
def test_punctuation_and_operators_never_break_it(ctx, staff, corpus, query):
    hits = search.suggest(query, staff.manager)
    assert isinstance(hits, list)
    response = client(staff.manager).get("/api/v1/known-errors/search/", {"q": query})
    assert response.status_code in (200, 400)  # 400 only when nothing was typed
    if query.strip():
        assert response.status_code == 200 and isinstance(response.json(), list)


def test_terms_are_plain_words():
    assert search.terms("'; DROP TABLE x; -- NEAR(a b) vpn* title:VPN") == [
        "drop",
        "table",
        "near",
        "vpn",
        "title",
    ]
    assert search.terms('"the" of a') == []


def test_search_api(ctx, staff, corpus):
    api = client(staff.manager)
    body = api.get("/api/v1/known-errors/search/", {"q": "disconnected corrupted"}).json()
    assert {row["kind"] for row in body} == {"known_error", "incident"}
    known = next(row for row in body if row["kind"] == "known_error")
    assert set(known) == {"kind", "id", "reference", "title", "snippet", "workaround", "score"}
    assert "\x02" not in known["snippet"]
    assert api.get("/api/v1/known-errors/search/").status_code == 400
    assert api.get("/api/v1/known-errors/search/", {"q": "x", "limit": 500}).status_code == 400
    assert client(ctx.customer_a).get("/api/v1/known-errors/search/", {"q": "disconnected"}).json() == []
    assert client().get("/api/v1/known-errors/search/", {"q": "disconnected"}).status_code == 401


def test_suggestions_fragment(ctx, staff, corpus):
    services.known_error_create(
        actor=None,
        data={"title": "<script>alert(1)</script> disconnected", "root_cause": "x", "workaround": "y"},
    )
    browser = Client()
    browser.force_login(staff.manager)
    page = browser.get("/problems/suggest/", {"q": "disconnected"})
    html = page.content.decode()
    assert page.status_code == 200 and corpus.known.reference in html
    assert "<mark>disconnected</mark>" in html and "Close Outlook completely" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    by_fields = browser.get("/problems/suggest/", {"title": "Mailbox search", "description": "corrupted"})
    assert corpus.resolved.reference in by_fields.content.decode()
    customer = Client()
    customer.force_login(ctx.customer_a)
    assert sent_to_portal(customer.get("/problems/suggest/", {"q": "disconnected"}))
    # An unpublished known error reaches customers neither through the API nor as a help article.
    assert (
        client(ctx.customer_a).get("/api/v1/known-errors/", {"search": "disconnected"}).json()["count"] == 0
    )
    assert (
        "Close Outlook completely"
        not in customer.get("/portal/help/", {"q": "disconnected"}).content.decode()
    )
    assert Client().get("/problems/suggest/", {"q": "x"}).status_code == 302


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 triggers exist on SQLite only")
def test_sqlite_triggers_are_put_back_after_a_table_rebuild(ctx, staff, corpus):
    assert search.sqlite_repair() is False
    with connection.cursor() as cursor:
        for name in search.SQLITE_TRIGGERS:
            if "incidents_incident" in name:
                cursor.execute(f"DROP TRIGGER {name}")  # what rebuilding incidents_incident does
    assert search.sqlite_repair() is True
    incident(ctx, staff.service, title="Calendar sync stalls", resolved="Reindexed the calendar store")
    assert [h.kind for h in search.suggest("reindexed", staff.manager)] == ["incident"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes exist on PostgreSQL only")
def test_postgres_queries_use_the_gin_indexes(ctx, staff, corpus):
    from servitium.incidents.models import Incident

    KnownError.objects.bulk_create(
        KnownError(reference=f"KE9{n:06d}", title=f"Filler {n}", root_cause="Routine", workaround="None")
        for n in range(300)
    )
    Incident.objects.bulk_create(
        Incident(
            reference=f"INC9{n:06d}", customer=ctx.org_a, title=f"Filler {n}", priority=5, status="closed"
        )
        for n in range(300)
    )
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE problems_knownerror")
        cursor.execute("ANALYZE incidents_incident")
        cursor.execute("SET LOCAL enable_seqscan = off")
        # With a few hundred rows the planner may prefer any btree index on status to the GIN index; drop
        # the plain btree indexes inside this test's transaction so the plan shows the search can use GIN.
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'incidents_incident' "
            "AND indexdef NOT LIKE '%%USING gin%%' AND indexdef NOT LIKE 'CREATE UNIQUE%%'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        for kind in search.KINDS:
            with CaptureQueriesContext(connection) as queries:
                search.search("disconnected", staff.manager, kinds=(kind,))
            cursor.execute("EXPLAIN " + queries[-1]["sql"])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert "knownerror_fulltext_idx" in plans[0], plans[0]
    assert "incident_fulltext_idx" in plans[1], plans[1]
