"""Large mail through the running server: messages up to SERVITIUM_MAIL_MAX_BYTES are taken (Django's own
2.5 MiB request limit does not apply to the mail endpoint), larger ones are refused for good (exit 65 with
the reason) and read to their end first, so the pipe client never sees a broken pipe (which it would have
to report as temporary). And the pipe client's exit code for each kind of answer."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

import servitium.mailgate_client as client_module
from servitium.core import services as core_services
from servitium.core.models import Attachment
from servitium.incidents.models import Incident
from tests import factories
from tests.base import client
from tests.incidents import mail_fuzz
from tests.incidents.subprocess_db import shared_database, site_env

SENDER = "grace.miller@a.example"
MIB = 1024 * 1024


def big_message(msg_id: str, payload: bytes) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = SENDER, "desk@nimbus.example", "Crash dump attached"
    msg["Message-ID"] = msg_id
    msg.set_content("The server crashed again; the dump is attached.")
    msg.add_attachment(payload, maintype="application", subtype="octet-stream", filename="crash.dmp")
    return msg.as_bytes()


def pipe(url: str, key: str, raw: bytes) -> subprocess.CompletedProcess:
    """The MTA's pipe: the client on its own, as `servitium mailgate-command` prints it."""
    argv = [sys.executable, "-I", "-S", client_module.__file__, "--url", url]
    env = {"PATH": "/usr/bin:/bin", "SERVITIUM_MAILGATE_TOKEN": key}
    return subprocess.run(argv, input=raw, capture_output=True, env=env, timeout=120)  # noqa: S603


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_site(tmp_path, **env: str) -> Iterator[str]:
    """The production web server (granian, one worker, the lane in front of Django) serving the site on
    this test's database; what it wrote is readable here once the block ends."""
    port = free_port()
    with shared_database(tmp_path) as database_url:
        argv = [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port"]
        argv += [str(port), "--workers", "1", "--no-ws", "servitium.wsgi:application"]
        server = subprocess.Popen(  # noqa: S603 - our own server
            argv, env=site_env(database_url, **env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        server.kill()
                        pytest.fail(f"granian did not start: {server.stderr.read().decode()[-2000:]}")
                    time.sleep(0.2)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(30)


@pytest.mark.django_db(transaction=True)
def test_the_production_server_takes_8_mib_and_refuses_more_than_the_limit(ctx, tmp_path):
    factories.person("Grace Miller", ctx.org_a, email=SENDER)
    key = core_services.api_token_create(user=factories.user("mailgw", ctx.provider, ["mail-gateway"]))[1]
    payload = os.urandom(6 * MIB)  # base64 in the message: 8 MiB, over Django's 2.5 MiB request limit
    raw = big_message("<big1@a.example>", payload)
    assert 8 * MIB < len(raw) < 10 * MIB
    with running_site(tmp_path, SERVITIUM_MAIL_MAX_BYTES=str(10 * MIB)) as url:
        done = pipe(url, key, raw)
        refused = pipe(url, key, big_message("<big2@a.example>", os.urandom(9 * MIB)))  # 12 MiB
        after = pipe(url, key, big_message("<small@a.example>", b"small"))  # the lane's size
        head = f"From: {SENDER}\r\nSubject: deep\r\nMessage-ID: <deep@a.example>\r\n".encode()
        deep = pipe(url, key, mail_fuzz._nested(head, 1000, "multipart"))  # the lane hands it over
    assert done.returncode == 0, done.stderr.decode()
    answer = json.loads(done.stdout)
    assert answer["outcome"] == "opened"
    assert refused.returncode == 65, refused.stderr.decode()  # not 75 from a broken pipe
    reason = refused.stderr.decode()
    assert (
        reason.startswith("mailgate: not accepted: The message is ")
        and f"limit of {10 * MIB} bytes" in reason
    )
    assert after.returncode == 0, after.stderr.decode()
    assert deep.returncode == 65, deep.stderr.decode()
    assert (
        deep.stderr
        == b"mailgate: not accepted: the message's MIME parts are nested more than 40 levels deep\n"
    )

    incident = Incident.objects.get(reference=answer["reference"])
    attachment = Attachment.objects.get(object_id=incident.pk)
    assert (attachment.name, attachment.size) == ("crash.dmp", len(payload))
    assert attachment.sha256 == hashlib.sha256(payload).hexdigest()
    assert Incident.objects.count() == 2  # the refused one left nothing


def test_the_mail_endpoint_takes_more_than_djangos_request_limit(ctx, settings):
    """The endpoint itself (the full stack, without the lane): 3 MiB taken, over the limit 413."""
    factories.person("Grace Miller", ctx.org_a, email=SENDER)
    gateway = factories.user("mailgw", ctx.provider, ["mail-gateway"])
    raw = big_message("<mid@a.example>", os.urandom(2 * MIB + MIB // 4))
    assert len(raw) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    taken = client(gateway).generic("POST", "/api/v1/mail/inbound/", raw, content_type="message/rfc822")
    assert taken.status_code == 200, taken.content
    settings.MAIL_MAX_BYTES = MIB
    raw = big_message("<mid2@a.example>", os.urandom(2 * MIB))
    refused = client(gateway).generic("POST", "/api/v1/mail/inbound/", raw, content_type="message/rfc822")
    assert refused.status_code == 413
    assert refused.json()["detail"] == (
        f"The message is {len(raw)} bytes, over this service desk's limit of {MIB} bytes."
    )
    garbage = client(gateway).generic(
        "POST", "/api/v1/mail/inbound/", b"\x00" * 10, content_type="message/rfc822"
    )
    assert (
        garbage.status_code == 400 and garbage.json()["detail"] == "the message has no sender address (From)"
    )


class _OneAnswer:
    """A server that reads only the request head, answers with `status` and closes: what a server does
    when it refuses early (or a proxy in front of it)."""

    def __init__(self, status: int, body: bytes) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.answer = b"HTTP/1.1 %d X\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (
            status,
            len(body),
            body,
        )
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _addr = self.sock.accept()
        with conn:
            head = b""
            while b"\r\n\r\n" not in head:
                head += conn.recv(4096)
            conn.sendall(self.answer)
            conn.shutdown(socket.SHUT_WR)
            time.sleep(0.2)
        self.sock.close()


@pytest.mark.parametrize(
    "status, body, code",
    [
        (413, b'{"detail": "The message is too large."}', 65),
        (400, b'{"detail": "the message has no sender address (From)"}', 65),
        (422, b"unprocessable", 65),
        (500, b"<h1>Server Error</h1>", 75),
        (503, b"maintenance", 75),
        (502, b"bad gateway", 75),
        (401, b'{"detail": "Invalid token."}', 75),  # the gateway's setup, not the message
        (403, b'{"detail": "Only the mail gateway may hand in mail."}', 75),
        (429, b"slow down", 75),
    ],
)
def test_the_pipe_client_maps_answers_to_exit_codes_even_when_cut_short(status, body, code):
    """4xx about the message: 65 (bounce) with the server's reason; 5xx, or 4xx about this gateway's
    setup: 75 (retry). A server that answers before reading an 8 MiB message still gets understood."""
    server = _OneAnswer(status, body)
    done = pipe(server.url, "key", b"From: a@b.example\r\n\r\n" + b"x" * (8 * MIB))
    assert done.returncode == code, done.stderr.decode()
    if status in (413, 400):
        assert done.stderr.decode() == f"mailgate: not accepted: {json.loads(body)['detail']}\n"
    else:
        assert done.stderr.decode().startswith(
            f"mailgate: server answered {status}" if code == 75 else "mailgate"
        )


def test_the_pipe_client_retries_when_no_server_answers():
    done = pipe(f"http://127.0.0.1:{free_port()}", "key", b"From: a@b.example\r\n\r\nx")
    assert done.returncode == 75 and b"not reachable" in done.stderr
