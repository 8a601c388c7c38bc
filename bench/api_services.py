#!/usr/bin/env python3
"""API benchmark: create and list services with 8 concurrent clients, on SQLite and on PostgreSQL.

For each backend it prepares a fresh database with the demo data, starts `servitium run` (granian, the
production server) on a free port, then 8 client threads (one keep-alive connection each) create
`--creates` services and issue `--lists` list requests. Each create is a full API write: validation,
reference number, the service row, its customers, a change-log entry and the permission re-check.
Finally it runs `../shared/bench/pg_floor.py` (PostgreSQL alone doing the equivalent inserts) so the
distance to the floor is visible in the same run.

    .venv/bin/python bench/api_services.py --creates 2000 --lists 2000

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) for the postgres backend and the floor.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVITIUM = [sys.executable, "-m", "servitium.cli"]
FLOOR = ROOT.parent / "shared" / "bench" / "pg_floor.py"
PG = "postgres://postgres@127.0.0.1:5432"
CREATE_PATH = "/api/v1/services/"  # bench/api_incidents.py points the same clients at incidents


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0}
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": round(q[49], 1), "p95": round(q[94], 1), "p99": round(q[98], 1)}


def psql(*sql: str) -> None:
    for statement in sql:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", statement],
            check=True,
            capture_output=True,
        )


def prepare(backend: str, data_dir: str) -> dict[str, str]:
    env = {**os.environ, "SERVITIUM_DATA_DIR": data_dir, "SERVITIUM_LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    if backend == "postgres":
        psql("DROP DATABASE IF EXISTS servitium_bench WITH (FORCE)", "CREATE DATABASE servitium_bench")
        env["DATABASE_URL"] = f"{PG}/servitium_bench"
    subprocess.run([*SERVITIUM, "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [*SERVITIUM, "load-demo", "-v0", "--admin-password", "bench-admin-password-1"], env=env, check=True
    )
    return env


def token(env: dict[str, str]) -> str:
    out = subprocess.run(
        [*SERVITIUM, "create-token", "admin"], env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("server did not become ready")


class Client(threading.Thread):
    def __init__(self, port: int, key: str, jobs: list, results: dict, lock: threading.Lock) -> None:
        super().__init__(daemon=True)
        self.port, self.key, self.jobs, self.results, self.lock = port, key, jobs, results, lock

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Authorization": f"Token {self.key}", "Content-Type": "application/json"}
        while True:
            with self.lock:
                if not self.jobs:
                    break
                kind, payload = self.jobs.pop()
            began = time.perf_counter()
            try:
                if kind == "create":
                    conn.request("POST", CREATE_PATH, body=json.dumps(payload), headers=headers)
                    expected = 201
                else:
                    conn.request("GET", f"/api/v1/services/?page_size=50&page={payload}", headers=headers)
                    expected = 200
                response = conn.getresponse()
                response.read()
                ok = response.status == expected
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                ok = False
            elapsed = (time.perf_counter() - began) * 1000
            with self.lock:
                self.results[kind]["lat"].append(elapsed)
                self.results[kind].setdefault("by_client", {}).setdefault(id(self), []).append(elapsed)
                if not ok:
                    self.results[kind]["errors"] += 1


def phase(port: int, key: str, jobs: list, concurrency: int) -> tuple[dict, float]:
    results = {k: {"lat": [], "errors": 0} for k in ("create", "list")}
    lock = threading.Lock()
    jobs = list(reversed(jobs))
    began = time.perf_counter()
    clients = [Client(port, key, jobs, results, lock) for _ in range(concurrency)]
    for c in clients:
        c.start()
    for c in clients:
        c.join()
    return results, time.perf_counter() - began


def run_backend(backend: str, args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"servitium-bench-{backend}-") as data_dir:
        env = prepare(backend, data_dir)
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
            customers = [2, 3, 4, 5]
            creates = [
                (
                    "create",
                    {
                        "name": f"Bench service {backend} {i}",
                        "description": "load test",
                        "customers": customers[: 1 + i % 2],
                    },
                )
                for i in range(args.creates)
            ]
            created, create_s = phase(port, key, creates, args.concurrency)
            pages = max(1, (args.creates + 15) // 50)
            lists = [("list", 1 + i % pages) for i in range(args.lists)]
            listed, list_s = phase(port, key, lists, args.concurrency)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
                stopped = "clean" if server.returncode == 0 else f"exit {server.returncode}"
            except subprocess.TimeoutExpired:
                server.kill()
                stopped = "killed"
    return {
        "backend": backend,
        "create": {
            "n": args.creates,
            "rps": round(args.creates / create_s, 1),
            "errors": created["create"]["errors"],
            **percentiles(created["create"]["lat"]),
        },
        "list": {
            "n": args.lists,
            "rps": round(args.lists / list_s, 1),
            "errors": listed["list"]["errors"],
            **percentiles(listed["list"]["lat"]),
        },
        "shutdown": stopped,
    }


def run_floor(args: argparse.Namespace) -> str:
    if not FLOOR.exists():
        return f"(floor script not found at {FLOOR})"
    psql("DROP DATABASE IF EXISTS floor WITH (FORCE)", "CREATE DATABASE floor")
    out = subprocess.run(
        [
            sys.executable,
            str(FLOOR),
            "--dsn",
            "host=127.0.0.1 user=postgres dbname=floor",
            "--creates",
            str(args.creates),
            "--concurrency",
            str(args.concurrency),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return (out.stdout + out.stderr).strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--creates", type=int, default=2000)
    parser.add_argument("--lists", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes")
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    results = [run_backend(b.strip(), args) for b in args.backends.split(",") if b.strip()]
    floor = "" if args.no_floor else run_floor(args)

    print(f"\n{args.concurrency} clients, {args.workers} web workers; latencies in ms\n")
    print("| backend | operation | requests | req/s | p50 | p95 | p99 | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        for op in ("create", "list"):
            m = r[op]
            cells = [r["backend"], op, m["n"], m["rps"], m["p50"], m["p95"], m["p99"], m["errors"]]
            print("| " + " | ".join(str(c) for c in cells) + " |")
    print("\nserver shutdown on SIGTERM: " + ", ".join(f"{r['backend']} {r['shutdown']}" for r in results))
    if floor:
        print("\npg_floor.py (PostgreSQL alone, same creates and concurrency):\n" + floor)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"results": results, "floor": floor}, indent=2))
    return 0 if all(r[op]["errors"] == 0 for r in results for op in ("create", "list")) else 1


if __name__ == "__main__":
    sys.exit(main())
