"""SQLite, with concurrent write transactions taking turns on an operating-system lock.

SQLite lets one transaction write at a time. When several connections want to write, each waits inside
SQLite (the busy handler, and the WAL read-lock retries), which back off with growing sleeps; under
steady concurrent writes a waiter can lose the race several times in a row while others get through.
Measured with 8 API clients creating tickets (bench/api_incidents.py, 2 web workers x 2 threads): p99
211-260 ms without this, 76-89 ms with it, at the same or a slightly higher throughput
(docs/performance.md).

Every write transaction (Django's `atomic`, which begins with `BEGIN IMMEDIATE` here) first takes an
exclusive `flock` on a file beside the database (`<name>.writers`), shared by every process and thread
of the site; a waiter polls it every 0.2-1 ms, so writers take turns within a millisecond of each
commit. The lock is released at commit, rollback or close. Statements outside `atomic` and reads do not
take it (WAL lets readers proceed). `OPTIONS["timeout"]` bounds the wait as it bounds SQLite's own, with
the same "database is locked" error. In-memory databases (the tests) have no file to lock.
"""

from __future__ import annotations

import fcntl
import os
import time

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError


class DatabaseOperations(base.DatabaseOperations):
    compiler_module = "servitium.core.db.compiler_sqlite3"  # plain SELECTs kept (core/db/shapes.py)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._gate_fd: int | None = None
        self._gate_held = False

    def _gate_path(self) -> str:
        return f"{self.settings_dict['NAME']}.writers"

    def _enter_gate(self) -> None:
        if self._gate_fd is None:
            self._gate_fd = os.open(self._gate_path(), os.O_RDWR | os.O_CREAT, 0o600)
        delay, deadline = 0.0002, None
        while True:
            try:
                fcntl.flock(self._gate_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._gate_held = True
                return
            except BlockingIOError:
                now = time.monotonic()
                if deadline is None:
                    deadline = now + float(self.settings_dict["OPTIONS"].get("timeout", 5))
                elif now >= deadline:
                    raise OperationalError("database is locked (waited for the writers' queue)") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.001)

    def _leave_gate(self) -> None:
        if self._gate_held:
            self._gate_held = False
            fcntl.flock(self._gate_fd, fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self) -> None:
        if self.is_in_memory_db():
            return super()._start_transaction_under_autocommit()
        self._enter_gate()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._leave_gate()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._leave_gate()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._leave_gate()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._leave_gate()
            if self._gate_fd is not None:
                os.close(self._gate_fd)
                self._gate_fd = None
