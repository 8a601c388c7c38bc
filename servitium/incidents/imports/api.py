"""The importer for code (scripts, tests): a mapping named as on the command line
(a preset or a mapping file), several files at once, and every row that could not be imported listed by
file and line (`import_incidents`). The work itself is run.run_files's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from . import mapping as mapping_files
from .report import Report
from .run import ImportStartError, run_files

ERROR_ROWS = 1000  # rows kept per kind of error; the count covers them all


class RowError(NamedTuple):
    file: str
    line: int
    message: str
    sheet: str = ""  # of a workbook; `line` is then the row's number in it

    def __str__(self) -> str:
        if self.sheet:
            return f"{self.file}, sheet {self.sheet}, row {self.line}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Imported:
    """The counts of an import and its rows with errors."""

    report: Report
    errors: list[RowError] = field(default_factory=list)

    def __getattr__(self, name: str):  # created, updated, unchanged, events_created, files, sheets ...
        return getattr(self.report, name)


def import_incidents(
    mapping: str,
    paths: list[Path],
    *,
    customer: str | None = None,
    create_missing: bool = False,
    time_zone: str | None = None,
    sheet: str | None = None,
    progress: Callable[[float, str], None] | None = None,
    actor: object = None,
) -> Imported:
    """Import the files with the named preset or mapping file; ImportStartError when it cannot start
    (unknown mapping, unreadable file, a header that fits no file of the mapping, unknown customer)."""
    try:
        spec = mapping_files.load(mapping)
    except mapping_files.MappingError as exc:
        raise ImportStartError(f"mapping: {exc}") from None
    if time_zone:
        spec.time_zone = time_zone
    if sheet:
        spec.sheet = sheet
    try:
        spec.zone  # noqa: B018 - an unknown --time-zone stops the import here
    except mapping_files.MappingError as exc:
        raise ImportStartError(str(exc)) from None
    report = run_files(
        spec,
        [(Path(p), str(p)) for p in paths],
        customer=customer or "",
        create_missing=create_missing,
        progress=progress,
        actor=actor,
        first_rows=ERROR_ROWS,
    )
    errors = [RowError(f, line, m, report.sheets.get(f, "")) for f, line, m in report.error_rows()]
    return Imported(report, errors)
