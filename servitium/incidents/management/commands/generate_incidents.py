"""`servitium generate-incidents --count N [--days D]`: realistic ticket history in bulk, for demos and
benchmarks (see servitium/incidents/generator.py for the distributions)."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Generate realistic incident and service request history in bulk."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--days", type=int, default=180)
        parser.add_argument("--seed", type=int, default=20261125)
        parser.add_argument("--batch", type=int, default=5000)

    def handle(self, *args, count: int, days: int, seed: int, batch: int, **options):
        from servitium.core.context import change_context
        from servitium.core.dbstats import refresh_statistics
        from servitium.incidents.generator import Generator

        if count < 1 or days < 1 or batch < 1:
            raise CommandError("--count, --days and --batch must be positive.")
        try:
            generator = Generator(seed=seed)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        started = time.monotonic()

        def progress(done: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-6)
            width = 30
            filled = int(width * done / count)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{count} ({rate:,.0f}/s)")
            sys.stderr.flush()

        with change_context(context="import"):
            written = generator.run(count, days=days, batch=batch, progress=progress)
        refresh_statistics()  # the planner learns the tables' new sizes now, not at autovacuum's next round
        sys.stderr.write("\n")
        self.stdout.write(f"generated {written} tickets in {time.monotonic() - started:.1f} s")
