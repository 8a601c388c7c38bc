#!/usr/bin/env python3
"""Impact analysis over a large CMDB: for many random CIs, every CI, catalogue service and customer affected
when it fails (`servitium.cmdb.selectors.impact`), timed in-process; prints p50/p95/max.

Prepare the database once (PostgreSQL; about 3 minutes for 100,000 CIs and 300,000 relationships on 2 cores):

    createdb -h 127.0.0.1 -U postgres servitium_cmdbbench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/servitium_cmdbbench
    .venv/bin/servitium migrate && .venv/bin/servitium load-demo
    .venv/bin/servitium generate-cis --cis 100000 --relationships 300000

then run (same environment):

    .venv/bin/python bench/cmdb_impact.py --samples 500
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servitium.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from servitium.cmdb import selectors
    from servitium.cmdb.models import CIRelationship, ConfigurationItem

    total, rels = ConfigurationItem.objects.count(), CIRelationship.objects.count()
    ids = list(ConfigurationItem.objects.values_list("pk", flat=True))
    rng = random.Random(args.seed)
    sample = [rng.choice(ids) for _ in range(args.samples)]
    print(f"{connection.vendor}: {total} CIs, {rels} relationships; {args.samples} random CIs")

    def one(pk: int) -> tuple[float, int, int, int]:
        began = time.perf_counter()
        reach = selectors.impact(ConfigurationItem.objects.get(pk=pk))
        affected = reach.cis.count()
        services, customers = list(reach.services), list(reach.customers)
        return (time.perf_counter() - began) * 1000, affected, len(services), len(customers)

    for pk in sample[:10]:  # warm the caches
        one(pk)
    results = [one(pk) for pk in sample]
    times = sorted(r[0] for r in results)
    q = statistics.quantiles(times, n=100)
    reach = sorted(r[1] for r in results)
    print(
        f"impact: p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, max {times[-1]:.1f} ms; "
        f"CIs affected p50 {reach[len(reach) // 2]}, max {reach[-1]}; "
        f"services max {max(r[2] for r in results)}, customers max {max(r[3] for r in results)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
