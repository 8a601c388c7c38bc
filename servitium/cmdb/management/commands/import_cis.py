"""`servitium import-cis FILE [--relationships FILE]`: import CIs (and relationships) from CSV or XLSX.

Exit status 0 when the import ran (rows that could not be imported are listed), 2 when a file cannot be
read. Running it again with the same files changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

SHOWN_ERRORS = 20
BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Import configuration items and relationships from CSV or XLSX (see docs/user-guide/cmdb.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?", help="CSV or XLSX of CIs")
        parser.add_argument("--relationships", type=Path, default=None, help="CSV or XLSX of relationships")
        parser.add_argument(
            "--sheet", default="", help="sheet of the CI workbook to read (default: the first)"
        )
        parser.add_argument(
            "--relationships-sheet",
            default="",
            help="sheet of the relationship workbook (default: the first)",
        )

    def _progress(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        bar = f"importing [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} rows"
        if self.stderr.isatty():
            self.stderr.write("\r" + bar, ending="\n" if done >= total else "")
        else:
            self.stderr.write(bar)
        self.stderr.flush()

    def handle(self, *args, file: Path | None, relationships: Path | None, sheet="", **options):
        from servitium.cmdb.importing import import_cis
        from servitium.core.context import change_context

        if file is None and relationships is None:
            raise CommandError("Give a file of CIs, --relationships FILE, or both.", returncode=2)
        contents, names = {}, {}
        for label, path in (("cis", file), ("relationships", relationships)):
            if path is None:
                continue
            try:
                contents[label], names[label] = Path(path).read_bytes(), str(path)
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc.strerror}", returncode=2) from exc
        with change_context(context="import"):
            report = import_cis(
                actor=None,
                progress=self._progress,
                names=names,
                sheets={"cis": sheet, "relationships": options.get("relationships_sheet") or ""},
                **contents,
            )
        if report.refused:
            raise CommandError(report.refused, returncode=2)
        self.stdout.write(
            f"CIs: {report.created} created, {report.updated} updated, {report.unchanged} unchanged; "
            f"relationships: {report.relationships_created} created, {report.relationships_existing} already "
            f"recorded; {len(report.errors)} rows not imported"
        )
        for label, line, message in report.errors[:SHOWN_ERRORS]:
            self.stdout.write(f"  {label} line {line}: {message}")
        if len(report.errors) > SHOWN_ERRORS:
            self.stdout.write(f"  ... and {len(report.errors) - SHOWN_ERRORS} more")
