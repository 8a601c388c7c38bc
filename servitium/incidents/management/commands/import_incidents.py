"""`servitium import-incidents --mapping NAME [--customer NAME] [--sheet NAME] FILE...`: import incident
history from CSV or XLSX.

Exit status 0 when the import ran (rows that could not be imported are listed), 2 when it could not start
(bad arguments, unknown mapping, unreadable or unrecognised file, unknown customer).
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from servitium.core.dbstats import refresh_statistics
from servitium.incidents.importing import MAPPINGS, ImportArgumentError, import_incidents

SHOWN_ERRORS = 20
BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Import incident history from CSV or XLSX files with a column mapping "
        "(see docs/user-guide/incident-import.md). Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--mapping",
            required=True,
            choices=sorted(MAPPINGS),
            help="; ".join(f"{m.name}: {m.description}" for m in MAPPINGS.values()),
        )
        parser.add_argument(
            "--customer",
            default=None,
            help="organization the tickets belong to (bpic2014: default 'Rabobank Group ICT', created if "
            "missing; generic: for rows without a customer column value)",
        )
        parser.add_argument(
            "--time-zone",
            default=None,
            help="time zone of times written without an offset (bpic2014: Europe/Amsterdam; generic: the "
            "server's time zone)",
        )
        parser.add_argument(
            "--sheet", default=None, help="sheet read from XLSX workbooks (default: each one's first)"
        )
        parser.add_argument(
            "files", nargs="+", type=Path, metavar="FILE", help="CSV or XLSX files, in any order"
        )

    def _progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = f"importing [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} incidents"
        if self.stderr.isatty():
            self.stderr.write("\r" + bar, ending="\n" if done >= total else "")
        else:
            self.stderr.write(bar)
        self.stderr.flush()

    def handle(self, *args, mapping, customer, time_zone, files, sheet=None, verbosity=1, **options):
        if mapping not in MAPPINGS:  # call_command may bypass the parser's choices
            raise CommandError(
                f"Unknown mapping {mapping!r}; known: {', '.join(sorted(MAPPINGS))}.", returncode=2
            )
        started = time.monotonic()
        try:
            report = import_incidents(
                mapping,
                list(files),
                customer=customer,
                time_zone=time_zone,
                sheet=sheet,
                progress=self._progress if verbosity else None,
            )
        except ImportArgumentError as exc:
            raise CommandError(str(exc), returncode=2) from None
        refresh_statistics()  # the planner learns the tables' new sizes now, not at autovacuum's next round
        for error in report.errors[:SHOWN_ERRORS]:
            self.stderr.write(f"error: {error}")
        if len(report.errors) > SHOWN_ERRORS:
            self.stderr.write(f"... and {len(report.errors) - SHOWN_ERRORS} more rows with errors")
        if verbosity:
            self.stdout.write(
                f"{mapping}: {report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged, {report.events_created} events created, "
                f"{len(report.errors)} rows with errors ({time.monotonic() - started:.1f} s)"
            )
