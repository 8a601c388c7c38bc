#!/usr/bin/env python3
"""The global search (core/search.py) over a large incident table: how long one query takes, as an
administrator (every record type, nothing narrowed), an incident agent and a customer user (the query
narrowed to the organization's records), for common words, rare words, prefixes and reference numbers.

Prepare the database once (PostgreSQL; 100,000 tickets take a few minutes on 2 cores):

    createdb -h 127.0.0.1 -U postgres servitium_search_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/servitium_search_bench SERVITIUM_DATA_DIR=/tmp/sb
    .venv/bin/servitium migrate && .venv/bin/servitium load-demo
    .venv/bin/servitium generate-incidents --count 100000 --days 365 --batch 10000
    .venv/bin/servitium reindex
    psql -h 127.0.0.1 -U postgres -d servitium_search_bench -c "VACUUM ANALYZE"

then run (same environment):

    .venv/bin/python bench/search.py --rounds 30

Each query runs in the same process as the search code (no HTTP), so the figures are the database's
and the search module's time, which is what /search/ and /api/v1/search/ add to a request.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="runs per query and user")
    parser.add_argument("--json")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL (and SERVITIUM_DATA_DIR) to the prepared database; see the docstring.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servitium.settings")
    import django

    django.setup()
    from django.db import connection

    from servitium.core import search
    from servitium.core.models import SearchEntry
    from servitium.incidents.models import Incident
    from servitium.parties.models import User

    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    admin = admin or User.objects.get(username="admin")
    agent = User.objects.filter(roles__contains=["incident-agent"]).order_by("pk").first()
    customer = User.objects.filter(roles__contains=["customer"]).order_by("pk").first()
    reference = Incident.objects.order_by("-pk").values_list("reference", flat=True).first()
    users = {"administrator": admin, "incident agent": agent, "customer": customer}
    queries = {
        "every ticket": "resolved",  # in every resolved ticket's notes: the worst case
        "common word": "slow",  # about one ticket in nine
        "two words": "disk space",
        "prefix": "conn",
        "rare word": "certificate",
        "reference": reference,
        "no match": "zyxwvut",
    }
    print(
        f"{connection.vendor}: {Incident.objects.count():,} incidents, "
        f"{SearchEntry.objects.count():,} search entries"
    )
    figures = []
    for who, user in users.items():
        if user is None:
            continue
        for label, query in queries.items():
            search.search(query, user)  # warm: plans, caches
            times = []
            for _ in range(args.rounds):
                began = time.perf_counter()
                results = search.search(query, user)
                times.append((time.perf_counter() - began) * 1000)
            times.sort()
            found = sum(g.count for g in results.groups) + (1 if results.exact else 0)
            row = {
                "user": who,
                "query": label,
                "text": query,
                "found": found,
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
            }
            figures.append(row)
            print(
                f"{who:15} {label:12} {query!r:14} found {found:>7,}  "
                f"median {row['median_ms']:6.1f} ms  p95 {row['p95_ms']:6.1f} ms"
            )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
