"""The SQLite backend queues write transactions on a file lock shared by every process of a site
(servitium/core/db/sqlite3): the next writer starts as soon as the previous one commits, a waiter gives
up with SQLite's own error after the configured timeout, and reads never wait."""

from __future__ import annotations

import threading
import time

import pytest
from django.db.utils import OperationalError

from servitium.core.db.sqlite3.base import DatabaseWrapper


def wrapper(path, timeout: float = 5) -> DatabaseWrapper:
    settings = {
        "NAME": str(path),
        "ENGINE": "servitium.core.db.sqlite3",
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout},
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TIME_ZONE": None,
        "TEST": {},
    }
    return DatabaseWrapper(settings, alias=f"writers-{id(settings)}")


@pytest.fixture
def db_file(tmp_path, django_db_blocker):
    """A database file of its own (not the test database), so the real file lock is used."""
    django_db_blocker.unblock()
    first = wrapper(tmp_path / "site.sqlite3")
    with first.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("CREATE TABLE t (n integer)")
    first.close()
    yield tmp_path / "site.sqlite3"
    django_db_blocker.restore()


def test_a_writer_waits_for_the_one_before_and_starts_when_it_commits(db_file):
    one = wrapper(db_file)
    started = {}

    def second_writer():  # a connection of its own, as another thread or worker process has
        two = wrapper(db_file)
        with two.cursor():
            pass
        two.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        started["at"] = time.monotonic()
        with two.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (2)")
        two.commit()
        two.set_autocommit(True)
        two.close()

    one.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with one.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    thread = threading.Thread(target=second_writer)
    thread.start()
    time.sleep(0.135)
    assert "at" not in started  # queued behind the open transaction
    reader = wrapper(db_file)
    with reader.cursor() as cursor:  # reads are not queued (WAL): the committed state, at once
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone() == (0,)
    reader.close()
    committed = time.monotonic()
    one.commit()
    one.set_autocommit(True)
    thread.join(5)
    assert started["at"] - committed < 0.02  # started right after the commit, not after a long sleep
    with one.cursor() as cursor:
        cursor.execute("SELECT n FROM t ORDER BY n")
        assert cursor.fetchall() == [(1,), (2,)]
    one.close()


def test_a_waiter_gives_up_after_the_timeout_and_a_rollback_frees_the_queue(db_file):
    one, two = wrapper(db_file), wrapper(db_file, timeout=0.2)
    one.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with one.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(OperationalError, match="database is locked"):
        two.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    two.set_autocommit(True)
    one.rollback()
    one.set_autocommit(True)
    two.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)  # free again
    two.rollback()
    two.set_autocommit(True)
    one.close()
    two.close()
