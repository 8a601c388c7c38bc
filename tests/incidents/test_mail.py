"""Incidents by email: the mail gateway (MTA pipe command and the function behind it), threading of replies,
machine-written mail, rate limits, attachments, and the outbound threaded notifications.

The end-to-end test uses only mail and the REST API, at chosen instants (time-machine moves the clock),
and checks the stored SLA results against a hand computation on the Berlin office calendar.
"""

from __future__ import annotations

import io
import subprocess
import sys
from email.message import EmailMessage

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from servitium.core.models import Attachment, Comment
from servitium.incidents.mailgate.inbound import process
from servitium.incidents.models import HeldMail, Incident, MailMessage, SlaClock
from tests import factories
from tests.base import client
from tests.incidents.conftest import H, berlin

GRACE = "grace.miller@a.example"


def message(
    subject: str = "Mailbox full",
    body: str = "I cannot receive mail since this morning.",
    sender: str = GRACE,
    msg_id: str | None = None,
    **headers,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Grace Miller <{sender}>"
    msg["To"] = "servicedesk@nimbus.example"
    msg["Subject"] = subject
    msg["Message-ID"] = msg_id or f"<{abs(hash((subject, body, sender, str(headers))))}@a.example>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


@pytest.fixture
def grace(ctx):
    return factories.person("Grace Miller", ctx.org_a, email=GRACE)


@pytest.fixture
def agent(ctx):
    return factories.user("agent1", ctx.provider, ["incident-agent"])


def test_mail_to_api_to_mail_round_trip_with_hand_computed_sla(
    ctx, sla, grace, agent, django_capture_on_commit_callbacks
):
    """Thu 2 Apr 2026 15:00 Berlin a mail opens a ticket; the agent sets its service and impact/urgency 2/2,
    so P3 (response 2 h, resolution 8 h). The agent asks a
    question at 15:30 (response met after 0.5 h; pending-customer pauses resolution at 0.5 h). The customer
    answers on Good Friday 10:00 (a German holiday): the clock runs again but counts nothing on Friday, the
    weekend or Easter Monday. Resolved Tue 7 Apr 11:00: 0.5 h + 2 h (Tue 09:00-11:00) = 9,000 s, met."""
    api = client(agent)
    with time_machine.travel(berlin(2026, 4, 2, 15, 0), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            result = process(message(subject="Mailbox full", msg_id="<first@a.example>"))
        incident = result.incident
        assert result.outcome == "opened"
        assert (incident.channel, incident.caller, incident.customer) == ("email", grace, ctx.org_a)
        ack = mail.outbox[-1]
        assert ack.to == [GRACE]
        assert f"[{incident.reference}]" in ack.subject
        assert ack.extra_headers["In-Reply-To"] == "<first@a.example>"
        assert ack.extra_headers["Auto-Submitted"] == "auto-replied"
        url = f"/api/v1/incidents/{incident.pk}/"
        changed = api.patch(url, {"service": sla.service.pk, "impact": 2, "urgency": 2}, format="json")
        assert changed.status_code == 200

    with time_machine.travel(berlin(2026, 4, 2, 15, 30), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            r = api.post(
                url + "transitions/",
                {"transition": "await_customer", "note": "Which mailbox is it?"},
                format="json",
            )
        assert r.status_code == 200, r.content
        question = mail.outbox[-1]
        assert "Which mailbox is it?" in question.body
        assert "<first@a.example>" in question.extra_headers["References"]

    with time_machine.travel(berlin(2026, 4, 3, 10, 0), tick=False):
        reply = message(
            subject=f"Re: {question.subject}",
            body="It is the sales mailbox.\n\nOn Thu, Service Desk wrote:\n> Which mailbox is it?",
            msg_id="<reply@a.example>",
            In_Reply_To=question.extra_headers["Message-ID"],
        )
        result = process(reply)
        assert (result.outcome, result.incident) == ("appended", incident)
        note = Comment.objects.get(object_id=incident.pk, author_name__isnull=False, body__contains="sales")
        assert note.body == "It is the sales mailbox." and note.visibility == "public"
        assert Incident.objects.get(pk=incident.pk).status == "in_progress"

    with time_machine.travel(berlin(2026, 4, 7, 11, 0), tick=False):
        r = api.post(
            url + "transitions/",
            {"transition": "resolve", "resolution_code": "fixed", "resolution_notes": "Quota raised."},
            format="json",
        )
        assert r.status_code == 200, r.content
        clocks = {c["metric"]: c for c in r.json()["sla_clocks"]}
    assert clocks["response_time"]["elapsed_business_s"] == 0.5 * H and clocks["response_time"]["met"]
    assert clocks["resolution_time"]["elapsed_business_s"] == 2.5 * H
    assert clocks["resolution_time"]["met"] is True
    stored = SlaClock.objects.get(incident=incident, metric="resolution_time")
    assert stored.elapsed_before_s == 9000 and stored.met is True


def test_reference_in_subject_threads_and_reopens_a_resolved_ticket(ctx, grace):
    incident = process(message(msg_id="<a1@a.example>")).incident
    Incident.objects.filter(pk=incident.pk).update(status="resolved")
    result = process(message(subject=f"Re: [{incident.reference}] still broken", msg_id="<a2@a.example>"))
    assert result.incident == incident
    incident.refresh_from_db()
    assert incident.status == "in_progress" and incident.reopen_count == 1


def test_reply_to_a_closed_ticket_opens_a_follow_up(ctx, grace):
    incident = process(message(msg_id="<c1@a.example>")).incident
    Incident.objects.filter(pk=incident.pk).update(status="closed")
    result = process(message(subject=f"Re: [{incident.reference}] again", msg_id="<c2@a.example>"))
    assert result.outcome == "opened" and result.incident != incident
    assert incident.reference in result.incident.description


def test_another_customer_cannot_write_into_a_ticket(ctx, grace):
    incident = process(message(msg_id="<x1@a.example>")).incident
    factories.person("Bob", ctx.org_b, email="bob@b.example")
    result = process(
        message(subject=f"Re: [{incident.reference}]", sender="bob@b.example", msg_id="<x2@b.example>")
    )
    assert result.outcome == "opened" and result.incident.customer == ctx.org_b
    assert not Comment.objects.filter(object_id=incident.pk, body__contains="cannot receive").exists()


@pytest.mark.parametrize(
    "headers,kind",
    [
        ({"Auto_Submitted": "auto-replied"}, "auto_reply"),
        ({"Precedence": "bulk"}, "auto_reply"),
        ({"X_Autoreply": "yes"}, "auto_reply"),
        ({"List_Id": "<news.a.example>"}, "auto_reply"),
        ({"X_Servitium_Loop": "nimbus.example"}, "loop"),
        ({"Return_Path": "<>"}, "bounce"),
        ({"X_Failed_Recipients": "someone@a.example"}, "bounce"),
    ],
)
def test_machine_written_mail_never_opens_tickets(ctx, grace, settings, headers, kind):
    settings.MAIL_DOMAIN = "nimbus.example"
    result = process(message(**headers))
    assert result.outcome == kind and result.incident is None
    assert Incident.objects.count() == 0
    assert MailMessage.objects.get().outcome == kind


def test_out_of_office_subject_and_mailer_daemon_are_recognised(ctx, grace):
    assert process(message(subject="Automatic reply: Mailbox full")).outcome == "auto_reply"
    assert process(message(sender="MAILER-DAEMON@a.example", subject="x")).outcome == "bounce"
    assert Incident.objects.count() == 0


def test_duplicate_delivery_is_taken_once(ctx, grace):
    raw = message(msg_id="<same@a.example>")
    assert process(raw).outcome == "opened"
    assert process(raw).outcome == "duplicate"
    assert Incident.objects.count() == 1


def test_rate_limit_per_sender(ctx, grace, settings):
    settings.MAIL_RATE_LIMIT_PER_HOUR = 3
    outcomes = [process(message(subject=f"n{i}", msg_id=f"<r{i}@a.example>")).outcome for i in range(5)]
    assert outcomes == ["opened"] * 3 + ["rate_limited"] * 2
    assert Incident.objects.count() == 3


def test_unknown_sender_is_refused_when_triage_is_off_unless_a_catch_all_customer_is_set(ctx, settings):
    settings.MAIL_TRIAGE = False
    assert process(message(sender="stranger@z.example")).outcome == "unknown_sender"
    assert not HeldMail.objects.exists()
    settings.MAIL_UNKNOWN_SENDER_CUSTOMER = ctx.org_b.name
    result = process(message(sender="stranger@z.example", msg_id="<s2@z.example>"))
    assert result.outcome == "opened" and result.incident.customer == ctx.org_b


def test_attachments_are_kept_and_refused_types_noted(ctx, grace):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = GRACE, "desk@nimbus.example", "Screenshot"
    msg["Message-ID"] = "<att@a.example>"
    msg.set_content("See attached.")
    msg.add_attachment(b"\x89PNG fake image bytes", maintype="image", subtype="png", filename="screen.png")
    msg.add_attachment(b"MZ...", maintype="application", subtype="x-msdownload", filename="tool.exe")
    incident = process(msg.as_bytes()).incident
    files = Attachment.objects.filter(object_id=incident.pk)
    assert [f.name for f in files] == ["screen.png"]
    assert Comment.objects.filter(object_id=incident.pk, visibility="internal", body__contains="tool.exe")


def test_public_reply_by_an_agent_is_mailed_in_the_thread(
    ctx, grace, agent, django_capture_on_commit_callbacks
):
    incident = process(message(msg_id="<t1@a.example>")).incident
    with django_capture_on_commit_callbacks(execute=True):
        r = client(agent).post(
            "/api/v1/comments/",
            {
                "object_type": "incidents.incident",
                "object_id": incident.pk,
                "body": "Looking now.",
                "visibility": "public",
            },
            format="json",
        )
        client(agent).post(
            "/api/v1/comments/",
            {
                "object_type": "incidents.incident",
                "object_id": incident.pk,
                "body": "secret",
                "visibility": "internal",
            },
            format="json",
        )
    assert r.status_code == 201
    bodies = [m.body for m in mail.outbox]
    assert "Looking now." in bodies and "secret" not in bodies
    out = next(m for m in mail.outbox if m.body == "Looking now.")
    assert out.to == [GRACE] and "<t1@a.example>" in out.extra_headers["References"]
    assert "Auto-Submitted" not in out.extra_headers


def test_mailgate_command_exit_codes(ctx, grace, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(message(msg_id="<cmd@a.example>"))))
    with pytest.raises(SystemExit) as done:
        call_command("mailgate")
    assert done.value.code == 0
    assert "opened INC" in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"no headers at all")))
    with pytest.raises(SystemExit) as bad:
        call_command("mailgate")
    assert bad.value.code == 65


