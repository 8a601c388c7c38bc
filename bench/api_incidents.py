#!/usr/bin/env python3
"""API benchmark: incident creation with 8 concurrent clients, against PostgreSQL's own floor.

For each backend it prepares a fresh database with the demo data, starts `servitium run` (granian, the
production server; on PostgreSQL with the Redis task queue, as in production) on a free port, warms it
up, then 8 client threads (one keep-alive connection each) create `--creates` incidents through
`POST /api/v1/incidents/`. Each create is the full write: token authentication, validation of the
customer and service through the permission path, priority from the matrix, reference number, the row,
its change-log entry, the SLA clocks from the customer's agreement on its service-hours calendar, and the
delayed warning checks queued after commit. Then it runs `../shared/bench/pg_floor.py` with the same
creates and concurrency, so the ratio is read from one run. The last column is the range of the clients'
mean latencies: a wide one means the connections fell unevenly on the worker processes (see
docs/performance.md, "Repeated runs").

    .venv/bin/python bench/api_incidents.py --creates 4000

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_services  # noqa: E402
from api_services import (  # noqa: E402  (bench scripts are plain files, not a package)
    SERVITIUM,
    free_port,
    percentiles,
    phase,
    prepare,
    run_floor,
    token,
    wait_ready,
)


def pairs(port: int, key: str) -> list[tuple[int, int]]:
    """(customer, service) pairs of the demo's agreed SLAs, so that every create starts real clocks."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "GET", "/api/v1/slas/?status=agreed&page_size=200", headers={"Authorization": f"Token {key}"}
    )
    body = json.loads(conn.getresponse().read())
    return [(row["customer"], row["service"]) for row in body["results"]]


def run_backend(backend: str, args: argparse.Namespace) -> dict:
    import tempfile

    with tempfile.TemporaryDirectory(prefix=f"servitium-bench-{backend}-") as data_dir:
        env = prepare(backend, data_dir)
        if backend == "postgres" and not args.no_redis:
            env["REDIS_URL"] = "redis://127.0.0.1:6379/15"
            env["SERVITIUM_QUEUE_NAME"] = f"bench-{int(time.time())}"
        key = token(env)
        port = free_port()
        server = subprocess.Popen(
            [*SERVITIUM, "run", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_ready(port)
            combos = pairs(port, key)

            def job(i: int) -> tuple[str, dict]:
                customer, service = combos[i % len(combos)]
                return (
                    "create",
                    {
                        "title": f"Backup failed on vault {i}",
                        "description": "The nightly backup job ended with an error. " * 4,
                        "customer": customer,
                        "service": service,
                        "impact": 1 + i % 3,
                        "urgency": 1 + (i // 3) % 3,
                        "channel": "email",
                        "category": "software",
                    },
                )

            api_services.CREATE_PATH = "/api/v1/incidents/"
            phase(port, key, [job(i) for i in range(args.warmup)], args.concurrency)
            created, seconds = phase(port, key, [job(i) for i in range(args.creates)], args.concurrency)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
    lat = created["create"]["lat"]
    # Each client keeps one connection, and the worker processes share one listening socket: how the
    # connections fell on the workers shows in the spread of the clients' mean latencies.
    means = [statistics.mean(v) for v in created["create"].get("by_client", {}).values() if v]
    return {
        "client_means": f"{min(means):.0f}-{max(means):.0f}" if means else "-",
        "backend": backend,
        "n": args.creates,
        "rps": round(args.creates / seconds, 1),
        "errors": created["create"]["errors"],
        **percentiles(lat),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="postgres,sqlite")
    parser.add_argument("--creates", type=int, default=4000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes")
    parser.add_argument("--no-redis", action="store_true", help="PostgreSQL run with the SQLite task queue")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    results = [run_backend(b.strip(), args) for b in args.backends.split(",") if b.strip()]
    floor = run_floor(args)
    match = re.search(r"thr=([\d.]+)/s", floor)
    floor_rps = float(match.group(1)) if match else None
    print(f"\n{args.concurrency} clients, {args.workers} web workers; latencies in ms\n")
    print("| backend | creates | req/s | % of floor | p50 | p95 | p99 | errors | client means |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        share = f"{100 * r['rps'] / floor_rps:.1f} %" if floor_rps else "-"
        cells = [r["backend"], r["n"], r["rps"], share, r["p50"], r["p95"], r["p99"], r["errors"]]
        cells.append(r["client_means"])
        print("| " + " | ".join(str(c) for c in cells) + " |")
    print("\npg_floor.py (PostgreSQL alone, same creates and concurrency):\n" + floor)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"results": results, "floor": floor}, indent=2))
    return 0 if all(r["errors"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
