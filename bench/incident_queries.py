#!/usr/bin/env python3
"""Reads over a large incident table: the agent queues (filtered, sorted, paginated lists) and a month's
SLA compliance per service and priority, through the REST API of the production server.

Prepare the database once (PostgreSQL; about 8 minutes for a million tickets on 2 cores):

    createdb -h 127.0.0.1 -U postgres servitium_1m
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/servitium_1m SERVITIUM_DATA_DIR=/tmp/m1
    .venv/bin/servitium migrate && .venv/bin/servitium load-demo
    .venv/bin/servitium generate-incidents --count 1000000 --days 365 --batch 10000
    psql -h 127.0.0.1 -U postgres -d servitium_1m -c "VACUUM ANALYZE"

then run (same environment):

    .venv/bin/python bench/incident_queries.py --rounds 40
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_services import SERVITIUM, free_port, wait_ready  # noqa: E402


def get(conn: http.client.HTTPConnection, key: str, path: str) -> tuple[int, bytes, float]:
    began = time.perf_counter()
    conn.request("GET", path, headers={"Authorization": f"Token {key}"})
    response = conn.getresponse()
    body = response.read()
    return response.status, body, (time.perf_counter() - began) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40, help="requests per query")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL (and SERVITIUM_DATA_DIR) to the prepared database; see the docstring.")
    env = {**os.environ, "SERVITIUM_LOG_LEVEL": "WARNING", "SERVITIUM_HTTPS": "0"}
    key = subprocess.run(
        [*SERVITIUM, "create-token", "admin"], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    port = free_port()
    server = subprocess.Popen(
        [*SERVITIUM, "run", "--port", str(port), "--workers", str(args.workers), "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results = []
    try:
        wait_ready(port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        status, body, _ = get(conn, key, "/api/v1/incidents/?page_size=1")
        total = json.loads(body)["count"]
        status, body, _ = get(conn, key, "/api/v1/teams/?page_size=5")
        group = json.loads(body)["results"][0]["id"]
        status, body, _ = get(conn, key, "/api/v1/slas/?status=agreed&page_size=1")
        first = json.loads(body)["results"][0]
        customer, service = first["customer"], first["service"]
        last_month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
        queries = {
            "queue: status=assigned, by priority": "?status=assigned&ordering=priority",
            "team queue: group + in progress, newest": f"?assignment_group={group}&status=in_progress"
            "&ordering=-created",
            "customer's tickets, newest first": f"?customer={customer}&ordering=-created",
            "P1 tickets, newest first": "?priority=1&ordering=-created",
            "service, closed, newest first": f"?service={service}&status=closed&ordering=-created",
            "everything, newest first": "?ordering=-created",
            "everything, newest first, page 20": "?ordering=-created&page=20",
        }
        for label, query in queries.items():
            lat = []
            for _ in range(args.rounds):
                status, body, ms = get(conn, key, f"/api/v1/incidents/{query}&page_size=50")
                assert status == 200, body[:300]
                lat.append(ms)
            q = statistics.quantiles(lat, n=100)
            results.append({"query": label, "p50": round(q[49], 1), "p95": round(q[94], 1)})
        lat = []
        for _ in range(max(5, args.rounds // 4)):
            status, body, ms = get(conn, key, f"/api/v1/incidents/sla-compliance/?month={last_month}")
            assert status == 200, body[:300]
            lat.append(ms)
        rows = json.loads(body)
        clocks = sum(r["clocks"] for r in rows)
        q = statistics.quantiles(lat, n=20)
        results.append(
            {
                "query": f"SLA compliance {last_month} ({len(rows)} rows, {clocks} clocks)",
                "p50": round(statistics.median(lat), 1),
                "p95": round(q[18], 1),
            }
        )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"\n{total:,} incidents; {args.rounds} requests per list query, one client; ms\n")
    print("| query | p50 | p95 |")
    print("|---|---|---|")
    for r in results:
        print(f"| {r['query']} | {r['p50']} | {r['p95']} |")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"incidents": total, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
