"""One import from start to end: read (every file's header first), spool, plan each ticket, write in batches,
refresh the planner's statistics, report. Also the preview of the first tickets, which writes nothing.

Several files are one import: their rows are grouped by ticket together. With a mapping that has a tickets
file, each file is told apart by its header (the event log has the ticket and time columns)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

from servitium.core import context
from servitium.core.dbstats import refresh_statistics
from servitium.core.models import ChangeRecord

from ..models import Incident, IncidentEvent
from .eventlog import Planner, Spool, TicketPlan, spool_rows
from .mapping import TICKETS, Mapping, ValueProblem
from .reader import ReadError, Table, open_table
from .report import Report
from .writer import Parties, Writer

BATCH = 200  # tickets per transaction
PREVIEW_ROWS = 20_000  # rows read for a preview: enough for the first tickets of any usual export

Progress = Callable[[float, str], None]  # (fraction done, what is being done)


class ImportStartError(ValueError):
    """The import cannot start: the file cannot be read or its header does not fit the mapping."""


def check_header(mapping: Mapping, table: Table) -> list[str]:
    """The columns the file has but the mapping does not use; ImportStartError when a required one is
    missing."""
    header = set(table.header)
    if table.described.startswith("XES"):
        return []  # XES has no header: keys missing from an event simply leave the field empty
    missing = [c for c in mapping.required_columns() if c not in header]
    if missing:
        hint = ""
        if len(table.header) == 1:
            hint = " The header is one single column: is the separator right?"
        raise ImportStartError(
            f"{table.name} (read as {table.described}): the header lacks the column(s) {', '.join(missing)} "
            f"that the {mapping.name} mapping needs; it has: {', '.join(table.header[:30])}.{hint}"
        )
    used = mapping.used_columns()
    return [c for c in table.header if c and c not in used]


def _open(mapping: Mapping, path: Path, name: str):
    return open_table(
        path,
        name=name,
        fmt=mapping.format,
        separator=mapping.separator,
        encoding=mapping.encoding,
        sheet=mapping.sheet,
        header_row=mapping.header_row,
    )


def _part(mapping: Mapping, table: Table) -> tuple[str, Mapping]:
    """Which of the mapping's files this is, and how it is read: the event log when the header has its
    required columns, else the tickets file when it has that one's."""
    tickets = mapping.tickets_mapping()
    if tickets is None or table.described.startswith("XES"):
        return "", mapping
    header = set(table.header)
    if all(column in header for column in mapping.required_columns()):
        return "events", mapping
    if all(column in header for column in tickets.required_columns()):
        return TICKETS, tickets
    raise ImportStartError(
        f"{table.name} (read as {table.described}): the header fits neither the event log (columns "
        f"{', '.join(mapping.required_columns())}) nor the tickets file (columns "
        f"{', '.join(tickets.required_columns())}) of the {mapping.name} mapping; it has: "
        f"{', '.join(table.header[:30])}."
    )


PART_NAMES = {"events": "event log", TICKETS: "tickets file"}


def check_file(mapping: Mapping, path: Path, name: str = "") -> list[str]:
    """Read only the file's header and check it against the mapping (what the browser does before it
    queues an import); the columns not used, or ImportStartError."""
    try:
        with _open(mapping, path, name or path.name) as table:
            return check_header(_part(mapping, table)[1], table)
    except ReadError as exc:
        raise ImportStartError(str(exc)) from None


def check_reference_prefix(mapping: Mapping, given: str = "") -> str:
    """The prefix of the imported tickets' own references: the one given, else the mapping's, else INC;
    ImportStartError when it is not one to eight capital letters."""
    prefix = given or mapping.reference_prefix or Incident.reference_prefix
    if not (prefix.isascii() and prefix.isalpha() and prefix.isupper() and len(prefix) <= 8):
        raise ImportStartError(f"reference prefix {prefix!r}: one to eight capital letters (A-Z)")
    return prefix


