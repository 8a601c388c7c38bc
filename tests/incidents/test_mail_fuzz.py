"""The mail gateway under malformed and oversized mail (tests/incidents/mail_fuzz.py): every message is
either taken (exit 0, and then it is stored) or refused for good with a one-line reason (exit 65, the MTA
bounces it), never "try again" (75, the MTA would retry it for days), never a traceback. Through both
ways an MTA hands mail in: `servitium mailgate` taking it in its own process, and the pipe client handing
it to the running server.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

import servitium.mailgate_client as client_module
from servitium.core import services as core_services
from servitium.core.models import Attachment, Comment
from servitium.incidents.mail.parsing import MAX_FILENAME
from servitium.incidents.models import Incident, MailMessage
from tests import factories
from tests.incidents import mail_fuzz
from tests.incidents.subprocess_db import run_mailgate, shared_database

SENDER = "grace@fuzz.example"
LIMIT = 1024 * 1024  # the configured maximum for these tests: oversized cases stay small to generate
CLIENT = Path(client_module.__file__)

# Cases whose outcome is known: a broken header or part still makes a ticket; what cannot be read is refused.
MUST_TAKE = (
    "nul-body", "nul-subject", "nul-display-name", "nul-header-name", "nul-filename", "nul-encoded-word",
    "nul-in-html", "8bit-", "name-", "charset-", "cte-", "rfc2047-bad", "content-type-", "huge-subject",
    "huge-folded-subject", "many-", "html-", "long-line", "truncated-at-", "missing-", "empty-boundary",
    "nested-multipart-5", "nested-multipart-30", "nested-rfc822-30", "huge-message-id", "many-references",
)  # fmt: skip
MUST_REFUSE = (
    "oversize-", "nested-multipart-1000", "nested-multipart-1500", "nested-rfc822-1000", "empty-message",
    "whitespace", "no-from", "from-without-address", "nul-only", "garbage-",
)  # fmt: skip


@pytest.fixture
def fuzz_settings(settings):
    settings.MAIL_MAX_BYTES = LIMIT
    settings.MAIL_RATE_LIMIT_PER_HOUR = 100_000  # one sender writes all of them
    return settings


@pytest.fixture
def grace(ctx):
    return factories.person("Grace Miller", ctx.org_a, email=SENDER)


def _check(name: str, code: int, out: str, err: str, taken: dict) -> None:
    assert code in (0, 65), f"{name}: exit {code}: {err}"
    assert "Traceback" not in err, f"{name}: {err}"
    if name.startswith(MUST_TAKE):
        assert code == 0, f"{name} was refused: {err}"
    if name.startswith(MUST_REFUSE):
        assert code == 65, f"{name} was taken: {out}"
    if code == 65:
        assert err.strip().splitlines()[-1].startswith("mailgate: not accepted: "), f"{name}: {err!r}"
    else:
        taken[name] = out


def _assert_stored(taken: dict[str, tuple[str, str | None, str]]) -> None:
    """Exit 0 means the message is on record: logged, and its ticket or comment exists."""
    for name, (outcome, reference, message_id) in taken.items():
        logged = MailMessage.objects.filter(message_id=message_id, direction="in")
        assert logged.exists(), f"{name}: {message_id} not logged"
        if outcome == "opened":
            incident = Incident.objects.get(reference=reference)
            assert logged.filter(incident=incident).exists(), name
        elif outcome == "appended":
            incident = Incident.objects.get(reference=reference)
            assert Comment.objects.filter(object_id=incident.pk).exists(), name
    opened = [v for v in taken.values() if v[0] == "opened"]
    assert len(opened) > len(taken) // 2  # most of them were readable enough for a ticket
    for name in Attachment.objects.values_list("name", flat=True):
        assert name and "/" not in name and "\\" not in name and not name.startswith("."), name
        assert len(name) <= MAX_FILENAME and name.isprintable(), name
    for title, description in Incident.objects.values_list("title", "description"):
        assert "\x00" not in title + description


def test_fuzzed_mail_through_the_local_command(ctx, grace, fuzz_settings, monkeypatch):
    """`servitium mailgate` (its command, in this process) over every case."""
    taken = {}
    for name, raw in mail_fuzz.messages(SENDER, LIMIT, tag="local"):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
        out, err = io.StringIO(), io.StringIO()
        with pytest.raises(SystemExit) as done:
            call_command("mailgate", stdout=out, stderr=err)
        _check(name, done.value.code, out.getvalue(), err.getvalue(), taken)
        if done.value.code == 0:
            outcome, reference, message_id = out.getvalue().split()
            taken[name] = (outcome, None if reference == "-" else reference, message_id)
    _assert_stored(taken)


@pytest.mark.django_db(transaction=True)
def test_fuzzed_mail_through_the_running_server(live_server, ctx, grace, fuzz_settings, monkeypatch, capsys):
    """The pipe client (its code, in this process) handing every case to a live server; a sample also
    as the real pipe process, `python -I -S mailgate_client.py`."""
    gateway = factories.user("mailgw", ctx.provider, ["mail-gateway"])
    key = core_services.api_token_create(user=gateway)[1]
    monkeypatch.setenv("SERVITIUM_MAILGATE_TOKEN", key)
    cases = mail_fuzz.messages(SENDER, LIMIT, tag="server")
    taken = {}
    for name, raw in cases:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
        code = client_module.main(["--url", live_server.url])
        out, err = capsys.readouterr()
        _check(name, code, out, err, taken)
        if code == 0:
            answer = json.loads(out)
            taken[name] = (answer["outcome"], answer["reference"], answer["message_id"])
    _assert_stored(taken)

    sample = [
        c for c in cases if c[0].startswith(("oversize-", "nested-multipart-1000", "name-b'../", "nul-"))
    ]
    for name, raw in sample[:8]:
        proc = run_pipe(
            [sys.executable, "-I", "-S", str(CLIENT), "--url", live_server.url, "--quiet"], raw, key
        )
        # each was already taken or refused above: the same answer again, as a duplicate or a refusal
        expected = 65 if name.startswith(MUST_REFUSE) else 0
        assert proc.returncode == expected, f"{name}: {proc.stderr!r}"
        assert b"Traceback" not in proc.stderr


def run_pipe(argv: list[str], raw: bytes, key: str):
    import subprocess

    env = {"PATH": "/usr/bin:/bin", "SERVITIUM_MAILGATE_TOKEN": key}
    return subprocess.run(argv, input=raw, capture_output=True, env=env, timeout=120)  # noqa: S603


@pytest.mark.django_db(transaction=True)
def test_a_fuzz_sample_through_the_mailgate_process(ctx, grace, tmp_path):
    """The real `servitium mailgate` process (settings, start-up, exit status) for the four kinds of
    message outside testing found retried forever."""
    wanted = ("nul-body", "8bit-subject-invalid", "nested-multipart-1000", "name-b'../../x.html'")
    cases = [c for c in mail_fuzz.messages(SENDER, LIMIT, tag="process") if c[0] in wanted]
    assert len(cases) == len(wanted)
    with shared_database(tmp_path) as database_url:
        results = {name: run_mailgate(database_url, raw) for name, raw in cases}
    for name, proc in results.items():
        assert b"Traceback" not in proc.stderr, proc.stderr.decode()
        if name == "nested-multipart-1000":
            assert proc.returncode == 65, proc.stderr.decode()
            last = proc.stderr.decode().strip().splitlines()[-1]
            assert (
                last == "mailgate: not accepted: the message's MIME parts are nested more than 40 levels deep"
            )
        else:
            assert proc.returncode == 0, proc.stderr.decode()
            outcome, reference, _message_id = proc.stdout.decode().split()
            assert outcome == "opened" and Incident.objects.filter(reference=reference).exists()
    # a subject in neither ASCII nor UTF-8 is read as Windows-1252; NUL bytes are dropped
    assert Incident.objects.filter(title="ÿþÃ( ¡â(¡").exists()
    assert Incident.objects.filter(description="helloworld").exists()
    assert Attachment.objects.get().name == "x.html"  # ../../x.html, the file name without its path
