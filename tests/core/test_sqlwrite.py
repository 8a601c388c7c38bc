"""The hot paths' own SQL: inserts and reads prepared once per model behave as the ORM's, and delayed jobs
are filed straight into the queue's schedule."""

from __future__ import annotations

import datetime as dt
import socket
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from huey import RedisHuey, SqliteHuey

from servitium.core import services as core_services
from servitium.core import sqlwrite
from servitium.core.jobs import schedule_many
from servitium.core.models import ApiToken, ChangeRecord
from servitium.core.sqlread import by_pk, one_by
from servitium.incidents.models import PriorityRule
from servitium.incidents.services import priority_for
from servitium.parties.models import Organization


def test_insert_stores_the_record_as_save_would(db):
    entry = ChangeRecord(
        action="create",
        object_type="test.thing",
        object_id=7,
        object_repr="thing",
        changes={"name": [None, "Zoë"], "tags": [[], ["a", "b"]]},
        context="api",
    )
    sqlwrite.insert(entry)
    assert entry.pk is not None and not entry._state.adding
    stored = ChangeRecord.objects.get(pk=entry.pk)
    assert stored.changes == {"name": [None, "Zoë"], "tags": [[], ["a", "b"]]}
    assert stored.timestamp == entry.timestamp


def test_insert_sets_automatic_timestamps_and_keys_for_many_rows(db):
    before = timezone.now()
    orgs = [Organization(name=f"Org {i}", kind="customer") for i in range(3)]
    sqlwrite.insert(*orgs)
    keys = [org.pk for org in orgs]
    assert len(set(keys)) == 3 and keys == sorted(keys)
    for org in orgs:
        stored = Organization.objects.get(pk=org.pk)
        assert stored.name == org.name and stored.created >= before and stored.created == org.created


def test_insert_of_a_model_with_receivers_goes_through_save(db):
    """PriorityRule has a post_save receiver (the cached matrix is forgotten): it must still run."""
    assert priority_for(1, 1) == 1
    sqlwrite.insert(PriorityRule(impact=1, urgency=1, priority=4))
    assert priority_for(1, 1) == 4


def test_models_whose_saving_means_more_are_left_to_save():
    from servitium.conformity.models import Assessment

    assert sqlwrite.plain_model(ChangeRecord) and sqlwrite.plain_model(Organization)
    assert not sqlwrite.plain_model(Assessment)  # its own save() guards immutability
    assert not sqlwrite.plain_model(PriorityRule)  # a post_save receiver


def test_database_errors_arrive_as_djangos(db):
    sqlwrite.insert(Organization(name="Twice", kind="customer"))
    with pytest.raises(IntegrityError), transaction.atomic():
        sqlwrite.insert(Organization(name="Twice", kind="customer"))


def test_records_are_read_with_their_fields_converted(ctx):
    token, key = core_services.api_token_create(user=ctx.admin, name="monitoring")
    found = one_by(ApiToken, "digest", core_services.token_digest(key), related="user")
    assert found == token and found.name == "monitoring"
    assert found.created == ApiToken.objects.get(pk=token.pk).created and timezone.is_aware(found.created)
    assert found.user == ctx.admin and found.user.roles == ["administrator"]  # JSON list, not text
    assert one_by(ApiToken, "digest", "0" * 64) is None
    assert by_pk(Organization, ctx.org_a.pk).name == ctx.org_a.name
    assert by_pk(Organization, 10**9) is None


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.parametrize("backend", ["redis", "sqlite"])
def test_delayed_jobs_are_filed_in_the_schedule(backend, tmp_path):
    if backend == "redis":
        if not _redis_up():
            pytest.skip("no Redis on 127.0.0.1:6379")
        huey = RedisHuey(f"test-{uuid.uuid4().hex}", url="redis://127.0.0.1:6379/15")
    else:
        huey = SqliteHuey("test", filename=str(tmp_path / "queue.sqlite3"))

    @huey.task()
    def remind(clock_id, version):
        return clock_id, version

    soon = timezone.now() + dt.timedelta(minutes=5)
    later = timezone.now() + dt.timedelta(hours=2)
    try:
        schedule_many([(remind, (1, 3), soon), (remind, (2, 1), later)])
        assert huey.pending_count() == 0  # nothing for a consumer to take off the queue first
        filed = sorted((task.args, task.eta) for task in huey.scheduled())
        expected = [((1, 3), soon), ((2, 1), later)]
        assert [args for args, _eta in filed] == [args for args, _eta in expected]
        for (_args, eta), (_same, wanted) in zip(filed, expected, strict=True):
            assert eta == wanted.astimezone(dt.UTC).replace(tzinfo=None)  # Huey keeps naive UTC
        # the consumer's scheduler releases a job once its instant has passed
        assert huey.read_schedule(later.astimezone(dt.UTC).replace(tzinfo=None)) != []
    finally:
        huey.flush()
