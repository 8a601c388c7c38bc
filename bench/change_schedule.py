#!/usr/bin/env python3
"""Conflict detection on the schedule of change: 2,000 changes planned in one month on a CMDB of a few
thousand CIs in dependency chains (service -> application -> virtual machine -> host -> switch), timed for
the whole month.

Runs on a fresh database it migrates itself: SQLite in a temporary data directory by default, or the
PostgreSQL database named by DATABASE_URL (created empty beforehand, e.g. `createdb servitium_chgbench`):

    .venv/bin/python bench/change_schedule.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/servitium_chgbench \
        .venv/bin/python bench/change_schedule.py

Rows are written with bulk_create (no change log): the benchmark measures the read, not the loading.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup() -> None:
    os.environ.setdefault("SERVITIUM_DATA_DIR", tempfile.mkdtemp(prefix="chgbench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servitium.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def generate(args, rng: random.Random) -> tuple[dt.datetime, dt.datetime]:
    from django.db import transaction
    from django.utils import timezone

    from servitium.catalog.models import Service
    from servitium.changes.models import BlackoutWindow, Change
    from servitium.cmdb.models import CIRelationship, CIType, ConfigurationItem

    ci_type, _created = CIType.objects.get_or_create(name="bench", defaults={"attribute_schema": {}})
    layers = {"switch": args.switches, "host": args.hosts, "vm": args.vms, "app": args.apps, "svc": args.svcs}
    with transaction.atomic():
        cis = {}
        for layer, count in layers.items():
            rows = [
                ConfigurationItem(
                    reference=f"B{layer[:2].upper()}{i:06d}", name=f"{layer}-{i}", ci_type=ci_type
                )
                for i in range(count)
            ]
            ConfigurationItem.objects.bulk_create(rows, batch_size=2000)
            cis[layer] = list(
                ConfigurationItem.objects.filter(name__startswith=f"{layer}-").values_list("pk", flat=True)
            )
        links = set()
        for upper, lower, fan in (
            ("svc", "app", 3),
            ("app", "vm", 2),
            ("vm", "host", 1),
            ("host", "switch", 2),
        ):
            for source in cis[upper]:
                for target in rng.sample(cis[lower], fan):
                    links.add((source, target))
        CIRelationship.objects.bulk_create(
            [CIRelationship(source_id=s, target_id=t, kind="runs_on") for s, t in links], batch_size=5000
        )
        start = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(
            days=40
        )
        start = start.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1)
        span = int((end - start).total_seconds() // 3600)
        # Most changes touch applications and VMs, fewer touch hosts and switches (as in real life).
        pool = cis["app"] * 4 + cis["vm"] * 4 + cis["host"] + cis["switch"] + cis["svc"]
        changes = []
        for i in range(args.changes):
            begin = start + dt.timedelta(hours=rng.randrange(span - 8))
            changes.append(
                Change(
                    reference=f"BCHG{i:07d}",
                    title=f"bench change {i}",
                    status=rng.choice(["submitted", "approved", "approved", "implementing"]),
                    planned_start=begin,
                    planned_end=begin + dt.timedelta(hours=rng.randint(1, 6)),
                )
            )
        Change.objects.bulk_create(changes, batch_size=2000)
        through = Change.affected_cis.through
        ids = list(Change.objects.filter(reference__startswith="BCHG").values_list("pk", flat=True))
        through.objects.bulk_create(
            [
                through(change_id=c, configurationitem_id=ci)
                for c in ids
                for ci in set(rng.sample(pool, rng.randint(1, 2)))
            ],
            batch_size=5000,
        )
        catalogue = Service.objects.bulk_create(
            [Service(reference=f"BSVC{n:04d}", name=f"bench service {n}", status="live") for n in range(20)]
        )
        link = Change.affected_services.through
        link.objects.bulk_create(
            [link(change_id=c, service_id=rng.choice(catalogue).pk) for c in ids], batch_size=5000
        )
        for n in range(4):  # two for every change, two for some services only
            b = start + dt.timedelta(days=7 * n + 2)
            window = BlackoutWindow.objects.create(
                name=f"blackout {n}", start=b, end=b + dt.timedelta(hours=36)
            )
            if n % 2:
                window.services.set(rng.sample(catalogue, 5))
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return start, end


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=2000)
    parser.add_argument("--svcs", type=int, default=100)
    parser.add_argument("--apps", type=int, default=600)
    parser.add_argument("--vms", type=int, default=2400)
    parser.add_argument("--hosts", type=int, default=120)
    parser.add_argument("--switches", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print where one round spends its time")
    args = parser.parse_args()
    setup()
    from django.db import connection

    from servitium.changes import selectors

    began = time.perf_counter()
    start, end = generate(args, random.Random(20000))
    print(f"database: {connection.vendor}; generated in {time.perf_counter() - began:.1f} s")
    total_cis = args.svcs + args.apps + args.vms + args.hosts + args.switches
    timings = []
    for _round in range(args.rounds):
        t = time.perf_counter()
        plan = selectors.schedule(start, end)
        timings.append(time.perf_counter() - t)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(selectors.schedule, start, end)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    kinds: dict[str, int] = {}
    for conflict in plan.conflicts:
        kinds[conflict.kind] = kinds.get(conflict.kind, 0) + 1
    print(f"CIs: {total_cis}; changes in the month: {len(plan.changes)}; conflicts: {len(plan.conflicts)}")
    print(f"conflicts by kind: {kinds}")
    print(
        f"conflict detection for the month: median {statistics.median(timings) * 1000:.0f} ms, "
        f"best {min(timings) * 1000:.0f} ms, worst {max(timings) * 1000:.0f} ms over {args.rounds} rounds"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
