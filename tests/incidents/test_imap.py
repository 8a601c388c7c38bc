"""IMAP polling against a real IMAP server (pymap, an IMAP4rev1 server in Python, started per test):
new mail opens tickets and is removed from the mailbox, machine mail is taken and ignored, a message that
cannot be read stays in the mailbox flagged as seen for a person to look at."""

from __future__ import annotations

import imaplib
import shutil
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from servitium.incidents.mailgate.imap import poll_mailbox
from servitium.incidents.models import Incident, MailMessage
from tests import factories

PYMAP = shutil.which("pymap") or str(Path(sys.executable).parent / "pymap")


@pytest.fixture
def imap_server(settings):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603 - our own test server
        [PYMAP, "--host", "127.0.0.1", "--port", str(port), "--no-tls", "dict", "--demo-data"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("pymap did not start")
            time.sleep(0.1)
    settings.IMAP_HOST, settings.IMAP_PORT, settings.IMAP_SSL = "127.0.0.1", port, False
    settings.IMAP_USER, settings.IMAP_PASSWORD, settings.IMAP_FOLDER = "demouser", "demopass", "INBOX"
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login("demouser", "demopass")
    client.select("INBOX")
    client.uid("STORE", "1:*", "+FLAGS", "(\\Deleted)")  # start from an empty mailbox
    client.expunge()
    yield client
    client.logout()
    server.terminate()
    server.wait(10)


def mail(sender: str, subject: str, msg_id: str, **headers) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = sender, "desk@nimbus.example", subject, msg_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content("Hello, the VPN drops every ten minutes.")
    return msg.as_bytes()


def test_polling_takes_new_mail_and_leaves_unreadable_mail_seen(ctx, imap_server):
    factories.person("Grace Miller", ctx.org_a, email="grace@a.example")
    for raw in (
        mail("grace@a.example", "VPN drops", "<imap1@a.example>"),
        mail("grace@a.example", "Out of office", "<imap2@a.example>", Auto_Submitted="auto-replied"),
        b"Subject: no sender at all\r\n\r\nbody\r\n",
    ):
        assert imap_server.append("INBOX", None, None, raw)[0] == "OK"
    counts = poll_mailbox()
    assert counts == {"opened": 1, "auto_reply": 1, "malformed": 1}
    assert Incident.objects.get().title == "VPN drops"
    assert set(MailMessage.objects.values_list("outcome", flat=True)) >= {"opened", "auto_reply"}
    imap_server.select("INBOX")
    left = imap_server.uid("SEARCH", None, "ALL")[1][0].split()
    assert len(left) == 1  # the unreadable one stays for a person
    assert imap_server.uid("SEARCH", None, "UNSEEN")[1][0].split() == []
    assert poll_mailbox() == {}  # nothing new: nothing happens


def test_polling_takes_broken_headers_and_sets_aside_what_can_never_be_read(
    ctx, imap_server, settings, caplog
):
    """The gateway's rules for the mailbox too: a broken header still makes a ticket; a message over the
    size limit (judged before it is downloaded) or nested absurdly deep is flagged seen and kept, once."""
    from tests.incidents.mail_fuzz import _nested

    factories.person("Grace Miller", ctx.org_a, email="grace@a.example")
    settings.MAIL_MAX_BYTES = 200_000
    head = b"From: grace@a.example\r\nTo: desk@nimbus.example\r\nMessage-ID: <%s@a.example>\r\n"
    for raw in (
        head % b"8bit" + b"Subject: Gr\xfc\xdfe, Drucker kaputt\r\n\r\nPrinter on fire.\r\n",
        head % b"big" + b"Subject: large\r\n\r\n" + b"x" * 300_000,
        _nested(head % b"deep" + b"Subject: deep\r\n", 60, "multipart"),
    ):
        assert imap_server.append("INBOX", None, None, raw)[0] == "OK"
    assert poll_mailbox() == {"opened": 1, "malformed": 2}
    assert Incident.objects.get().title == "Grüße, Drucker kaputt"
    assert "over the limit of 200000" in caplog.text and "nested more than 40 levels" in caplog.text
    imap_server.select("INBOX")
    assert len(imap_server.uid("SEARCH", None, "ALL")[1][0].split()) == 2  # kept for a person
    assert poll_mailbox() == {}  # and not tried again


def test_a_message_that_keeps_failing_is_set_aside_but_a_database_outage_never(ctx, imap_server, monkeypatch):
    """An unexpected error (a bug, simulated here) is retried for MAX_ATTEMPTS runs, then the message is
    set aside so it cannot be tried every minute forever; a database error is always retried."""
    from django.db import OperationalError

    from servitium.incidents.mailgate import imap

    assert (
        imap_server.append("INBOX", None, None, mail("grace@a.example", "Hi", "<fail@a.example>"))[0] == "OK"
    )
    monkeypatch.setattr(imap, "MAX_ATTEMPTS", 3)  # as with 10, in fewer runs
    monkeypatch.setattr(imap, "process", lambda raw: (_ for _ in ()).throw(OperationalError("database down")))
    for _run in range(imap.MAX_ATTEMPTS + 2):
        assert poll_mailbox() == {"retry": 1}
    monkeypatch.setattr(imap, "process", lambda raw: (_ for _ in ()).throw(RuntimeError("a bug")))
    for _run in range(imap.MAX_ATTEMPTS - 1):
        assert poll_mailbox() == {"retry": 1}
    assert poll_mailbox() == {"malformed": 1}
    assert poll_mailbox() == {}
