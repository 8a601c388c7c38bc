"""Two `servitium run` nodes on different ports share one PostgreSQL database, one Redis (queue, cache and
sessions) and one S3-compatible bucket (moto's server, started here), as behind a load balancer. Writes go
through both: references stay unique, the change log forms one sealed chain, a periodic job runs once per
period across the nodes, a file uploaded through one is downloaded through the other, and a sign-in on one
node is a sign-in on both (and so is a sign-out).

Real processes, real services; PostgreSQL and Redis only (the suite on SQLite skips it)."""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.core.test_supervision import _free_port, _scratch_database, _wait_for

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="several nodes share PostgreSQL (SQLite is one machine's database)",
)

REDIS = ("127.0.0.1", 6379)
PASSWORD = "two-nodes-password-1"

SETUP = """
import os
import django
django.setup()
from servitium.core import services as core
from servitium.parties import services as parties
from servitium.parties.models import Organization
make = core.record_create
provider = make(model=Organization, data={"name": "Two Nodes Ltd", "kind": "provider"}, actor=None)
customer = make(model=Organization, data={"name": "Customer Ltd", "kind": "customer"}, actor=None)
admin = parties.user_create(actor=None, data={
    "username": "admin", "password": os.environ["TWO_NODES_PASSWORD"], "email": "admin@two.example",
    "organization": provider, "roles": ["administrator"], "is_staff": True})
print(core.api_token_create(user=admin)[1], customer.pk)
"""


class Node:
    def __init__(self, name: str, env: dict[str, str], tmp: Path) -> None:
        self.name, self.port = name, _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "SERVITIUM_NODE_NAME": name, "SERVITIUM_DATA_DIR": str(tmp / f"data-{name}")}
        self.log = tmp / f"node-{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own command
                [sys.executable, "-m", "servitium.cli", "run", "--port", str(self.port), "--workers", "1"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

        def answers() -> bool:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{self.base}/login/", timeout=5) as response:  # noqa: S310
                    return response.status == 200
            except OSError:
                return False

        _wait_for(answers, timeout=600)  # migrations come first on a new database

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def command(self, *args: str, script: str | None = None) -> subprocess.CompletedProcess:
        argv = [sys.executable, "-c", script] if script else [sys.executable, "-m", "servitium.cli", *args]
        env = {**self.env, "DJANGO_SETTINGS_MODULE": "servitium.settings", "TWO_NODES_PASSWORD": PASSWORD}
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603


def _api(node: Node, method: str, path: str, key: str, payload=None, body=None, content_type=None):
    headers = {"Authorization": f"Token {key}", "Accept": "application/json"}
    data = None
    if payload is not None:
        data, headers["Content-Type"] = json.dumps(payload).encode(), "application/json"
    elif body is not None:
        data, headers["Content-Type"] = body, content_type
    request = urllib.request.Request(node.base + path, data=data, method=method, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        raw = response.read()
        return response.status, (
            json.loads(raw) if "json" in response.headers.get("Content-Type", "") else raw
        )


def _multipart(fields: dict[str, str], name: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: text/plain\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _browser() -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def _sign_in(opener, node: Node) -> None:
    with opener.open(f"{node.base}/login/", timeout=30) as page:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())[1]
    form = urllib.parse.urlencode(
        {"username": "admin", "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(  # noqa: S310
        f"{node.base}/login/", data=form, headers={"Referer": f"{node.base}/login/"}
    )
    with opener.open(request, timeout=30) as answer:
        assert "/login/" not in answer.geturl(), "the sign-in was refused"


def _signed_in_at(opener, node: Node) -> bool:
    with opener.open(f"{node.base}/", timeout=30) as page:
        return "/login/" not in page.geturl()


@contextlib.contextmanager
def _s3_server():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _redis_up() -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(REDIS) == 0


def test_two_nodes_share_database_queue_sessions_and_files(tmp_path):
    if not _redis_up():
        pytest.skip("no Redis on 127.0.0.1:6379")
    import boto3
    import psycopg

    with _scratch_database() as database_url, _s3_server() as s3_url:
        bucket = f"servitium-{uuid.uuid4().hex[:8]}"
        s3 = boto3.client(
            "s3",
            endpoint_url=s3_url,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name="us-east-1",
        )
        s3.create_bucket(Bucket=bucket)
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"SERVITIUM_TESTING", "REDIS_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
        }
        env.update(
            DATABASE_URL=database_url,
            REDIS_URL="redis://127.0.0.1:6379/7",
            SERVITIUM_QUEUE_NAME=f"two-nodes-{uuid.uuid4().hex[:8]}",
            SERVITIUM_HTTPS="0",
            SERVITIUM_SECRET_KEY=uuid.uuid4().hex * 2,  # one key: sessions and CSRF tokens are signed with it
            SERVITIUM_ANCHOR_KEY_FILE=str(tmp_path / "anchor.key"),  # one key: entries are MACed with it
            SERVITIUM_S3_BUCKET=bucket,
            SERVITIUM_S3_ENDPOINT_URL=s3_url,
            SERVITIUM_S3_ACCESS_KEY="test",
            SERVITIUM_S3_SECRET_KEY="test",
            SERVITIUM_S3_REGION="us-east-1",
        )
        nodes = [Node("a", env, tmp_path), Node("b", env, tmp_path)]
        try:
            nodes[0].start()  # the first node migrates the new database
            setup = nodes[0].command(script=SETUP)
            assert setup.returncode == 0, setup.stderr[-3000:]
            key, customer = setup.stdout.split()[-2:]
            nodes[1].start()
            both_up = time.time()
            _check_writes(nodes, key, int(customer), database_url, psycopg)
            _check_files(nodes, key, s3, bucket)
            _check_sessions(nodes)
            _check_periodic_jobs_and_seal(nodes, database_url, psycopg, both_up)
        finally:
            for node in nodes:
                node.stop()


def _check_writes(nodes, key, customer, database_url, psycopg) -> None:
    created: list[str] = []
    failures: list[str] = []

    def writer(index: int) -> None:
        for n in range(15):
            node = nodes[(index + n) % 2]
            try:
                status, ticket = _api(
                    node, "POST", "/api/v1/incidents/", key, {"title": f"w{index}-{n}", "customer": customer}
                )
                assert status == 201
                other = nodes[(index + n + 1) % 2]
                note = {"object_type": "incidents.incident", "object_id": ticket["id"], "body": "seen"}
                assert _api(other, "POST", "/api/v1/comments/", key, note)[0] == 201
                path = f"/api/v1/incidents/{ticket['id']}/transitions/"
                assert _api(node, "POST", path, key, {"transition": "start_work"})[0] == 200
                created.append(ticket["reference"])
            except Exception as exc:  # noqa: BLE001 - reported below with the node
                failures.append(f"{node.name}: {exc!r}")

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:5]
    assert len(created) == len(set(created)) == 60
    with psycopg.connect(database_url) as conn:
        duplicates = conn.execute(
            "SELECT reference FROM incidents_incident GROUP BY reference HAVING count(*) > 1"
        ).fetchall()
        assert duplicates == []
        assert conn.execute("SELECT count(*) FROM incidents_incident").fetchone()[0] == 60


def _check_files(nodes, key, s3, bucket) -> None:
    status, ticket = _api(nodes[0], "GET", "/api/v1/incidents/?page_size=1", key)
    target = ticket["results"][0]["id"]
    content = b"error log from the mail relay\n" * 100
    body, content_type = _multipart(
        {"object_type": "incidents.incident", "object_id": str(target)}, "file", "relay.log", content
    )
    status, attachment = _api(
        nodes[0], "POST", "/api/v1/attachments/", key, body=body, content_type=content_type
    )
    assert status == 201 and attachment["size"] == len(content)
    status, downloaded = _api(nodes[1], "GET", f"/api/v1/attachments/{attachment['id']}/download/", key)
    assert (status, downloaded) == (200, content)
    stored = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert len(stored) == 1 and stored[0].endswith(attachment["sha256"])  # filed by content
    assert not any((Path(n.env["SERVITIUM_DATA_DIR"]) / "attachments").exists() for n in nodes)


def _check_sessions(nodes) -> None:
    # Cookies belong to the host, not the port: the browser sends the same ones to both nodes.
    opener, jar = _browser()
    _sign_in(opener, nodes[0])
    assert _signed_in_at(opener, nodes[1])
    csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf}).encode()
    with opener.open(urllib.request.Request(f"{nodes[1].base}/logout/", data=form), timeout=30) as answer:  # noqa: S310
        answer.read()
    assert not _signed_in_at(opener, nodes[0])


