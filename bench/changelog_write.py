#!/usr/bin/env python3
"""What the change log costs the writers and the sealer: `record_many` (COPY on PostgreSQL above 100 rows)
with and without field values, single `record` calls (the path of every ticket create), `seal` and the
full verification, on the migrated database in DATABASE_URL (the script adds the records it needs and
leaves them there).

    createdb -h 127.0.0.1 -U postgres servitium_bench_log
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/servitium_bench_log
    export SERVITIUM_DATA_DIR=/tmp/benchlog
    .venv/bin/servitium migrate -v0
    .venv/bin/python bench/changelog_write.py --entries 10000 --rounds 5

Runs against older code too (PYTHONPATH=<checkout>), to compare before and after a change.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10000, help="entries per record_many call")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--singles", type=int, default=2000, help="single record() calls")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servitium.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    from servitium.core import changelog
    from servitium.core.context import change_context
    from servitium.parties.models import Organization

    with change_context(context="shell"):
        have = list(Organization.objects.filter(name__startswith="Bench org "))
        for i in range(len(have), 100):
            have.append(Organization.objects.create(name=f"Bench org {i}", kind="customer"))
        rows = (have * (args.entries // len(have) + 1))[: args.entries]

        def timed(label: str, func, rounds: int) -> float:
            times = []
            for _ in range(rounds):
                began = time.perf_counter()
                with transaction.atomic():
                    func()
                times.append(time.perf_counter() - began)
            median = statistics.median(times)
            print(f"{label:<44} median {median * 1000:8.1f} ms  (min {min(times) * 1000:.1f}, n={rounds})")
            return median

        print(f"{connection.vendor}, {args.entries} entries per call")
        timed(
            "record_many, field values",
            lambda: changelog.record_many(rows, action="update", message="bench"),
            args.rounds,
        )
        timed(
            "record_many, no field values",
            lambda: changelog.record_many(rows, action="update", message="bench", with_changes=False),
            args.rounds,
        )
        try:
            from servitium.core import ledgerkey
        except ImportError:  # code from before entries carried MACs
            ledgerkey = None
        if ledgerkey is not None:
            built = [
                changelog.ChangeRecord(
                    action="update",
                    object_type="parties.organization",
                    object_id=o.pk,
                    object_repr=str(o),
                    changes=changelog.diff(None, changelog.snapshot(o)),
                    message="bench",
                    context="shell",
                )
                for o in rows
            ]
            timed("  of which the MACs (ledgerkey.mark)", lambda: ledgerkey.mark(built), args.rounds)
        org = have[0]

        def singles() -> None:
            for _ in range(args.singles):
                changelog.record(org, action="update", changes={"name": ["a", "b"]}, message="bench")

        per = timed(f"record x {args.singles}", singles, 3)
        print(f"{'':<44} = {per / args.singles * 1e6:.1f} us per entry")

        if connection.vendor == "postgresql":  # as autovacuum would after a bulk load: current statistics
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE core_changerecord")
        pending = changelog.ChangeRecord.objects.filter(seq__isnull=True).count()
        began = time.perf_counter()
        sealed = changelog.seal()
        took = time.perf_counter() - began
        print(
            f"seal of {sealed} pending (of {pending}) entries          {took * 1000:8.1f} ms  "
            f"= {took / max(sealed, 1) * 1e6:.1f} us per entry"
        )
        began = time.perf_counter()
        entry = changelog.record(org, action="update", changes={"x": [1, 2]})
        assert entry is not None
        changelog.seal()
        print(f"seal of 1 entry (the minute's usual case)   {(time.perf_counter() - began) * 1000:8.1f} ms")

        verify = getattr(changelog, "verify", None)
        if verify is None:
            from servitium.core import ledgercheck

            verify = ledgercheck.verify
        total = changelog.ChangeRecord.objects.count()
        began = time.perf_counter()
        result = verify()
        took = time.perf_counter() - began
        print(
            f"verify of {total} entries                   {took * 1000:8.1f} ms  "
            f"= {took / max(total, 1) * 1e6:.1f} us per entry (ok={result.ok})"
        )


if __name__ == "__main__":
    main()
