#!/usr/bin/env python3
"""Event intake benchmark: monitoring events posted to a live `servitium run` on PostgreSQL.

It prepares a fresh database (`servitium_bench_events`: migrations and a small estate of 20 hosts, each
with an application running on it and a service, no demo data), starts `servitium run` on a free port,
and several client threads (one keep-alive connection each, API token) post events: batches of `--batch`
through `POST /api/v1/events/` and single events through it and through Alertmanager's webhook
(`POST /api/v1/events/alertmanager/`). The mix is what a monitoring tool sends: most events are
informational or repeats of alerts already known (deduplicated by fingerprint), a tenth are warnings on
the estate's hosts and applications, which open incidents, join them by the CMDB's relationships, or add
occurrences to them. Reports events per second, request latencies and what the events did.

    .venv/bin/python bench/event_intake.py --events 20000 --clients 4 --batch 50

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust).
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import save  # noqa: E402
from api_services import PG, SERVITIUM, free_port, percentiles, psql, wait_ready  # noqa: E402

DATABASE = "servitium_bench_events"
HOSTS = 20

SETUP = f"""
from servitium.catalog import services as catalog_services
from servitium.cmdb import services as cmdb_services
from servitium.cmdb.models import CIType
from servitium.core import services as core_services
from servitium.parties import services as party_services
from servitium.parties.models import Organization

create = core_services.record_create
internal = create(model=Organization, data={{"name": "Operations", "kind": "internal"}}, actor=None)
kind = create(model=CIType, data={{"name": "bench server", "attribute_schema": {{}}}}, actor=None)
for n in range({HOSTS}):
    svc = catalog_services.service_create(
        actor=None, data={{"name": f"svc-{{n}}", "status": "live"}}, m2m={{}}
    )
    host = cmdb_services.ci_create(
        actor=None, data={{"name": f"host-{{n}}", "ci_type": kind, "status": "in_use"}}
    )
    app = cmdb_services.ci_create(
        actor=None, data={{"name": f"app-{{n}}", "ci_type": kind, "status": "in_use", "service": svc}}
    )
    cmdb_services.relationship_create(
        actor=None, data={{"source": app, "kind": "runs_on", "target": host}}
    )