@pytest.mark.django_db(transaction=True)
def test_mailgate_exits_75_when_the_database_is_unavailable(tmp_path):
    """A real process with a database path that cannot be opened: the MTA must be told to retry."""
    env = {
        "SERVITIUM_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/none.sqlite3",
        "PATH": "/usr/bin:/bin",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "servitium.cli", "mailgate"],
        input=message(msg_id="<down@a.example>"),
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 75, proc.stderr.decode()


def test_mailgate_exits_75_when_the_site_cannot_start(tmp_path):
    """A wrong setting in the pipe's environment is the operator's to fix: the MTA keeps the message (an
    exit 1 with a traceback would bounce it)."""
    env = {"SERVITIUM_DATA_DIR": str(tmp_path), "DATABASE_URL": "nosuchdb://x", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "servitium.cli", "mailgate"],
        input=message(msg_id="<nosite@a.example>"),
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 75, proc.stderr.decode()
    assert proc.stderr.decode().startswith(
        "mailgate: temporary failure, try again later: Scheme 'nosuchdb://'"
    )
    assert proc.stderr.count(b"\n") == 1


def _mailgate(url: str, key: str, raw: bytes) -> subprocess.CompletedProcess:
    env = {"SERVITIUM_MAILGATE_URL": url, "SERVITIUM_MAILGATE_TOKEN": key, "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "servitium.cli", "mailgate", "--quiet"],
        input=raw,
        capture_output=True,
        env=env,
        timeout=60,
    )


