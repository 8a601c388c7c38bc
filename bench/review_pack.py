#!/usr/bin/env python3
"""Benchmark: a management review pack for a year of data, assembled from every registered review input and
rendered as the printable HTML page and as the PDF (WeasyPrint) — the target is under 10 s each.

Against the demo database (SQLite in the data directory; PostgreSQL with DATABASE_URL):

    export SERVITIUM_DATA_DIR=/tmp/bench-review
    .venv/bin/servitium migrate && .venv/bin/servitium load-demo
    .venv/bin/python bench/review_pack.py --runs 3

Each run reads as the demo's top manager (`director`; `--user` for another login) through the permission
path, exactly as the page and the API do: the pack (every input's queries), then the HTML, then the PDF
(assembled again, as the PDF endpoint does). The period is the year up to today unless `--days` says
otherwise. More incidents: `servitium generate-incidents --count N --days 365` first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._results import save  # noqa: E402

TARGET_S = 10


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servitium.settings")
    import django

    django.setup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--days", type=int, default=365, help="length of the review period (ending today)")
    parser.add_argument("--user", default="director", help="login the pack is read as")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--pdf", help="keep the last PDF here")
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from servitium.incidents.models import Incident
    from servitium.parties.models import User
    from servitium.reviews import pack

    user = User.objects.get(username=args.user)
    end = timezone.localdate()
    start = end - dt.timedelta(days=args.days - 1)
    incidents = Incident.objects.filter(created__date__gte=start).count()
    print(f"database: {connection.vendor}, {incidents} incidents in the period {start}..{end}, as {user}")
    runs = []
    for n in range(args.runs):
        began = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            current = pack.build_pack(period_start=start, period_end=end, user=user)
        built = time.perf_counter()
        html = pack.render_html(current)
        rendered = time.perf_counter()
        pdf = pack.render_pdf(pack.build_pack(period_start=start, period_end=end, user=user))
        done = time.perf_counter()
        run = {
            "pack_s": round(built - began, 3),
            "html_total_s": round(rendered - began, 3),
            "pdf_total_s": round(done - rendered, 3),
            "queries": len(queries),
            "html_bytes": len(html),
            "pdf_bytes": len(pdf),
            "missing_topics": current.missing,
        }
        runs.append(run)
        print(f"run {n + 1}: {json.dumps(run)}")
        if args.pdf:
            Path(args.pdf).write_bytes(pdf)
    figures = {
        "database": connection.vendor,
        "incidents_in_period": incidents,
        "period_days": args.days,
        "median_html_s": round(statistics.median(r["html_total_s"] for r in runs), 3),
        "median_pdf_s": round(statistics.median(r["pdf_total_s"] for r in runs), 3),
        "runs": runs,
        "target_s": TARGET_S,
    }
    print(json.dumps({k: v for k, v in figures.items() if k != "runs"}, indent=2))
    if args.json:
        save(args.json, figures)
    return 0 if max(figures["median_html_s"], figures["median_pdf_s"]) < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
