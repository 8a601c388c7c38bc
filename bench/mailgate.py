#!/usr/bin/env python3
"""Mail gateway benchmark: messages per second through `servitium mailgate`, as an MTA would run it.

For each backend it prepares a fresh database with the demo data, creates a mail-gateway token, starts
`servitium run` and then pipes `--messages` RFC 822 messages through the pipe line that
`servitium mailgate-command` prints (the stdlib-only client that hands each message to the server; one
short-lived process per message, `--concurrency` at a time, as an MTA delivers; `--slow-pipe` runs
`servitium mailgate` with SERVITIUM_MAILGATE_URL instead). Two thirds of the messages open new tickets
(each answered with a threaded acknowledgement), one third are replies to earlier ones (threaded by
In-Reply-To). It reports messages per second and the per-message latency, and checks every message was
taken (exit 0) and the ticket count.

    .venv/bin/python bench/mailgate.py --messages 600
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_services import SERVITIUM, free_port, prepare, wait_ready  # noqa: E402

# What an MTA runs: the line `servitium mailgate-command` prints (the stdlib-only client without site
# packages); `--slow-pipe` measures `servitium mailgate` with SERVITIUM_MAILGATE_URL instead.
CLIENT = str(Path(__file__).resolve().parent.parent / "servitium" / "mailgate_client.py")
MAILGATE = [sys.executable, "-I", "-S", CLIENT, "--quiet"]
SLOW_MAILGATE = [sys.executable, "-m", "servitium.entry", "mailgate", "--quiet"]
SENDERS = ["grace.miller@alder.example", "omar.haddad@cedar.example", "fiona.walsh@dunmore.example"]


def message(i: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = SENDERS[i % len(SENDERS)]
    msg["To"] = "servicedesk@nimbus.example"
    msg["Message-ID"] = f"<bench-{i}@customer.example>"
    if i % 3 == 2:  # a reply to the message two before it
        msg["Subject"] = f"Re: Printer queue stuck {i - 2}"
        msg["In-Reply-To"] = f"<bench-{i - 2}@customer.example>"
        msg.set_content("Still happening after the restart.\n\nOn Monday the desk wrote:\n> restart it")
    else:
        msg["Subject"] = f"Printer queue stuck {i}"
        msg.set_content("Jobs stay in the queue since this morning. " * 5)
    return msg.as_bytes()


IN_PROCESS = """
import sys, time
sys.path.insert(0, {bench!r})
from mailgate import message
from servitium.incidents.mailgate.inbound import process
for i in range(20):
    process(message(900000 + i))
messages = [message(i) for i in range({n})]
began = time.perf_counter()
for raw in messages:
    process(raw)
