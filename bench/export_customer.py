#!/usr/bin/env python3
"""Benchmark: the export of one customer's records (exits) with 100,000 tickets and their history, in under
60 s with a peak memory (RSS) under 300 MB, and the ZIP verified against its manifest.

    export SERVITIUM_DATA_DIR=/tmp/bench-exits
    # PostgreSQL: export DATABASE_URL=postgres://postgres@127.0.0.1:5432/servitium_exits_bench
    .venv/bin/python bench/export_customer.py [--tickets 100000] [--json FILE]

The first run migrates the database and builds the data (kept for later runs): a customer "Bench Export
Customer" with an agreed SLA on one service, `--tickets` tickets from `servitium generate-incidents`'s
generator (each with its SLA clocks and one change-log entry), to which this bench adds the history the
generator leaves out: two more change-log entries per ticket (an update with the field values, a
transition), two comments per ticket, and a small file attached to one ticket in a hundred. A second
customer gets a few tickets of its own, which must not appear in the export.

The export runs in a process of its own (`servitium export-customer`, the code the task queue runs for a
data export), so that its wall time and peak RSS (getrusage of the child) are the export's alone; then
`servitium verify-export` checks every file against the manifest, also in a process of its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._results import save  # noqa: E402

TARGET_S = 60
TARGET_RSS_MB = 300
CUSTOMER = "Bench Export Customer"
OTHER = "Bench Other Customer"
CHUNK = 5000


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servitium.settings")
    import django

    django.setup()


def _world():
    from servitium.agreements import services as sla_services
    from servitium.agreements.models import ServiceLevelAgreement
    from servitium.catalog import services as catalog_services
    from servitium.catalog.models import Service
    from servitium.core import services as core_services
    from servitium.core.models import ServiceHoursCalendar
    from servitium.parties.models import Organization, Person

    def org(name: str, kind: str) -> Organization:
        found = Organization.objects.filter(name=name).first()
        return found or core_services.record_create(
            model=Organization, data={"name": name, "kind": kind}, actor=None
        )

    org("Bench Provider", "provider")
    customer, other = org(CUSTOMER, "customer"), org(OTHER, "customer")
    for who in (customer, other):
        if not Person.objects.filter(organization=who).exists():
            core_services.record_create(
                model=Person, data={"name": f"Caller of {who.name}", "organization": who}, actor=None
            )
    service = Service.objects.filter(name="Bench Hosted Mail").first() or catalog_services.service_create(
        actor=None, data={"name": "Bench Hosted Mail", "status": "live"}, m2m={"customers": [customer, other]}
    )
    if not ServiceLevelAgreement.objects.filter(customer=customer, service=service).exists():
        agreement = sla_services.agreement_create(
            actor=None,
            data={
                "customer": customer,
                "service": service,
                "title": "Bench Mail SLA",
                "calendar": ServiceHoursCalendar.objects.create(
                    name="Bench 24x7",
                    time_zone="UTC",
                    weekly_hours={
                        d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
                    },
                ),
                "valid_from": dt.date(2025, 1, 1),
                "workload": {"peak_periods": ["month end"]},
                "exceptions": [{"kind": "force_majeure", "description": "storms"}],
            },
        )
        for metric, seconds in (("response_time", 3600), ("resolution_time", 8 * 3600)):
            sla_services.target_create(
                actor=None, data={"agreement": agreement, "metric": metric, "target_value": seconds}
            )
        sla_services.agreement_transition(actor=None, instance=agreement, transition="agree")
    return customer, other, service


def _generate(customer, service, count: int) -> None:
    from servitium.core.context import change_context
    from servitium.incidents.generator import Generator

    generator = Generator(seed=7)
    generator.pairs = [(service, customer)]
    started = time.monotonic()
    with change_context(context="import"):
        generator.run(count, days=365, batch=CHUNK)
    print(f"  generated {count} tickets in {time.monotonic() - started:.1f} s", flush=True)


def _add_history(customer) -> None:
    """Two change-log entries and two comments per ticket, a file on one ticket in a hundred."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction
    from django.utils import timezone

    from servitium.core import services as core_services
    from servitium.core.changelog import record_many
    from servitium.core.context import change_context
    from servitium.core.models import Comment
    from servitium.core.sqlwrite import copy_rows
    from servitium.incidents.models import Incident

    kind = ContentType.objects.get_for_model(Incident)
    now = timezone.now()
    ids = list(Incident.objects.filter(customer=customer).order_by("pk").values_list("pk", flat=True))
    started = time.monotonic()
    for n in range(0, len(ids), CHUNK):
        chunk = list(Incident.objects.filter(pk__in=ids[n : n + CHUNK]))
        comments = [
            Comment(
                target_type=kind,
                object_id=t.pk,
                body=text % t.reference,
                visibility=vis,
                created=now,
                updated=now,
            )
            for t in chunk
            for text, vis in (
                ("Thanks, we are looking into %s; the mail queue is being drained.", "public"),
                ("Restarted the relay for %s after checking the logs.", "internal"),
            )
        ]
        with transaction.atomic(), change_context(context="import"):
            record_many(chunk, action="update", message="Assigned to the second line")
            record_many(chunk, action="transition", message="Resolved", with_changes=False)
            if connection.vendor == "postgresql":
                copy_rows(Comment, comments, with_pk=False)
            else:
                Comment.objects.bulk_create(comments, batch_size=1000)
            for t in chunk[::100]:
                upload = SimpleUploadedFile(
                    f"{t.reference}-log.txt", (f"log of {t.reference}\n" * 200).encode()
                )
                core_services.attachment_store(target=t, upload=upload, actor=None)
        print(f"\r  history: {min(n + CHUNK, len(ids))}/{len(ids)} tickets", end="", flush=True)
    print(f"\n  history added in {time.monotonic() - started:.1f} s", flush=True)


