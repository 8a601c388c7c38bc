"""The counts PostgreSQL keeps per status (core/keptcounts.py): always the table's true counts, whatever
writes the records, read instead of counting the rows only for lists filtered by the counted columns."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from servitium.core import keptcounts
from servitium.core.declaration import check_declarations
from servitium.core.models import KeptCount
from servitium.incidents import services
from servitium.incidents.models import Incident
from servitium.incidents.resources import IncidentResource

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


def kept(**filters) -> int:
    sql, params = keptcounts.count_sql(Incident.objects.filter(**filters))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def assert_true_counts() -> None:
    statuses = set(Incident.objects.values_list("status", flat=True)) | {"new", "in_progress", "closed"}
    for status in statuses:
        assert kept(status=status) == Incident.objects.filter(status=status).count(), status
        for kind in ("incident", "request"):
            assert kept(kind=kind, status=status) == Incident.objects.filter(kind=kind, status=status).count()
    assert kept() == Incident.objects.count()
    assert (
        kept(status__in=["new", "in_progress"])
        == Incident.objects.filter(status__in=["new", "in_progress"]).count()
    )


@postgres_only
def test_the_counts_follow_every_way_records_are_written(ctx):
    tickets = [
        services.incident_create(actor=None, data={"customer": ctx.org_a, "title": f"t{i}"}) for i in range(4)
    ]
    services.incident_create(actor=None, data={"customer": ctx.org_b, "kind": "request", "title": "r"})
    assert_true_counts()
    services.incident_transition(actor=None, instance=tickets[0], transition="start_work")
    assert kept(status="in_progress") == 1
    assert_true_counts()
    Incident.objects.filter(pk=tickets[1].pk).update(kind="request")  # a bulk update of a counted column
    Incident.objects.filter(pk=tickets[2].pk).update(title="renamed")  # ... and of another one
    assert_true_counts()
    Incident.objects.bulk_create(
        [Incident(title=f"bulk {i}", customer=ctx.org_a, priority=3, reference=f"BULK-{i}") for i in range(3)]
    )
    assert_true_counts()
    Incident.objects.filter(pk=tickets[3].pk).delete()
    assert_true_counts()
    with pytest.raises(RuntimeError), transaction.atomic():  # what is rolled back is not counted
        services.incident_create(actor=None, data={"customer": ctx.org_a, "title": "undone"})
        raise RuntimeError
    assert_true_counts()
    assert kept(status="no such status") == 0


@postgres_only
def test_only_lists_filtered_by_the_counted_columns_read_them(ctx):
    services.incident_create(actor=None, data={"customer": ctx.org_a, "title": "t"})
    with CaptureQueriesContext(connection) as queries:  # known when the connection opened: no query now
        assert keptcounts.count_sql(Incident.objects.filter(status="new")) is not None
    assert not queries
    assert keptcounts.count_sql(Incident.objects.all()) is not None
    for other in (
        Incident.objects.filter(customer=ctx.org_a),  # a customer's own tickets
        Incident.objects.filter(status="new", title__icontains="t"),
        Incident.objects.exclude(status="new"),
        Incident.objects.filter(status__startswith="ne"),
        Incident.objects.filter(service__name="x"),  # a join
        Incident.objects.filter(status="new").distinct(),
    ):
        assert keptcounts.count_sql(other) is None, other.query
    # Through the API a customer's list is counted from its own rows, and right.
    from tests.base import client

    services.incident_create(actor=None, data={"customer": ctx.org_b, "title": "theirs"})
    assert client(ctx.customer_a).get("/api/v1/incidents/").json()["count"] == 1
    assert client(ctx.admin).get("/api/v1/incidents/", {"status": "new"}).json()["count"] == 2


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_writers_never_wait_for_each_other_on_a_count(ctx):
    """Two sessions each hold a new ticket uncommitted: neither waits for the other (each counts on rows of
    its own), and both are counted once committed."""
    started, release = threading.Event(), threading.Event()
    failures = []

    def other_desk():
        try:
            with transaction.atomic():
                services.incident_create(actor=None, data={"customer": ctx.org_a, "title": "other desk"})
                started.set()
                assert release.wait(20)
        except Exception as error:  # noqa: BLE001 - reported to the test's thread
            failures.append(error)
            started.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_desk)
    thread.start()
    assert started.wait(20)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")  # waiting on a lock fails the test
            services.incident_create(actor=None, data={"customer": ctx.org_a, "title": "this desk"})
    finally:
        release.set()
        thread.join(20)
    assert not failures
    assert kept(status="new") == Incident.objects.filter(status="new").count() == 2


@postgres_only
def test_the_counts_of_ended_sessions_are_folded_into_one_row(ctx):
    for i in range(3):
        services.incident_create(actor=None, data={"customer": ctx.org_a, "title": f"t{i}"})
    gone = 2_000_000_000  # no live session has this process id
    KeptCount.objects.create(table="incidents_incident", v1="incident", v2="new", holder=gone, n=5)
    KeptCount.objects.create(table="incidents_incident", v1="incident", v2="new", holder=gone + 1, n=-5)
    KeptCount.objects.create(table="incidents_incident", v1="request", v2="closed", holder=gone, n=2)
    KeptCount.objects.create(table="incidents_incident", v1="request", v2="closed", holder=gone + 1, n=-2)
    live = set(KeptCount.objects.exclude(holder__in=[0, gone, gone + 1]).values_list("pk", flat=True))
    assert keptcounts.fold() == 4
    assert not KeptCount.objects.filter(holder__in=[gone, gone + 1]).exists()
    assert live <= set(KeptCount.objects.values_list("pk", flat=True))  # this session's rows stay its own
    assert_true_counts()
    assert keptcounts.fold() == 0


@postgres_only
def test_a_missing_or_changed_trigger_is_put_back_and_the_rows_counted_afresh(ctx):
    for i in range(3):
        services.incident_create(actor=None, data={"customer": ctx.org_a, "title": f"t{i}"})
    assert keptcounts.install() == []  # as declared: nothing to do
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER servitium_kept_count ON incidents_incident")
    KeptCount.objects.all().delete()
    services.incident_create(actor=None, data={"customer": ctx.org_a, "title": "uncounted"})
    keptcounts.learn(connection=connection)  # as a new connection learns it
    assert keptcounts.count_sql(Incident.objects.filter(status="new")) is None  # not counted: not read
    assert keptcounts.install() == ["incidents_incident"]
    assert kept(status="new") == 4
    services.incident_create(actor=None, data={"customer": ctx.org_a, "title": "counted again"})
    assert_true_counts()


def test_only_text_columns_without_nulls_can_be_counted(monkeypatch):
    monkeypatch.setattr(IncidentResource, "counted_by", ("kind", "priority"))
    assert any("counted_by names priority" in p for p in check_declarations())
    monkeypatch.setattr(IncidentResource, "counted_by", ("kind", "status"))
    assert not [p for p in check_declarations() if "counted_by" in p]