def _spool(
    mapping: Mapping,
    files: list[tuple[Path, str]],
    report: Report,
    progress: Progress | None,
    limit: int = 0,
) -> Spool:
    """The rows of all files in one spool; every file is opened and its header checked first."""
    if not files:
        raise ImportStartError("Name at least one file to import.")
    spool = Spool()
    try:
        with ExitStack() as stack:
            tables = []
            for path, name in files:
                table = stack.enter_context(_open(mapping, path, name))
                part, read_as = _part(mapping, table)
                report.files[name] = table.described + (f" ({PART_NAMES[part]})" if part else "")
                if table.sheet:
                    report.sheets[name] = table.sheet
                report.ignored_columns += check_header(read_as, table)
                tables.append((table, part, read_as))
            total, before = sum(t.size for t, _part, _as in tables), 0

            def counted(table: Table) -> Iterator:
                for row in table.rows:
                    report.rows += 1
                    if progress and report.rows % 5000 == 0 and total:
                        progress(0.5 * min(1.0, (before + table.position[0]) / total), "reading")
                    yield row

            for table, part, read_as in tables:
                spool_rows(
                    read_as,
                    counted(table),
                    spool,
                    lambda p, name=table.name: report.error(p.kind, name, p.line, p.message),
                    limit=spool.count + limit if limit else 0,  # per file: each part of a preview is read
                    file=table.name,
                    part=part,
                )
                before += table.size
    except ReadError as exc:
        spool.close()
        raise ImportStartError(str(exc)) from None
    except BaseException:
        spool.close()
        raise
    return spool


def with_sheet(mapping: Mapping, sheet: str = "") -> Mapping:
    """The mapping reading the named sheet of each workbook instead of its own (or the first)."""
    return replace(mapping, sheet=sheet) if sheet else mapping


def preview(
    mapping: Mapping, files: list[tuple[Path, str]], *, count: int = 20, sheet: str = ""
) -> tuple[list[TicketPlan], Report]:
    """The first `count` tickets as they would be imported (from the first rows of each file), the files
    given as for run_files."""
    mapping = with_sheet(mapping, sheet)
    report = Report(mapping=mapping.name, source=mapping.source)
    spool = _spool(mapping, files, report, None, limit=PREVIEW_ROWS)
    planner = Planner(mapping)
    plans = []
    try:
        for ticket, rows in spool.tickets():
            plans.append(planner.plan(ticket, rows))
            if len(plans) >= count:
                break
    finally:
        spool.close()
    return plans, report


def run_import(
    mapping: Mapping,
    path: Path,
    *,
    name: str = "",
    create_missing: bool = False,
    customer: str = "",
    reference_prefix: str = "",
    progress: Progress | None = None,
    actor: object = None,
) -> Report:
    """Import one file with the mapping; raises ImportStartError when it cannot start (nothing written)."""
    return run_files(
        mapping,
        [(path, name or path.name)],
        create_missing=create_missing,
        customer=customer,
        reference_prefix=reference_prefix,
        progress=progress,
        actor=actor,
    )


def run_files(
    mapping: Mapping,
    files: list[tuple[Path, str]],
    *,
    create_missing: bool = False,
    customer: str = "",
    reference_prefix: str = "",
    progress: Progress | None = None,
    actor: object = None,
    first_rows: int = 0,
    sheet: str = "",
) -> Report:
    """Import the files, given as (path, name shown in errors), together with the mapping; raises
    ImportStartError when it cannot start (nothing written). `first_rows`: rows kept per kind of error
    (default: the report's); `sheet`: the sheet read from each workbook instead of the mapping's."""
    mapping = with_sheet(mapping, sheet)
    prefix = check_reference_prefix(mapping, reference_prefix)
    report = Report(mapping=mapping.name, source=mapping.source)
    if first_rows:
        report.first_rows = first_rows
    spool = _spool(mapping, files, report, progress)
    try:
        total = spool.db.execute("SELECT COUNT(DISTINCT ticket) FROM rows").fetchone()[0]
        parties = Parties(
            create_missing=create_missing, report=report, default_customer=customer or mapping.customer
        )
        writer = Writer(mapping, parties, report, prefix=prefix, file=files[0][1])
        planner = Planner(mapping)
        batch: list[TicketPlan] = []
        with context.change_context(context="import", actor=actor):
            try:  # a --customer that does not exist stops the import; the mapping's own may be created
                parties.default_organization(
                    create=mapping.create_customer and not customer, named=bool(customer)
                )
            except ValueProblem as exc:
                raise ImportStartError(str(exc)) from None
            for ticket, rows in spool.tickets():
                batch.append(planner.plan(ticket, rows))
                report.tickets += 1
                if len(batch) >= BATCH:
                    writer.write_batch(batch)
                    batch = []
                    if progress:
                        progress(0.5 + 0.5 * report.tickets / max(total, 1), "writing")
            if batch:
                writer.write_batch(batch)
    finally:
        spool.close()
    # The planner learns the tables' new sizes now, not at autovacuum's next round (PostgreSQL only).
    report.analyzed = refresh_statistics(Incident, IncidentEvent, ChangeRecord)
    if progress:
        progress(1.0, "done")
    return report
