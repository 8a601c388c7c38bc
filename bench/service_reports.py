#!/usr/bin/env python3
"""Benchmark: last month's service report for every customer of the demo and for every service each one
receives, assembled from every registered report section and rendered as HTML and as PDF (WeasyPrint) —
the target is under 30 s for all of them together.

Against the demo database (SQLite in the data directory; PostgreSQL with DATABASE_URL):

    export SERVITIUM_DATA_DIR=/tmp/bench-reports
    .venv/bin/servitium migrate && .venv/bin/servitium load-demo
    .venv/bin/python bench/service_reports.py

Each report is built exactly as the monthly run (`reporting.services.reports_generate_due`) builds it:
the sections' queries, the frozen body and the standalone page one by one, inside a transaction that is
rolled back (the database is left as it was), each page going at once to the processes rendering PDFs
(one per core; `--processes N` to choose, as SERVITIUM_PDF_PROCESSES does for the server) while the next
report is built. "pdf" is the time left waiting for the PDFs after the last page was built.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._results import save  # noqa: E402

TARGET_S = 30


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servitium.settings")
    import django

    django.setup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--no-pdf", action="store_true", help="HTML only")
    parser.add_argument("--processes", type=int, default=None, help="PDF processes (default: one per core)")
    args = parser.parse_args()
    setup()
    from django.contrib.staticfiles import finders
    from django.db import connection, transaction
    from django.utils import timezone

    from servitium.catalog.models import Service
    from servitium.core import pdf
    from servitium.parties.models import Organization
    from servitium.reporting import document, services
    from servitium.reporting.models import ReportDefinition, ServiceReport

    month = services.add_months(timezone.localdate().replace(day=1), -1)
    scopes = []
    for customer in Organization.objects.filter(kind="customer").order_by("name"):
        received = list(Service.objects.filter(customers=customer).order_by("name"))
        scopes.append((customer, []))
        scopes.extend((customer, [s]) for s in received)
    print(f"database: {connection.vendor}; {len(scopes)} reports for {month:%Y-%m}")
    timings = {"build": 0.0, "html": 0.0, "pdf": 0.0}
    started = time.perf_counter()
    batch = pdf.Batch(finders.find(document.STYLESHEET), expected=len(scopes), processes=args.processes)
    with batch:
        for customer, chosen in scopes:
            with transaction.atomic():
                definition = ReportDefinition(title="bench", purpose="bench", customer=customer)
                definition.save()
                definition.services.set(chosen)
                start, end = services.period_of(definition, month)
                t = time.perf_counter()
                doc = document.build(services.scope_of(definition, start, end), [])
                timings["build"] += time.perf_counter() - t
                t = time.perf_counter()
                report = ServiceReport(
                    definition=definition, period_start=start, period_end=end, generated_at=timezone.now()
                )
                report.html = document.render_body(doc, report=report, definition=definition)
                page = document.pdf_page(report)
                timings["html"] += time.perf_counter() - t
                transaction.set_rollback(True)
            if not args.no_pdf:
                batch.submit(page)
        t = time.perf_counter()
    timings["pdf"] += time.perf_counter() - t
    failed = [b for b in batch.results() if isinstance(b, str)]
    assert not failed, failed[:3]
    total = time.perf_counter() - started
    figures = {
        "reports": len(scopes),
        "pdf_processes": batch.workers,
        "total_s": round(total, 2),
        **{k: round(v, 2) for k, v in timings.items()},
    }
    print(json.dumps(figures), "target", TARGET_S, "s:", "met" if total < TARGET_S else "NOT met")
    if args.json:
        save(args.json, figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
