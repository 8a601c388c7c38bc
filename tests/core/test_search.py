"""The global search (/search/ and GET /api/v1/search/): the index follows every write, prefixes and
reference numbers find what people type, ranking puts the title first, and nobody finds a record (or an
organization's name) they may not see. Runs on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from servitium.core import search, searchindex
from servitium.core import services as core_services
from servitium.core.models import SearchEntry
from servitium.incidents import services as incident_services
from servitium.incidents.models import Incident
from servitium.parties.models import Organization
from tests import factories
from tests.base import client
from tests.problems.test_search import NASTY

pytestmark = pytest.mark.django_db

INCIDENT = "incidents.incident"


def ticket(org, title: str, description: str = "") -> Incident:
    return incident_services.incident_create(
        actor=None, data={"customer": org, "title": title, "description": description}
    )


def found(query: str, user, **options) -> list[tuple[str, int]]:
    """(record type, id) of every hit, the exact match first."""
    results = search.search(query, user, **options)
    hits = ([results.exact] if results.exact else []) + [h for g in results.groups for h in g.hits]
    return [(h.record_type, h.id) for h in hits]


def incidents_found(query: str, user) -> list[int]:
    return [pk for kind, pk in found(query, user) if kind == INCIDENT]


def page(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_a_record_is_found_once_created_through_the_service_or_the_api(ctx):
    created = ticket(ctx.org_a, "Network outage in Frankfurt", "The core switch failed at noon")
    assert incidents_found("outage", ctx.admin) == [created.pk]
    assert incidents_found("switch noon", ctx.admin) == [created.pk]  # words of the description too
    r = client(ctx.admin).post("/api/v1/incidents/", {"customer": ctx.org_a.pk, "title": "Printer jam"})
    assert r.status_code == 201, r.content
    assert incidents_found("printer", ctx.admin) == [r.json()["id"]]


def test_an_edit_replaces_what_is_found_and_a_delete_forgets_it(ctx):
    record = ticket(ctx.org_a, "Mailbox quota exceeded")
    incident_services.incident_update(
        actor=ctx.admin, instance=record, data={"title": "Calendar sync stalls"}
    )
    assert incidents_found("mailbox", ctx.admin) == []
    assert incidents_found("calendar", ctx.admin) == [record.pk]
    entry = SearchEntry.objects.get(record_type=INCIDENT, record_id=record.pk)
    assert (entry.title, entry.reference, entry.organization_id) == (
        "Calendar sync stalls",
        record.reference,
        ctx.org_a.pk,
    )
    core_services.record_delete(instance=Incident.objects.get(pk=record.pk), actor=ctx.admin)
    assert incidents_found("calendar", ctx.admin) == []
    assert not SearchEntry.objects.filter(record_type=INCIDENT, record_id=record.pk).exists()


def test_the_start_of_a_word_is_enough_and_every_word_must_match(ctx):
    network = ticket(ctx.org_a, "Network latency in Dublin")
    ticket(ctx.org_a, "Latency of the storage array")
    assert incidents_found("netw", ctx.admin) == [network.pk]
    assert incidents_found("netw lat", ctx.admin) == [network.pk]
    assert incidents_found("netw storage", ctx.admin) == []
    assert incidents_found("NETWORK", ctx.admin) == [network.pk]


def test_a_reference_number_finds_its_record_first_and_the_page_opens_it(ctx):
    target = ticket(ctx.org_a, "Backup job failed")
    mention = ticket(ctx.org_a, "Restore test", f"Follow-up of {target.reference}")
    assert found(target.reference, ctx.admin)[0] == (INCIDENT, target.pk)
    results = search.search(target.reference.lower(), ctx.admin)
    assert results.exact is not None and results.exact.id == target.pk and results.exact.exact
    short = f"inc{int(target.reference[3:])}"  # INC0000001 typed as inc1
    assert search.search(short, ctx.admin).exact.id == target.pk
    assert incidents_found(f"{target.reference} restore", ctx.admin) == [mention.pk]  # words, not a reference
    response = page(ctx.admin).get("/search/", {"q": target.reference})
    assert response.status_code == 302 and response["Location"] == target.get_absolute_url()
    listed = page(ctx.admin).get("/search/", {"q": target.reference, "all": "1"})
    assert listed.status_code == 200 and listed.content.decode().index("Backup job failed") < (
        listed.content.decode().index("Restore test")
    )


def test_a_title_match_ranks_above_a_match_in_the_text(ctx):
    in_text = ticket(ctx.org_a, "Slow pages", "Customers report the firewall drops packets")
    in_title = ticket(ctx.org_a, "Firewall drops packets", "Customers report slow pages")
    assert incidents_found("firewall", ctx.admin) == [in_title.pk, in_text.pk]


def test_results_come_grouped_by_record_type_with_counts(ctx):
    for i in range(7):
        ticket(ctx.org_a, f"Kestrel cluster alarm {i}")
    service = factories.service("Kestrel hosting", customers=[ctx.org_a])
    results = search.search("kestrel", ctx.admin)
    groups = {g.record_type: g for g in results.groups}
    assert set(groups) == {INCIDENT, "catalog.service"}
    assert (groups[INCIDENT].count, len(groups[INCIDENT].hits), groups[INCIDENT].more) == (7, 5, True)
    assert [h.id for h in groups["catalog.service"].hits] == [service.pk]
    assert len(search.search("kestrel", ctx.admin, record_type=INCIDENT).groups[0].hits) == 7


def test_a_customer_finds_only_its_own_organizations_records_and_no_other_name(ctx):
    own = ticket(ctx.org_a, "Printer offline on floor 2")
    other = ticket(ctx.org_b, "Printer offline in the lab", "Reported by Suite Customer B")
    assert sorted(incidents_found("printer", ctx.admin)) == [own.pk, other.pk]
    assert found("printer", ctx.customer_a) == [(INCIDENT, own.pk)]
    assert found("printer", ctx.customer_b) == [(INCIDENT, other.pk)]
    # Organizations are found by staff only: customers do not find even their own organization's entry.
    assert ("parties.organization", ctx.org_b.pk) in found("suite customer", ctx.admin)
    assert found("suite customer", ctx.customer_a) == []
    assert found(other.reference, ctx.customer_a) == []  # another organization's reference: nothing
    for path in ("/search/", "/api/v1/search/"):
        browser = page(ctx.customer_a) if path == "/search/" else client(ctx.customer_a)
        for query in ("printer", "suite customer b", "lab", other.reference):
            body = browser.get(path, {"q": query}).content.decode()
            assert "Suite Customer B" not in body and "in the lab" not in body, (path, query)


def test_a_role_without_the_area_finds_nothing_of_it(ctx):
    ticket(ctx.org_a, "Hypervisor crash on host 7")
    change_agent = factories.user("chg_agent", ctx.provider, ["change-agent"])
    incident_agent = factories.user("inc_agent", ctx.provider, ["incident-agent"])
    assert found("hypervisor", change_agent) == []
    assert INCIDENT not in search.searchable_types(change_agent)
    assert len(found("hypervisor", incident_agent)) == 1
    assert client(change_agent).get("/api/v1/search/", {"q": "hypervisor"}).json()["groups"] == []


def test_a_stale_entry_finds_nothing_and_reindex_rebuilds_the_index(ctx):
    record = ticket(ctx.org_a, "Load balancer flapping")
    organization = Organization.objects.get(pk=ctx.org_b.pk)
    SearchEntry.objects.all().delete()
    assert found("flapping", ctx.admin) == []
    # an entry whose record went without the change log (a cascade, a queryset update) is not a hit
    SearchEntry.objects.create(record_type=INCIDENT, record_id=10**9, title="Ghost flapping")
    assert found("ghost", ctx.admin) == []
    call_command("reindex", verbosity=0)
    assert incidents_found("flapping", ctx.admin) == [record.pk]
    assert not SearchEntry.objects.filter(record_id=10**9).exists()
    assert ("parties.organization", organization.pk) in found("suite customer b", ctx.admin)
    assert searchindex.reindex([Incident]) == {INCIDENT: 1}
    with pytest.raises(CommandError, match="nope.nothing"):
        call_command("reindex", "nope.nothing", verbosity=0)


def test_migrate_indexes_existing_records_of_types_with_no_entries(ctx):
    record = ticket(ctx.org_a, "Storage array degraded")
    SearchEntry.objects.filter(record_type=INCIDENT).delete()  # as before an upgrade brought search
    assert found("degraded", ctx.admin) == []
    assert searchindex.index_missing_types() == {INCIDENT: 1}  # what core's post_migrate step runs
    assert incidents_found("degraded", ctx.admin) == [record.pk]
    assert searchindex.index_missing_types() == {}  # nothing missing: nothing rebuilt


def test_the_snippet_marks_the_match_and_escapes_the_text(ctx):
    ticket(ctx.org_a, "Portal error", "The page shows <script>alert(1)</script> near the login form")
    hit = search.search("login", ctx.admin).groups[0].hits[0]
    assert "<mark>login</mark>" in hit.snippet_html
    assert "<script>" not in hit.snippet_html and "&lt;script&gt;" in hit.snippet_html
    body = page(ctx.admin).get("/search/", {"q": "login"}).content.decode()
    assert "<mark>login</mark>" in body and "<script>alert" not in body


@pytest.mark.parametrize("query", NASTY)
def test_nothing_typed_breaks_the_search(ctx, query):
    ticket(ctx.org_a, "VPN banner")
    assert page(ctx.admin).get("/search/", {"q": query}).status_code == 200
    r = client(ctx.customer_a).get("/api/v1/search/", {"q": query})
    assert r.status_code in (200, 400), r.content


def test_the_api_answers_groups_and_refuses_bad_parameters(ctx):
    record = ticket(ctx.org_a, "Certificate expired on the portal")
    api = client(ctx.admin)
    body = api.get("/api/v1/search/", {"q": "certif"}).json()
    assert body["query"] == "certif" and body["exact"] is None
    [group] = body["groups"]
    assert (group["type"], group["label"], group["count"]) == (INCIDENT, "Incidents", 1)
    [hit] = group["results"]
    assert (hit["id"], hit["reference"], hit["url"], hit["exact"]) == (
        record.pk,
        record.reference,
        record.get_absolute_url(),
        False,
    )
    exact = api.get("/api/v1/search/", {"q": record.reference}).json()
    assert exact["exact"]["id"] == record.pk and exact["groups"] == []
    assert api.get("/api/v1/search/").status_code == 400
    assert api.get("/api/v1/search/", {"q": "x", "type": "nope.nothing"}).status_code == 400
    assert api.get("/api/v1/search/", {"q": "x", "limit": 0}).status_code == 400
    assert client(None).get("/api/v1/search/", {"q": "x"}).status_code in (401, 403)