print("RATE", {n} / (time.perf_counter() - began))
"""


def gateway_in_process(backend: str, args: argparse.Namespace) -> float:
    """The gateway itself (what the IMAP poller runs, one long-lived process): messages per second."""
    with tempfile.TemporaryDirectory(prefix=f"servitium-mailin-{backend}-") as data_dir:
        env = prepare(backend, data_dir)
        env["SERVITIUM_MAIL_RATE_LIMIT"] = "100000"
        env["SERVITIUM_EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
        if backend == "postgres":
            env["REDIS_URL"] = "redis://127.0.0.1:6379/15"
            env["SERVITIUM_QUEUE_NAME"] = f"mailbench-in-{int(time.time())}"
        code = IN_PROCESS.format(bench=str(Path(__file__).resolve().parent), n=args.messages)
        out = subprocess.run(
            [*SERVITIUM, "shell", "-c", code], env=env, check=True, capture_output=True, text=True
        ).stdout
        return round(float(out.split("RATE")[-1].strip()), 1)


def run_backend(backend: str, args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"servitium-mail-{backend}-") as data_dir:
        env = prepare(backend, data_dir)
        env["SERVITIUM_MAIL_RATE_LIMIT"] = (
            "100000"  # the benchmark's few senders write far more than people do
        )
        env["SERVITIUM_EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
        if backend == "postgres":  # production: the task queue on Redis
            env["REDIS_URL"] = "redis://127.0.0.1:6379/15"
            env["SERVITIUM_QUEUE_NAME"] = f"mailbench-{int(time.time())}"
        subprocess.run(
            [*SERVITIUM, "shell", "-c",
             "from servitium.parties import services as s; from servitium.parties.models import Organization;"
             "s.user_create(actor=None, data={'username': 'mailgw', 'password': 'Bench-gateway-password-1',"
             "'organization': Organization.objects.get(kind='provider'), 'roles': ['mail-gateway']})"],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        key = subprocess.run(
            [*SERVITIUM, "create-token", "mailgw"], env=env, check=True, capture_output=True, text=True
        ).stdout.strip()
        port = free_port()
        server = subprocess.Popen(
            [*SERVITIUM, "run", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        token_file = Path(data_dir) / "mailgate.token"
        token_file.write_text(key)
        url = f"http://127.0.0.1:{port}"
        client_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        if args.slow_pipe:
            command = SLOW_MAILGATE
            client_env |= {"SERVITIUM_MAILGATE_URL": url, "SERVITIUM_MAILGATE_TOKEN": key}
        else:
            command = [*MAILGATE, "--url", url, "--token-file", str(token_file)]
        latencies: list[float] = []
        failures: list[int] = []
        lock = threading.Lock()
        todo = list(range(args.messages))
        try:
            wait_ready(port)
            for i in range(args.warmup):  # as a running server is: its workers have answered before
                warm = message(900000 + i).replace(b"bench-", b"warmup-").replace(b"Printer", b"Warm-up")
                subprocess.run(command, input=warm, env=client_env, capture_output=True, check=True)

            def worker() -> None:
                while True:
                    with lock:
                        if not todo:
                            return
                        i = todo.pop(0)
                    began = time.perf_counter()
                    done = subprocess.run(
                        command,
                        input=message(i),
                        env=client_env,
                        capture_output=True,
                    )
                    with lock:
                        latencies.append((time.perf_counter() - began) * 1000)
                        if done.returncode != 0:
                            failures.append(done.returncode)

            began = time.perf_counter()
            threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            seconds = time.perf_counter() - began
            count = (
                "from servitium.incidents.models import Incident as I;"
                "print(I.objects.filter(channel='email', title__startswith='Printer queue stuck').count())"
            )
            tickets = (
                subprocess.run(
                    [*SERVITIUM, "shell", "-c", count], env=env, check=True, capture_output=True, text=True
                )
                .stdout.strip()
                .splitlines()[-1]
            )
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
    q = statistics.quantiles(latencies, n=100)
    return {
        "backend": backend,
        "pipe": "servitium mailgate" if args.slow_pipe else "mailgate-command line",
        "messages": args.messages,
        "per_second": round(args.messages / seconds, 1),
        "p50": round(q[49], 1),
        "p95": round(q[94], 1),
        "failures": len(failures),
        "tickets_opened": int(tickets),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=20, help="messages before the measured ones")
    parser.add_argument("--slow-pipe", action="store_true", help="`servitium mailgate` as the pipe")
    parser.add_argument("--json")
    args = parser.parse_args()
    results = [run_backend(b.strip(), args) for b in args.backends.split(",") if b.strip()]
    for r in results:
        r["gateway_in_process_per_second"] = gateway_in_process(r["backend"], args)
    print(f"\n{args.concurrency} concurrent mailgate processes; latency per message in ms\n")
    print(
        "| backend | pipe | messages | msg/s (pipe) | p50 | p95 | failures | tickets opened"
        " | msg/s (gateway) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        cells = [r["backend"], r["pipe"], r["messages"], r["per_second"], r["p50"], r["p95"], r["failures"]]
        cells += [r["tickets_opened"], r["gateway_in_process_per_second"]]
        print("| " + " | ".join(str(c) for c in cells) + " |")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0 if all(r["failures"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
