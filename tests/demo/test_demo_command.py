"""`servitium demo` tells what it is doing while it loads and prints the login last, framed."""

from __future__ import annotations

import io
import re
import socket
import threading

from django.core.management import call_command

from servitium import cli


def test_loading_reports_progress_step_by_step(db):
    out = io.StringIO()
    call_command("load_demo", "--small", admin_password="demo-pass-1", stdout=out)
    lines = out.getvalue().splitlines()
    shares = [int(m.group(1)) for line in lines if (m := re.match(r"Loading demo data:\s+(\d+)% (.+)", line))]
    assert shares[0] == 0 and shares[-1] == 100
    assert shares == sorted(shares) and len(set(shares)) >= 10  # a step at a time, never backwards
    assert any(line.endswith("% incidents") for line in lines)
    assert lines[-1].startswith("demo data ready: ")


def test_login_banner_comes_once_the_server_answers(db, capsys):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        lines = ["Servitium demo is ready: http://127.0.0.1/", "Sign in as 'admin' with the password 'x'"]
        cli._banner_when_ready("127.0.0.1", port, lines)
        for thread in [t for t in threading.enumerate() if t.name == "demo-banner"]:
            thread.join(timeout=10)
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed[0] == printed[-1] == "=" * max(len(line) for line in lines)
    assert printed[1:-1] == lines
