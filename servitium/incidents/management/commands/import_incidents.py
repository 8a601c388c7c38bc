"""`servitium import-incidents --mapping NAME|--mapping-file FILE [--create-missing] [--customer NAME]
[--reference-prefix ABC] [--report FILE] FILE...`: import incident history from CSV, XLSX or XES.

`--mapping` takes a shipped preset (servicenow, servicenow-events, jira-service-management, glpi, otrs,
zammad, bpic2013, xes: servitium/incidents/imports/presets/) or one of the older fixed mappings (bpic2014,
generic); `--mapping-file` a YAML mapping of one's own (docs/user-guide/incident-import.md).

Exit status 0 when the import ran (rows that could not be imported are listed), 2 when it could not start
(bad arguments, unknown mapping, unreadable or unrecognised file, unknown customer).
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from servitium.core.dbstats import refresh_statistics
from servitium.incidents.importing import MAPPINGS, ImportArgumentError, import_incidents
from servitium.incidents.imports import mapping as mapping_files
from servitium.incidents.imports.run import ImportStartError, run_import

SHOWN_ERRORS = 20
BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Import incident history from CSV or XLSX files with a column mapping "
        "(see docs/user-guide/incident-import.md). Running it again changes nothing."
    )

    def add_arguments(self, parser):
        presets = mapping_files.presets()
        parser.add_argument(
            "--mapping",
            default=None,
            choices=sorted({*MAPPINGS, *presets}),
            help="; ".join(
                [f"{n}: {d}" for n, d in presets.items()]
                + [f"{m.name}: {m.description}" for m in MAPPINGS.values()]
            ),
        )
        parser.add_argument("--mapping-file", default=None, type=Path, help="a YAML mapping file of your own")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="create the organizations, teams and people the file names but Servitium lacks (listed in "
            "the report); without it their tickets are reported, not imported",
        )
        parser.add_argument(
            "--reference-prefix",
            default="",
            help="Servitium's own reference prefix for the imported tickets (capital letters), so the "
            "source's numbers (kept as the source reference) never look like ours",
        )
        parser.add_argument("--report", default=None, type=Path, help="write the full report (JSON) to FILE")
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

    def _percent(self, fraction: float, phase: str) -> None:
        """A bar redrawn in place on a terminal; a line per tenth otherwise (logs, pipes)."""
        percent = int(fraction * 100)
        if self.stderr.isatty():
            filled = BAR_WIDTH * percent // 100
            self.stderr.write(
                f"\r{phase:8} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {percent:3d}%",
                ending="\n" if percent >= 100 else "",
            )
        elif percent // 10 != self._last_tenth:
            self._last_tenth = percent // 10
            self.stderr.write(f"{phase} {percent}%")
        self.stderr.flush()

    def _run_mapping_file(self, spec, files, options, verbosity) -> None:
        self._last_tenth = -1
        for path in files:
            try:
                report = run_import(
                    spec,
                    Path(path),
                    customer=options.get("customer") or "",
                    create_missing=options.get("create_missing", False),
                    reference_prefix=options.get("reference_prefix") or "",
                    progress=self._percent if verbosity else None,
                )
            except ImportStartError as exc:
                raise CommandError(str(exc), returncode=2) from None
            if options.get("report"):
                Path(options["report"]).write_text(report.as_json(), encoding="utf-8")
            text = report.as_text()
            if verbosity:
                self.stdout.write(text)
            elif report.errors:
                self.stderr.write(text)

    def handle(self, *args, mapping, customer, time_zone, files, sheet=None, verbosity=1, **options):
        if not mapping and not options.get("mapping_file"):
            raise CommandError("Name a --mapping (a preset) or a --mapping-file.", returncode=2)
        if options.get("mapping_file") or (mapping and mapping not in MAPPINGS):
            try:
                spec = mapping_files.load(str(options.get("mapping_file") or mapping))
            except mapping_files.MappingError as exc:
                raise CommandError(f"mapping: {exc}", returncode=2) from None
            if time_zone:
                spec.time_zone = time_zone
            if sheet:
                spec.sheet = sheet
            self._run_mapping_file(spec, files, {**options, "customer": customer}, verbosity)
            return
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
