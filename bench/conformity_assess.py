#!/usr/bin/env python3
"""Benchmark: a full conformity assessment (every check, both 20000-1 editions plus 20000-9 and 20000-5)
on a large database.

Prepare a PostgreSQL database once (the incident generator takes minutes per million tickets on 2 cores):

    createdb -h 127.0.0.1 -U postgres servitium_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/servitium_bench SERVITIUM_DATA_DIR=/tmp/bench
    .venv/bin/servitium migrate && .venv/bin/servitium load-demo
    .venv/bin/servitium generate-incidents --count 1000000 --days 365 --batch 10000
    .venv/bin/python bench/conformity_assess.py --cis 100000 --runs 3

`--cis N` tops the CMDB up to N configuration items first (bulk insert; `servitium generate-cis` is used
instead when it exists). Each run prints the total time and the slowest checks; the target is < 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._results import save  # noqa: E402


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servitium.settings")
    import django

    django.setup()


def top_up_cis(target: int) -> int:
    """Bring the number of CIs up to `target` with plain rows spread over the demo types and services."""
    from django.core.management import get_commands

    from servitium.catalog.models import Service
    from servitium.cmdb.models import CIType, ConfigurationItem
    from servitium.parties.models import Person

    have = ConfigurationItem.objects.count()
    if have >= target:
        return have
    if "generate_cis" in get_commands():
        from django.core.management import call_command

        call_command("generate_cis", "--cis", str(target - have), "--relationships", str(target - have))
        return ConfigurationItem.objects.count()
    types = list(CIType.objects.all()) or [CIType.objects.create(name="bench", description="bench")]
    services = list(Service.objects.all()) or [None]
    owners = list(Person.objects.filter(organization__kind="provider")) or [None]
    batch = []
    for i in range(have, target):
        batch.append(
            ConfigurationItem(
                reference=f"BCI{i:09d}",
                name=f"bench-ci-{i}",
                ci_type=types[i % len(types)],
                status="in_use" if i % 5 else "planned",
                service=services[i % len(services)],
                owner=owners[i % len(owners)] if i % 7 else None,
            )
        )
        if len(batch) == 5000:
            ConfigurationItem.objects.bulk_create(batch)
            batch = []
    ConfigurationItem.objects.bulk_create(batch)
    return ConfigurationItem.objects.count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cis", type=int, default=0, help="top the CMDB up to this many CIs first")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    setup()
    from servitium.cmdb.models import ConfigurationItem
    from servitium.conformity.models import Result
    from servitium.conformity.services import assessment_run
    from servitium.conformity.sync import sync_catalogues
    from servitium.incidents.models import Incident

    sync_catalogues()
    if args.cis:
        top_up_cis(args.cis)
    incidents, cis = Incident.objects.count(), ConfigurationItem.objects.count()
    print(f"database: {incidents} incidents, {cis} CIs")
    times, slowest = [], {}
    for n in range(args.runs):
        began = time.perf_counter()
        run = assessment_run(actor=None)
        elapsed = time.perf_counter() - began
        times.append(elapsed)
        results = Result.objects.filter(assessment=run).count()
        checks = sorted(run.check_outcomes.items(), key=lambda kv: -kv[1]["seconds"])
        slowest = {cid: o["seconds"] for cid, o in checks[:5]}
        engine = elapsed - run.summary["check_seconds"]
        print(
            f"run {n + 1}: {elapsed:.2f} s ({engine:.2f} s engine), {results} results, {len(checks)} checks"
        )
        print(f"  slowest checks: {slowest}")
    figures = {
        "incidents": incidents,
        "cis": cis,
        "runs_s": [round(t, 3) for t in times],
        "median_s": round(statistics.median(times), 3),
        "slowest_checks_s": slowest,
        "target_s": 10,
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        save(args.json, figures)
    return 0 if figures["median_s"] < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
