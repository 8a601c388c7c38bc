"""The task queue runs on Redis when REDIS_URL is set (the real Redis on 127.0.0.1:6379), else on SQLite."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap

import pytest

REDIS = ("127.0.0.1", 6379)

SCRIPT = textwrap.dedent(
    """
    import os, django
    os.environ["DJANGO_SETTINGS_MODULE"] = "servitium.settings"
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from huey.contrib.djhuey import HUEY
    from servitium.core.jobs import seal_change_log
    from servitium.core.models import ChangeRecord
    from tests import factories
    HUEY.flush()
    print(type(HUEY.storage).__name__)
    factories.organization("Queued Ltd", "customer")
    result = seal_change_log()          # enqueued, not run
    print(HUEY.pending_count())
    task = HUEY.dequeue()
    HUEY.execute(task)                  # what a consumer does
    print(ChangeRecord.objects.filter(seq__isnull=True).count())
    HUEY.flush()
    """
)


def run(env_extra: dict[str, str], tmp_path) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SERVITIUM_TESTING")}
    env.update(
        {
            "SERVITIUM_DATA_DIR": str(tmp_path),
            "SERVITIUM_QUEUE_NAME": f"servitium-test-{os.getpid()}",
            **env_extra,
        }
    )
    out = subprocess.run(  # noqa: S603 - fixed command: this interpreter and a constant script
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.split()


def test_queue_on_redis(tmp_path):
    with socket.socket() as s:
        if s.connect_ex(REDIS) != 0:
            pytest.skip("no Redis on 127.0.0.1:6379")
    storage, pending, unsealed = run({"REDIS_URL": "redis://127.0.0.1:6379/0"}, tmp_path)
    assert storage == "PriorityRedisStorage" and pending == "1" and unsealed == "0"


def test_queue_on_sqlite_by_default(tmp_path):
    storage, pending, unsealed = run({}, tmp_path)
    assert storage == "SqliteStorage" and pending == "1" and unsealed == "0"
    assert (tmp_path / "tasks.sqlite3").exists()
