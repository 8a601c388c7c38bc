#!/usr/bin/env python3
"""Benchmark: the availability of every service, month by month over the last year, on a database with a
million incidents — the target is under 2 s.

Availability is measured from outages (derived from major incidents and from implemented changes), on each
service's calendar, never from the incidents themselves; this shows that it stays so. Prepare a PostgreSQL
database once (the generator takes minutes per million tickets):

    createdb -h 127.0.0.1 -U postgres servitium_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/servitium_bench SERVITIUM_DATA_DIR=/tmp/bench
    .venv/bin/servitium migrate && .venv/bin/servitium load-demo
    .venv/bin/servitium generate-incidents --count 1000000 --days 365 --batch 10000
    .venv/bin/python bench/availability_year.py --majors 2000 --runs 5

`--majors N` first declares N of the generated priority-1 incidents major (a bulk update, as if declared
over the year) and derives their outages with `outages_sync`, timed on its own: the nightly job's work.
Each run then measures every service for the year (`availability.selectors.measure`) and prints the time.
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

TARGET_S = 2.0


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servitium.settings")
    import django

    django.setup()


def declare_majors(count: int) -> int:
    """Mark `count` more priority-1 incidents with a service as major (the oldest first); returns how many
    incidents are major now."""
    from servitium.incidents.models import Incident

    already = Incident.objects.filter(is_major=True).count()
    wanted = max(0, count - already)
    if wanted:
        ids = list(
            Incident.objects.filter(
                is_major=False, priority=1, service__isnull=False, resolved_at__isnull=False
            )
            .order_by("created")
            .values_list("pk", flat=True)[:wanted]
        )
        Incident.objects.filter(pk__in=ids).update(is_major=True)
    return Incident.objects.filter(is_major=True).count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--majors", type=int, default=0, help="major incidents to have (declared in bulk)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    setup()
    from django.db import connection

    from servitium.availability import selectors, services
    from servitium.availability.models import Outage
    from servitium.catalog.models import Service
    from servitium.incidents.models import Incident

    figures: dict[str, object] = {"database": connection.vendor, "incidents": Incident.objects.count()}
    if args.majors:
        figures["major_incidents"] = declare_majors(args.majors)
        started = time.perf_counter()
        figures["outages_sync"] = services.outages_sync(actor=None)
        figures["outages_sync_s"] = round(time.perf_counter() - started, 2)
    ids = list(Service.objects.order_by("pk").values_list("pk", flat=True))
    start, end = selectors.year_window()
    figures.update({"services": len(ids), "outages": Outage.objects.count(), "months": 12})
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        measured = selectors.measure(ids, start, end)
        times.append(time.perf_counter() - started)
    figures.update(
        {
            "figures": len(measured),
            "median_s": round(statistics.median(times), 3),
            "max_s": round(max(times), 3),
        }
    )
    met = max(times) < TARGET_S
    print(json.dumps(figures), "target", TARGET_S, "s:", "met" if met else "NOT met")
    if args.json:
        save(args.json, figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
