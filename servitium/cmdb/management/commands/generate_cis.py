"""`servitium generate-cis --cis N --relationships M`: a large layered CMDB for benchmarks (see
servitium/cmdb/generator.py for the topology)."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Generate a large, realistic CMDB (CIs and relationships) in bulk, for benchmarks."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cis", type=int, required=True)
        parser.add_argument("--relationships", type=int, required=True)
        parser.add_argument("--seed", type=int, default=20261125)
        parser.add_argument("--batch", type=int, default=5000)

    def handle(self, *args, cis: int, relationships: int, seed: int, batch: int, **options):
        from servitium.cmdb.generator import Generator

        if cis < 20 or relationships < 0 or batch < 1:
            raise CommandError("--cis must be at least 20; --relationships and --batch must be positive.")
        started = time.monotonic()

        def progress(message: str) -> None:
            sys.stderr.write(f"\r{message:<60} {time.monotonic() - started:6.1f} s")
            sys.stderr.flush()

        written, related = Generator(seed=seed).run(cis, relationships, batch=batch, progress=progress)
        sys.stderr.write("\n")
        self.stdout.write(
            f"generated {written} CIs and {related} relationships in {time.monotonic() - started:.1f} s"
        )
