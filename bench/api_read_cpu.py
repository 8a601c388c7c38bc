#!/usr/bin/env python3
"""CPU per API read, in process: what one list page and one ticket read by id cost the web worker, without
the network, the client or the other workers. A throughput benchmark (`../shared/bench/ticket_workload.py`)
measures the whole machine; this one shows where a change to the read path moved the worker's own cost.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/servitium_rd .venv/bin/python bench/api_read_cpu.py

Reads as the web server hands them over: a WSGI call into `servitium.wsgi.application` with a token, which
the fast lane answers as it does under `servitium run` (`--through client`: Django's test client, the whole
middleware and DRF stack), `--rounds` times each after a warm-up; reports CPU milliseconds per request
(process time) and the answer's size. The list is the workload's: `status=new`, newest first, a page of
50 (the database needs 50 new tickets: `--make-new N` raises N first through the API).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servitium.settings")

LIST = "/api/v1/incidents/?status=new&ordering=-created&page=1&page_size=50"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--user", default="admin")
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--make-new", type=int, default=0)
    parser.add_argument("--json")
    parser.add_argument("--through", choices=("lane", "client"), default="lane")
    parser.add_argument("--profile", help="write a cProfile of the list rounds to this file")
    args = parser.parse_args()

    import django

    django.setup()
    from _results import save
    from django.contrib.auth import get_user_model
    from django.test import Client

    from servitium.core.context import change_context
    from servitium.core.services import api_token_create

    user = get_user_model().objects.get(username=args.user)
    with change_context(context="shell"):
        key = api_token_create(user=user, name="bench/api_read_cpu.py", expires=None)[1]
    client = Client(HTTP_AUTHORIZATION=f"Token {key}", HTTP_HOST="127.0.0.1")
    if args.make_new:
        services = client.get("/api/v1/services/?status=live&page_size=50").json()["results"]
        service = next(s for s in services if s.get("customers"))
        customer = service["customers"][0]
        customer = customer.get("id") if isinstance(customer, dict) else customer
        for i in range(args.make_new):
            body = {
                "title": f"read bench {i}",
                "description": "-",
                "service": service["id"],
                "customer": customer,
            }
            assert (
                client.post(
                    "/api/v1/incidents/", json.dumps(body), content_type="application/json"
                ).status_code
                == 201
            )
    newest = client.get(LIST).json()["results"]
    if len(newest) < 50:
        sys.exit(f"only {len(newest)} new tickets: run with --make-new {60 - len(newest)}")
    get = _client_get(client) if args.through == "client" else _wsgi_get(key)
    figures = {}
    for name, path in (("list of 50", LIST), ("get", f"/api/v1/incidents/{newest[0]['id']}/")):
        for _ in range(20):
            status, content = get(path)
        assert status == 200, content[:200]
        profiler = None
        if args.profile and name == "list of 50":
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.process_time()
        for _ in range(args.rounds):
            get(path)
        spent = time.process_time() - started
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        figures[name] = {"cpu_ms": round(spent / args.rounds * 1000, 2), "bytes": len(content)}
        print(f"{name:>10}: {figures[name]['cpu_ms']:6.2f} ms CPU per request, {len(content)} bytes")
    if args.json:
        save(args.json, figures)


def _client_get(client):
    def get(path: str) -> tuple[int, bytes]:
        response = client.get(path)
        return response.status_code, response.content

    return get


def _wsgi_get(key: str):
    """A GET as a WSGI server makes it (headers as the workload's client sends them)."""
    import io
    from urllib.parse import urlsplit

    from servitium.wsgi import application

    def get(path: str) -> tuple[int, bytes]:
        parts = urlsplit(path)
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": parts.path,
            "QUERY_STRING": parts.query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8111",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8111",
            "HTTP_AUTHORIZATION": f"Token {key}",
            "HTTP_ACCEPT": "application/json",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": io.StringIO(),
        }
        answer: list[str] = []
        body = b"".join(application(environ, lambda status, headers: answer.append(status)))
        return int(answer[0].split()[0]), body

    return get


if __name__ == "__main__":
    main()
