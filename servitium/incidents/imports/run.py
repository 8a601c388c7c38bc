"""One import from start to end: read (header first), spool, plan each ticket, write in batches, refresh the
planner's statistics, report. Also the preview of the first tickets, which writes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from servitium.core import context
from servitium.core.dbstats import refresh_statistics
from servitium.core.models import ChangeRecord

from ..models import Incident, IncidentEvent
from .eventlog import Planner, Spool, TicketPlan, spool_rows
from .mapping import Mapping
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


def check_file(mapping: Mapping, path: Path, name: str = "") -> list[str]:
    """Read only the file's header and check it against the mapping (what the browser does before it
    queues an import); the columns not used, or ImportStartError."""
    try:
        with _open(mapping, path, name or path.name) as table:
            return check_header(mapping, table)
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
    mapping: Mapping, path: Path, name: str, report: Report, progress: Progress | None, limit: int = 0
):
    spool = Spool()
    try:
        with _open(mapping, path, name) as table:
            report.files[name] = table.described
            report.ignored_columns = check_header(mapping, table)

            def counted() -> Iterator:
                for n, row in enumerate(table.rows, start=1):
                    report.rows = n
                    if progress and n % 5000 == 0 and table.size:
                        progress(0.5 * min(1.0, table.position[0] / table.size), "reading")
                    yield row

            spool_rows(
                mapping,
                counted(),
                spool,
                lambda p: report.error(p.kind, name, p.line, p.message),
                limit=limit,
            )
    except ReadError as exc:
        spool.close()
        raise ImportStartError(str(exc)) from None
    except BaseException:
        spool.close()
        raise
    return spool


def preview(
    mapping: Mapping, path: Path, *, name: str = "", count: int = 20
) -> tuple[list[TicketPlan], Report]:
    """The first `count` tickets as they would be imported (from the first rows of the file)."""
    name = name or path.name
    report = Report(mapping=mapping.name, source=mapping.source)
    spool = _spool(mapping, path, name, report, None, limit=PREVIEW_ROWS)
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
    name = name or path.name
    prefix = check_reference_prefix(mapping, reference_prefix)
    report = Report(mapping=mapping.name, source=mapping.source)
    spool = _spool(mapping, path, name, report, progress)
    try:
        total = spool.db.execute("SELECT COUNT(DISTINCT ticket) FROM rows").fetchone()[0]
        parties = Parties(
            create_missing=create_missing, report=report, default_customer=customer or mapping.customer
        )
        writer = Writer(mapping, parties, report, prefix=prefix, file=name)
        planner = Planner(mapping)
        batch: list[TicketPlan] = []
        with context.change_context(context="import", actor=actor):
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
