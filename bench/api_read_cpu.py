#!/usr/bin/env python3
"""CPU per API read, in process: what one list page and one ticket read by id cost the web worker, without
the network, the client or the other workers. A throughput benchmark (`../shared/bench/ticket_workload.py`)
measures the whole machine; this one shows where a change to the read path moved the worker's own cost.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/servitium_rd .venv/bin/python bench/api_read_cpu.py

Reads through Django's test client with a token (the whole middleware and DRF stack), `--rounds` times each
after a warm-up; reports CPU milliseconds per request (process time) and the answer's size. The list is the
workload's: `status=new`, newest first, a page of 50 (the database needs 50 new tickets: `--make-new N`
raises N first through the API).
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
    figures = {}
    for name, path in (("list of 50", LIST), ("get", f"/api/v1/incidents/{newest[0]['id']}/")):
        for _ in range(20):
            response = client.get(path)
        assert response.status_code == 200, response.content[:200]
        started = time.process_time()
        for _ in range(args.rounds):
            client.get(path)
        figures[name] = {
            "cpu_ms": round((time.process_time() - started) / args.rounds * 1000, 2),
            "bytes": len(response.content),
        }
        print(f"{name:>10}: {figures[name]['cpu_ms']:6.2f} ms CPU per request, {len(response.content)} bytes")
    if args.json:
        save(args.json, figures)


if __name__ == "__main__":
    main()
