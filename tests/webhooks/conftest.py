"""A real HTTP receiver in a thread, and subscriptions made through the services."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from servitium.webhooks import cache, services
from tests.incidents.conftest import sla  # noqa: F401 (an agreed SLA, for the breach test)


class Receiver:
    """Takes POSTs on a free local port and answers `statuses` (one per request, the last one repeated),
    after `delay` seconds."""

    def __init__(self, statuses=(200,), delay: float = 0) -> None:
        self.statuses = list(statuses)
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(delay)
                receiver.received.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"thanks" if status < 300 else b"not now")
                except ConnectionError:  # the sender gave up waiting (the timeout test)
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.received]


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """What a receiver does (docs/api.md): recompute the HMAC over `t.body` and compare."""
    parts = dict(p.split("=", 1) for p in headers["X-Servitium-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def closed_port_url() -> str:
    """An address where nothing listens: a port taken from the system and released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.close()


@pytest.fixture(autouse=True)
def _fresh_index():
    cache.forget()
    yield
    cache.forget()


def subscribe(url: str, record_types=("incidents.incident",), events=("created",), **extra):
    return services.subscription_create(
        actor=None,
        data={
            "description": extra.pop("description", "Monitoring bridge"),
            "target_url": url,
            "record_types": list(record_types),
            "events": list(events),
            **extra,
        },
    )