user = party_services.user_create(
    actor=None,
    data={{
        "username": "monitor",
        "password": "bench-monitor-pw-1",
        "organization": internal,
        "roles": ["events-agent"],
    }},
)
token, key = core_services.api_token_create(user=user, name="bench")
print(key)
"""


TOKEN_AGAIN = """
from servitium.core import services
from servitium.parties.models import User
print(services.api_token_create(user=User.objects.get(username="monitor"), name="bench")[1])
"""


def prepare(data_dir: str, reuse: bool) -> tuple[dict[str, str], str]:
    import os

    env = {**os.environ, "SERVITIUM_DATA_DIR": data_dir, "SERVITIUM_LOG_LEVEL": "WARNING"}
    env["DATABASE_URL"] = f"{PG}/{DATABASE}"
    if not reuse:
        psql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)", f"CREATE DATABASE {DATABASE}")
        subprocess.run([*SERVITIUM, "migrate", "-v0"], env=env, check=True)
    shell = [*SERVITIUM, "shell", "-c", TOKEN_AGAIN if reuse else SETUP]
    out = subprocess.run(shell, env=env, check=True, capture_output=True, text=True)
    return env, out.stdout.strip().splitlines()[-1]


def event(rng: random.Random) -> dict:
    """One event of the mix: 90 % informational (half of them repeats), 10 % warnings on the estate."""
    if rng.random() < 0.9:
        n = rng.randrange(5000) if rng.random() < 0.5 else rng.randrange(10**9)
        return {
            "source": "bench",
            "labels": {"alertname": "DiskUsage", "instance": f"vm-{n}:9100", "severity": "info"},
            "annotations": {"summary": "Disk usage above 70 %"},
        }
    n = rng.randrange(HOSTS)
    target = rng.choice([f"host-{n}", f"app-{n}"])
    return {
        "source": "bench",
        "labels": {"alertname": "HighLatency", "instance": f"{target}:9100", "severity": "warning"},
        "annotations": {"summary": "p95 latency above 500 ms"},
    }


def webhook(item: dict) -> dict:
    alert = {
        "status": "firing",
        "labels": item["labels"],
        "annotations": item["annotations"],
        "startsAt": "2026-12-04T10:00:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.example:9090/graph",
    }
    return {"version": "4", "status": "firing", "receiver": "servitium", "alerts": [alert], "groupLabels": {}}


def jobs_for(total: int, batch: int, rng: random.Random) -> list[tuple[str, str, bytes, int]]:
    """(kind, path, body, events): a third of the events single, the rest in batches."""
    jobs, left = [], total
    while left > 0:
        if rng.random() < 0.33 * batch / (batch + 1):
            item = event(rng)
            if rng.random() < 0.5:
                jobs.append(("single", "/api/v1/events/", json.dumps(item).encode(), 1))
            else:
                jobs.append(
                    ("alertmanager", "/api/v1/events/alertmanager/", json.dumps(webhook(item)).encode(), 1)
                )
            left -= 1
        else:
            size = min(batch, left)
            body = json.dumps([event(rng) for _ in range(size)]).encode()
            jobs.append(("batch", "/api/v1/events/", body, size))
            left -= size
    return jobs


def run_clients(port: int, key: str, jobs: list, clients: int) -> tuple[dict, float]:
    results: dict = {}
    lock = threading.Lock()
    queue = list(reversed(jobs))

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        while True:
            with lock:
                if not queue:
                    return
                kind, path, body, count = queue.pop()
            began = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                answer = response.read()
                ok = response.status == 201
                actions = [e["action"] for e in json.loads(answer)["events"]] if ok else []
            except (OSError, http.client.HTTPException, ValueError):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                ok, actions = False, []
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                row = results.setdefault(kind, {"lat": [], "errors": 0, "events": 0, "actions": {}})
                row["lat"].append(elapsed)
                row["events"] += count if ok else 0
                row["errors"] += 0 if ok else 1
                for action in actions:
                    row["actions"][action] = row["actions"].get(action, 0) + 1

    began = time.perf_counter()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument(
        "--reuse-db", action="store_true", help="keep the database of the last run (its estate and events)"
    )
    parser.add_argument("--port", type=int, help="post to a `servitium run` already serving this database")
    parser.add_argument("--data-dir", help="a data directory to keep (collected static files) between runs")
    args = parser.parse_args()
    rng = random.Random(22)
    with tempfile.TemporaryDirectory(prefix="servitium-bench-events-") as scratch:
        data_dir = args.data_dir or scratch
        env, key = prepare(data_dir, args.reuse_db or bool(args.port))
        if args.port:
            results, seconds = run_clients(
                args.port, key, jobs_for(args.events, args.batch, rng), args.clients
            )
            return report(results, seconds, args)
        port = free_port()
        log = open(Path(data_dir) / "server.log", "w")  # noqa: SIM115 - closed after the server
        server = subprocess.Popen(
            [*SERVITIUM, "run", "--port", str(port), "--workers", str(args.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            wait_ready(port, timeout=300)  # a busy shared machine starts the workers slowly
            run_clients(port, key, jobs_for(500, args.batch, rng), args.clients)  # warm-up
            results, seconds = run_clients(port, key, jobs_for(args.events, args.batch, rng), args.clients)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
    return report(results, seconds, args)


def report(results: dict, seconds: float, args: argparse.Namespace) -> int:
    total = sum(r["events"] for r in results.values())
    errors = sum(r["errors"] for r in results.values())
    figures = {"events": total, "seconds": round(seconds, 2), "events_per_s": round(total / seconds, 1)}
    print(f"{total} events in {seconds:.1f} s: {total / seconds:.1f} events/s, {errors} failed requests")
    print("| requests | count | events | p50 ms | p95 ms | p99 ms | mean ms | what the events did |")
    print("|---|---|---|---|---|---|---|---|")
    for kind, row in sorted(results.items()):
        p = percentiles(row["lat"])
        actions = ", ".join(f"{k} {v}" for k, v in sorted(row["actions"].items()))
        print(
            f"| {kind} | {len(row['lat'])} | {row['events']} | {p['p50']} | {p['p95']} | {p['p99']} "
            f"| {statistics.mean(row['lat']):.1f} | {actions} |"
        )
        figures[kind] = {"requests": len(row["lat"]), **p, "actions": row["actions"], "errors": row["errors"]}
    if args.json:
        save(args.json, figures)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
