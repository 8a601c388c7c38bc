"""`servitium verify-export file.zip`: check every file of an export against its manifest (size, SHA-256,
record count) and that nothing else is in the ZIP. Exit status 0 when it holds, 1 naming what does not."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Verify a customer export against its manifest."
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="The export's ZIP file.")

    def handle(self, *args, path: str, **options):
        from servitium.exits.verify import verify

        found = verify(path)
        if not found.ok:
            for problem in found.problems:
                self.stderr.write(f"FAILED {problem}")
            self.stderr.write(f"{path}: does NOT match its manifest ({len(found.problems)} problems)")
            sys.exit(1)
        self.stdout.write(
            f"OK {path}: {found.files} files, {found.records} records, {found.bytes} bytes match the manifest"
            f" of {found.customer}"
        )
