"""Reading XLSX workbooks for the importers: the rows of one sheet as the same text a CSV file gives.

The importers validate text (dates as ISO 8601, numbers as digits, yes/no), so a workbook's typed cells are
turned into that text here and every import has one validation path whatever the file's format. Rows are
read lazily from openpyxl's read-only mode: memory does not grow with the sheet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

ZIP_SIGNATURE = b"PK\x03\x04"  # an XLSX workbook is a zip archive
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Excel format (.xls)
XLSX_SUFFIXES = (".xlsx", ".xlsm")


class SpreadsheetError(ValueError):
    """The workbook cannot be read at all: not a workbook, damaged, or no such sheet."""


def is_xlsx(head: bytes, name: str = "") -> bool:
    """Whether a file whose first bytes are `head` is an XLSX workbook. The content decides, not the name
    alone: a file named .xlsx that is not a zip archive, or an old .xls workbook, is refused by name."""
    if head.startswith(ZIP_SIGNATURE):
        return True
    label = Path(name).name or _("the file")
    if head.startswith(OLE_SIGNATURE):
        raise SpreadsheetError(
            _("%(name)s is an old Excel (.xls) workbook; save it as .xlsx or CSV.") % {"name": label}
        )
    if name.lower().endswith(XLSX_SUFFIXES):
        raise SpreadsheetError(
            _("%(name)s is named as an XLSX workbook but is not one (not a zip archive).") % {"name": label}
        )
    return False


@dataclass
class SheetRow:
    line: int  # the row's number in the sheet, as Excel shows it
    values: dict[str, str]  # by header
    problem: str = ""  # why the row cannot be used (an error cell, a value outside the header's columns)


def _column(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def cell_text(cell: Any) -> str:
    """A cell as the text a CSV file would hold: integral numbers without '.0', dates and times in ISO 8601
    (a date-only format gives the date alone), true/false, to the second unless the format shows less."""
    from openpyxl.styles.numbers import is_datetime

    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.microsecond:  # Excel keeps times as fractions of a day: 12:00 may come back as 11:59:59.999
            value = (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
        if is_datetime(cell.number_format or "") == "date" and value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    return str(value)


class Sheet:
    """One sheet of an open workbook: its name, its header (the first row with a value, or the row
    `header_row` when given: some tools write a title above the table) and its rows."""

    def __init__(self, worksheet: Any, header_row: int = 0) -> None:
        self.name: str = worksheet.title
        self._rows = enumerate(worksheet.iter_rows(), start=1)
        self.header: list[str] = []
        self.header_line = 0
        for line, cells in self._rows:
            if line < header_row:
                continue
            texts = [cell_text(c).strip() for c in cells]
            if any(texts):
                while texts and not texts[-1]:
                    texts.pop()
                self.header, self.header_line = texts, line
                break

    def rows(self) -> Iterator[SheetRow]:
        """The rows under the header, empty ones (trailing formatting, gaps) left out."""
        width = len(self.header)
        try:
            for line, cells in self._rows:
                yield from self._row(line, cells, width)
        except SpreadsheetError:
            raise
        except Exception as exc:  # a damaged sheet part fails while streaming; the import has written nothing
            raise SpreadsheetError(
                _("Sheet %(sheet)s cannot be read after row %(line)s: %(e)s")
                % {"sheet": self.name, "line": self.header_line, "e": type(exc).__name__}
            ) from None

    def _row(self, line: int, cells: tuple, width: int) -> Iterator[SheetRow]:
        texts, problems = [], []
        for index, cell in enumerate(cells):
            name = self.header[index] if index < width else ""
            if cell.value is not None and cell.data_type == "e":
                problems.append(
                    _("column %(col)s (%(name)s) holds the error %(v)s")
                    % {"col": _column(index), "name": name, "v": cell.value}
                )
                texts.append("")
                continue
            texts.append(cell_text(cell))
        if not any(t.strip() for t in texts):
            return
        beyond = [i for i in range(width, len(texts)) if texts[i].strip()]
        if beyond:
            problems.append(_("column %(col)s holds a value but has no header") % {"col": _column(beyond[0])})
        texts = (texts + [""] * width)[:width]
        yield SheetRow(line, dict(zip(self.header, texts, strict=True)), "; ".join(problems))


@contextmanager
def open_sheet(
    source: Path | IO[bytes], *, sheet: str | None = None, name: str = "", header_row: int = 0
) -> Iterator[Sheet]:
    """The named sheet (any case) or else the first one of the workbook at `source`; SpreadsheetError when
    it is not a readable workbook or has no such sheet. The workbook is closed on leaving."""
    import openpyxl

    label = Path(name or getattr(source, "name", "") or "").name or _("the file")
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except OSError as exc:
        raise SpreadsheetError(
            _("%(name)s cannot be read (%(e)s).") % {"name": label, "e": exc.strerror or exc}
        ) from None
    except Exception:  # a zip that is not a workbook, damaged XML, ...: all one answer for the person
        raise SpreadsheetError(_("%(name)s is not a readable XLSX workbook.") % {"name": label}) from None
    try:
        worksheets = workbook.worksheets
        if sheet:
            chosen = [w for w in worksheets if w.title.lower() == sheet.strip().lower()]
            if not chosen:
                raise SpreadsheetError(
                    _("%(name)s has no sheet %(sheet)r; its sheets: %(known)s.")
                    % {"name": label, "sheet": sheet, "known": ", ".join(w.title for w in worksheets)}
                )
            worksheet = chosen[0]
        elif worksheets:
            worksheet = worksheets[0]
        else:
            raise SpreadsheetError(_("%(name)s has no worksheet.") % {"name": label})
        try:
            opened = Sheet(worksheet, header_row)
        except Exception:
            raise SpreadsheetError(
                _("Sheet %(sheet)s of %(name)s cannot be read.") % {"sheet": worksheet.title, "name": label}
            ) from None
        yield opened
    finally:
        workbook.close()