def _check_periodic_jobs_and_seal(nodes, database_url, psycopg, both_up: float) -> None:
    # Each node's scheduler sends the minutely jobs to the shared queue once a minute, each at its own
    # second, and either node's worker may take them: in every whole minute with both nodes up the job
    # arrives twice, runs once, and the second arrival stands down.
    time.sleep(max(0.0, (int(both_up) // 60 + 2) * 60 + 5 - time.time()))
    whole_minute = time.strftime("%H:%M", time.gmtime((int(both_up) // 60 + 1) * 60))
    text = "".join(node.log.read_text() for node in nodes)
    ran = re.findall(r"periodic job SealChangeLog: running on node (\w) for the period of (\d\d:\d\d)", text)
    taken = re.findall(r"periodic job SealChangeLog: the period of (\d\d:\d\d) is taken by node (\w)", text)
    with psycopg.connect(database_url) as conn:
        runs = conn.execute(
            "SELECT to_char(slot AT TIME ZONE 'UTC', 'HH24:MI'), node FROM core_periodicrun "
            "WHERE job = 'SealChangeLog' ORDER BY slot"
        ).fetchall()
        assert sorted((slot, node) for node, slot in ran) == runs  # each run recorded, one per minute
        owners = dict(runs)
        assert all(owners[slot] == owner for slot, owner in taken), (taken, runs)
        attempts = [slot for _node, slot in ran] + [slot for slot, _owner in taken]
        assert attempts.count(whole_minute) == 2, (whole_minute, ran, taken)
        unsealed, sealed, top = conn.execute(
            "SELECT count(*) FILTER (WHERE seq IS NULL), count(seq), max(seq) FROM core_changerecord"
        ).fetchone()
    assert sealed >= 180 and top == sealed  # one chain: 1..n without gaps or forks
    assert unsealed < 50  # only what was written after the last seal
    for node in nodes:
        check = node.command("verify-changelog")
        assert check.returncode == 0, (node.name, check.stdout[-2000:], check.stderr[-2000:])