@pytest.mark.django_db(transaction=True)
def test_mailgate_client_hands_mail_to_the_running_server(live_server, ctx):
    """The MTA-pipe command as a small HTTP client: 0 taken, 65 unusable message, 75 server trouble."""
    from servitium.core import services as core_services

    factories.person("Grace Miller", ctx.org_a, email=GRACE)
    gateway = factories.user("mailgw", ctx.provider, ["mail-gateway"])
    _token, key = core_services.api_token_create(user=gateway)
    done = _mailgate(live_server.url, key, message(msg_id="<http1@a.example>"))
    assert done.returncode == 0, done.stderr
    assert Incident.objects.get().channel == "email"
    assert _mailgate(live_server.url, key, b"garbage without headers").returncode == 65
    assert _mailgate(live_server.url, "wrong-key", message(msg_id="<http2@a.example>")).returncode == 75
    agent = factories.user("agent_mg", ctx.provider, ["incident-agent"])
    _t, agent_key = core_services.api_token_create(user=agent)
    assert _mailgate(live_server.url, agent_key, message(msg_id="<http3@a.example>")).returncode == 75  # 403
    assert _mailgate("http://127.0.0.1:9", key, message(msg_id="<http4@a.example>")).returncode == 75
    assert Incident.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_printed_pipe_line_runs_without_site_packages(live_server, ctx, tmp_path, capsys):
    """`servitium mailgate-command` prints the line for the MTA: the client on its own (python -I -S),
    its server and token file as arguments; a missing token file or address is a temporary failure."""
    import shlex

    from servitium.cli import main as cli_main
    from servitium.core import services as core_services

    factories.person("Grace Miller", ctx.org_a, email=GRACE)
    gateway = factories.user("mailgw", ctx.provider, ["mail-gateway"])
    token_file = tmp_path / "mailgate.token"
    token_file.write_text(core_services.api_token_create(user=gateway)[1] + "\n")
    assert cli_main(["mailgate-command", "--url", live_server.url, "--token-file", str(token_file)]) == 0
    line = shlex.split(capsys.readouterr().out)
    assert line[:3] == [sys.executable, "-I", "-S"] and line[3].endswith("mailgate_client.py")

    def pipe(argv: list[str], raw: bytes) -> subprocess.CompletedProcess:
        env = {"PATH": "/usr/bin:/bin"}
        return subprocess.run(argv, input=raw, capture_output=True, env=env, timeout=60)  # noqa: S603

    done = pipe(line, message(msg_id="<line1@a.example>"))
    assert done.returncode == 0, done.stderr
    assert Incident.objects.get().channel == "email"
    missing = [*line[:-2], str(tmp_path / "no-such-file"), "--quiet"]
    refused = pipe(missing, message(msg_id="<line2@a.example>"))
    assert refused.returncode == 75 and b"token file" in refused.stderr
    no_url = pipe([*line[:4], "--token-file", str(token_file)], message(msg_id="<line3@a.example>"))
    assert no_url.returncode == 75 and b"no server address" in no_url.stderr
    # `servitium mailgate` with the same arguments hands the message over too (the `servitium` script)
    command = [sys.executable, "-m", "servitium.entry", "mailgate", *line[4:]]
    assert pipe(command, message(msg_id="<line4@a.example>")).returncode == 0
    assert Incident.objects.count() == 2


