"""`servitium import-incidents --mapping NAME|--mapping-file FILE [--create-missing] [--customer NAME]
[--reference-prefix ABC] [--time-zone ZONE] [--sheet NAME] [--report FILE] FILE...`: import incident
history from CSV, XLSX or XES.

`--mapping` takes a shipped preset (servicenow, servicenow-events, jira-service-management, glpi, otrs,
zammad, bpic2013, bpic2014, generic, xes: servitium/incidents/imports/presets/); `--mapping-file` a YAML
mapping of one's own (docs/user-guide/incident-import.md). The files are imported together (a mapping with
a tickets file takes it beside its event log, in any order).

Exit status 0 when the import ran (rows that could not be imported are listed), 2 when it could not start
(bad arguments, unknown mapping, unreadable or unrecognised file, unknown customer).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from servitium.incidents.imports import mapping as mapping_files
from servitium.incidents.imports.run import ImportStartError, run_files

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Import incident history from CSV, XLSX or XES files with a mapping "
        "(see docs/user-guide/incident-import.md). Running it again changes nothing."
    )

    def add_arguments(self, parser):
        presets = mapping_files.presets()
        parser.add_argument(
            "--mapping",
            default=None,
            choices=sorted(presets),
            help="; ".join(f"{n}: {d}" for n, d in presets.items()),
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
            help="organization of the tickets whose row names none (default: the mapping's customer; "
            "bpic2014: 'Rabobank Group ICT', created if missing); a name that does not exist stops the "
            "import",
        )
        parser.add_argument(
            "--time-zone",
            default=None,
            help="time zone of times written without an offset (default: the mapping's; bpic2014: "
            "Europe/Amsterdam; generic: the server's time zone)",
        )
        parser.add_argument(
            "--sheet", default=None, help="sheet read from XLSX workbooks (default: each one's first)"
        )
        parser.add_argument(
            "files", nargs="+", type=Path, metavar="FILE", help="CSV, XLSX or XES files, in any order"
        )

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

    def handle(self, *args, mapping, customer, time_zone, files, sheet=None, verbosity=1, **options):
        if not mapping and not options.get("mapping_file"):
            raise CommandError("Name a --mapping (a preset) or a --mapping-file.", returncode=2)
        try:
            spec = mapping_files.load(str(options.get("mapping_file") or mapping))
            if time_zone:
                spec.time_zone = time_zone
                spec.zone  # noqa: B018 - an unknown zone stops the import before anything is read
        except mapping_files.MappingError as exc:
            raise CommandError(f"mapping: {exc}", returncode=2) from None
        if sheet:
            spec.sheet = sheet
        self._last_tenth = -1
        try:
            report = run_files(
                spec,
                [(Path(path), str(path)) for path in files],
                customer=customer or "",
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