def prepare(count: int) -> dict:
    from django.core.management import call_command

    from servitium.core.models import ChangeRecord, Comment
    from servitium.incidents.models import Incident

    call_command("migrate", verbosity=0)
    customer, other, service = _world()
    have = Incident.objects.filter(customer=customer).count()
    if have < count:
        print(f"building the data: {count - have} tickets for {CUSTOMER}", flush=True)
        _generate(customer, service, count - have)
        _add_history(customer)
        from servitium.core.dbstats import refresh_statistics

        refresh_statistics()  # the planner learns the tables' new sizes now, not at autovacuum's next round
    if not Incident.objects.filter(customer=other).exists():
        from servitium.incidents import services as incident_services

        for n in range(20):
            incident_services.incident_create(
                actor=None, data={"title": f"{OTHER} ticket {n}", "customer": other, "service": service}
            )
    tickets = Incident.objects.filter(customer=customer)
    return {
        "tickets": tickets.count(),
        "change_records": ChangeRecord.objects.filter(
            object_type="incidents.incident", object_id__in=tickets.values("pk")
        ).count(),
        "comments": Comment.objects.filter(object_id__in=tickets.values("pk")).count(),
    }


def _child(args: list[str]) -> tuple[float, float, str, int]:
    """Run a command in a child process: wall seconds, its peak RSS in MB, its output, its exit status."""
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child so far
    return wall, peak_kb / 1024, (done.stdout + done.stderr).strip(), done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--out", default=None, help="where to write the ZIP (default: in the data dir)")
    args = parser.parse_args()
    setup()
    from django.conf import settings
    from django.db import connection

    data = prepare(args.tickets)
    out = Path(args.out or Path(settings.DATA_DIR) / "bench-export.zip")
    servitium = shutil.which("servitium", path=str(Path(sys.executable).parent)) or "servitium"
    print(f"database: {connection.vendor}; {data}", flush=True)
    connection.close()
    # The export first: the first child, so the peak RSS read after it is the export's own.
    wall, rss, said, status = _child([servitium, "export-customer", CUSTOMER, "--out", str(out)])
    print(said)
    if status:
        return status
    verify_s, _rss, verified, verify_status = _child([servitium, "verify-export", str(out)])
    print(verified)
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        leaked = any(OTHER.encode() in archive.read(n) for n in archive.namelist())
    figures = {
        "database": connection.vendor,
        **data,
        "zip_bytes": out.stat().st_size,
        "files": manifest["totals"]["files"],
        "records": manifest["totals"]["records"],
        "export_s": round(wall, 1),
        "peak_rss_mb": round(rss),
        "verify_s": round(verify_s, 1),
        "verified": verify_status == 0,
        "other_customer_in_zip": leaked,
    }
    ok = wall < TARGET_S and rss < TARGET_RSS_MB and verify_status == 0 and not leaked
    print(
        f"export of {data['tickets']} tickets ({figures['records']} records, {figures['files']} files, "
        f"{figures['zip_bytes'] / 1e6:.0f} MB): {wall:.1f} s (target {TARGET_S} s), peak RSS {rss:.0f} MB "
        f"(target {TARGET_RSS_MB} MB); verify {verify_s:.1f} s {'OK' if verify_status == 0 else 'FAILED'}; "
        f"{'PASS' if ok else 'FAIL'}"
    )
    if args.json:
        save(args.json, figures)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