@pytest.mark.parametrize(
    "url, parts",
    [
        ("http://127.0.0.1:8000", (False, "127.0.0.1", 8000, "/")),
        ("https://sm.example.com/servitium/", (True, "sm.example.com", 443, "/servitium")),
        ("http://[::1]:8080/", (False, "::1", 8080, "/")),
    ],
)
def test_the_pipe_client_reads_server_addresses(url, parts):
    from servitium.mailgate_client import split_url

    assert split_url(url) == parts


def test_timeline_brings_every_source_together_and_respects_the_reader(ctx, grace, agent):
    incident = process(message(msg_id="<tl1@a.example>")).incident
    api = client(agent)
    for body, visibility in (("Looking into it.", "public"), ("Disk 3 is failing", "internal")):
        api.post(
            "/api/v1/comments/",
            {
                "object_type": "incidents.incident",
                "object_id": incident.pk,
                "body": body,
                "visibility": visibility,
            },
            format="json",
        )
    staff = api.get(f"/api/v1/incidents/{incident.pk}/timeline/").json()
    kinds = {e["kind"] for e in staff}
    assert {"change", "mail_in", "mail_out", "reply", "work_note"} <= kinds
    assert [e["at"] for e in staff] == sorted((e["at"] for e in staff), reverse=True)
    customer_user = factories.user("grace_login", ctx.org_a, ["customer"])
    seen = client(customer_user).get(f"/api/v1/incidents/{incident.pk}/timeline/").json()
    assert "Looking into it." in [e["body"] for e in seen]
    assert not {"work_note", "mail_in", "mail_out"} & {e["kind"] for e in seen}
    assert client(ctx.customer_b).get(f"/api/v1/incidents/{incident.pk}/timeline/").status_code == 404
    from django.test import Client

    browser = Client()
    browser.force_login(agent)
    page = browser.get(f"/incidents/{incident.pk}/").content.decode()
    assert 'id="timeline"' in page and "Disk 3 is failing" in page
