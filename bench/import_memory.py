#!/usr/bin/env python3
"""Memory and time of an event-log import: a ServiceNow-style event log of N events (about 5.7 per ticket,
semicolon-separated, day-first dates, long comments to reach the file size real exports have) imported
with `servitium import-incidents --mapping servicenow-events --create-missing` into a fresh PostgreSQL
database; reports the file size, the time and the importer's peak RSS.

    .venv/bin/python bench/import_memory.py --events 1000000 --json bench/results/import_memory.json

Target (issue 23): 1,000,000 events in under 5 minutes with RSS under 300 MB; RSS under 300 MB for a 1 GB
file (`--comment-bytes` makes rows longer so a file of that size needs fewer events).
Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import save  # noqa: E402

PG = "postgres://postgres@127.0.0.1:5432"
SERVITIUM = [sys.executable, "-m", "servitium.cli"]
STATES = ["New", "Active", "Awaiting User Info", "Active", "Resolved", "Closed"]
HEADER = (
    "number;incident_state;sys_updated_at;assignment_group;assigned_to;priority;impact;urgency;category;"
    "subcategory;u_symptom;contact_type;caller_id;opened_at;resolved_at;closed_at;comments\n"
)
SETUP = """
from servitium.core import services
from servitium.parties.models import Organization
services.record_create(model=Organization, data={"name": "Bench Provider", "kind": "provider"}, actor=None)
services.record_create(model=Organization, data={"name": "Bench Customer", "kind": "customer"}, actor=None)
"""


def generate(path: Path, events: int, comment_bytes: int, seed: int = 7) -> int:
    """Write the log; returns the number of tickets."""
    rng = random.Random(seed)
    written = ticket = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        while written < events:
            ticket += 1
            number = f"INC{ticket:07d}"
            steps = rng.randint(3, 8)
            day, hour = rng.randint(1, 28), rng.randint(0, 18)
            opened = f"{day}/2/2016 {hour:02d}:{rng.randint(0, 59):02d}"
            group = f"Group {rng.randint(1, 80)}"
            for step in range(min(steps, events - written)):
                state = STATES[min(step, len(STATES) - 1)]
                if step and rng.random() < 0.15:
                    group = f"Group {rng.randint(1, 80)}"
                at = f"{day}/2/2016 {hour + step // 2:02d}:{(step * 7) % 60:02d}"
                comment = ("x" * comment_bytes) if comment_bytes else ""
                out.write(
                    f"{number};{state};{at};{group};Resolver {rng.randint(1, 200)};3 - Moderate;2 - Medium;"
                    f"2 - Medium;Category {rng.randint(1, 50)};Sub {rng.randint(1, 200)};Symptom 1;Phone;"
                    f"Caller {rng.randint(1, 2000)};{opened};?;?;{comment}\n"
                )
                written += 1
    return ticket


READ_ONLY = """
import sys
from pathlib import Path
import django
django.setup()
from servitium.incidents.imports import mapping
from servitium.incidents.imports.eventlog import Planner
from servitium.incidents.imports.run import _spool
from servitium.incidents.imports.report import Report
spec = mapping.load("servicenow-events")
report = Report(mapping=spec.name)
spool = _spool(spec, Path(sys.argv[1]), "log.csv", report, None)
planner, tickets, events = Planner(spec), 0, 0
for ticket, rows in spool.tickets():
    plan = planner.plan(ticket, rows)
    tickets, events = tickets + 1, events + len(plan.events)
spool.close()
print(f"{report.rows} rows, {tickets} tickets, {events} events planned, {report.error_count} errors")
"""


def measure(command: list[str], env: dict[str, str]) -> tuple[float, int, int, str]:
    """(seconds, peak RSS in kB, exit status, output) of one child process, its own peak alone."""
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as out:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.monotonic() - started
        out.seek(0)
        return seconds, usage.ru_maxrss, os.waitstatus_to_exitcode(status), out.read()


def run(args: list[str], env: dict[str, str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*SERVITIUM, *args], env=env, check=True, **kw)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--comment-bytes", type=int, default=0, help="bytes of comment per row (file size)")
    parser.add_argument("--database", default="servitium_bench_import")
    parser.add_argument("--keep-file", default="", help="write the generated log here instead of a temp file")
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="read, group and plan the whole file without writing (the part whose memory depends on the "
        "file's size; writing holds one batch of 200 tickets at a time)",
    )
    parser.add_argument("--json")
    args = parser.parse_args()
    if args.read_only:
        folder = tempfile.TemporaryDirectory(prefix="servitium-bench-")
        path = Path(args.keep_file or Path(folder.name) / "incident_event_log.csv")
        tickets = generate(path, args.events, args.comment_bytes)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "servitium.settings"}
        seconds, peak_kb, status, output = measure([sys.executable, "-c", READ_ONLY, str(path)], env)
        figures = {
            "mode": "read, group and plan only",
            "events": args.events,
            "tickets": tickets,
            "file_mb": round(path.stat().st_size / 1e6, 1),
            "seconds": round(seconds, 1),
            "peak_rss_mb": round(peak_kb / 1024, 1),
            "exit_status": status,
            "summary": output.strip().splitlines()[-1] if output.strip() else "",
        }
        print(figures)
        if args.json:
            save(args.json, figures)
        folder.cleanup()
        return

    env = {**os.environ, "DATABASE_URL": f"{PG}/{args.database}"}
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", args.database], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", args.database], check=True)
    run(["migrate", "-v", "0"], env)
    run(["shell", "-c", SETUP], env)

    folder = tempfile.TemporaryDirectory(prefix="servitium-bench-")
    path = Path(args.keep_file or Path(folder.name) / "incident_event_log.csv")
    started = time.monotonic()
    tickets = generate(path, args.events, args.comment_bytes)
    size = path.stat().st_size
    print(
        f"generated {args.events} events, {tickets} tickets, {size / 1e6:.1f} MB "
        f"in {time.monotonic() - started:.0f} s"
    )

    started = time.monotonic()
    command = ["import-incidents", "--mapping", "servicenow-events", "--customer", "Bench Customer"]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(
            [*SERVITIUM, *command, "--create-missing", str(path)], env=env, stdout=out, stderr=err
        )
        _pid, status, usage = os.wait4(child.pid, 0)  # this child's own peak RSS, not migrate's
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    peak_kb = usage.ru_maxrss
    print(stdout.splitlines()[0] if stdout else stderr[-2000:])
    figures = {
        "events": args.events,
        "tickets": tickets,
        "file_mb": round(size / 1e6, 1),
        "seconds": round(seconds, 1),
        "events_per_second": round(args.events / seconds),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "exit_status": child.returncode,
        "summary": stdout.splitlines()[0] if stdout else stderr[-500:],
    }
    print(figures)
    if args.json:
        save(args.json, figures)
    folder.cleanup()


if __name__ == "__main__":
    main()
