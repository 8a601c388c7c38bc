"""A list's rows as a download: CSV (streamed) or XLSX (written row by row to a temporary file).

The list view produces the rows once (header and typed values: numbers, dates, text); these writers only
format them, so both formats carry the same records, columns and filters. Text never becomes a formula:
CSV cells starting with a formula character get a leading apostrophe, XLSX cells are stored as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import chain, islice
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_TEXT = 32767  # Excel's limit for one cell
SAMPLE_ROWS = 200  # rows measured for the column widths before the rest is streamed
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters XML 1.0 cannot hold
SHEET_NAME_ILLEGAL = re.compile(r"[\[\]:*?/\\]")


class Echo:
    def write(self, value: str) -> str:
        return value


def csv_safe(value: Any) -> str:
    """Neutralise spreadsheet formulas in exported cells (CSV injection)."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    writer = csv.writer(Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(list(header))
        for row in rows:
            yield writer.writerow([csv_safe(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _text(value: Any) -> str:
    return ILLEGAL.sub("\ufffd", str(value))[:XLSX_MAX_TEXT]


def _typed(value: Any) -> tuple[Any, str]:
    """The value an XLSX cell holds and its number format ('' for text and plain numbers)."""
    if isinstance(value, bool):
        return value, ""
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        return str(value), ""  # NaN and infinities have no cell value
    if isinstance(value, int | Decimal | float):
        return value, ""
    if isinstance(value, dt.date) and value.year < 1900:
        return value.isoformat(), ""  # before Excel's calendar starts
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):  # the reader's own zone (set per request), as the pages show times
            value = timezone.localtime(value)
        return value.replace(tzinfo=None), "yyyy-mm-dd hh:mm:ss"
    if isinstance(value, dt.date):
        return value, "yyyy-mm-dd"
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None), "hh:mm:ss"
    return _text(value), ""


def _cell(sheet: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if value is None or value == "":
        return None
    typed, number_format = _typed(value)
    cell = WriteOnlyCell(sheet)
    cell.value = typed
    if isinstance(typed, str):
        # openpyxl stores a string starting with '=' as a formula (and '#N/A' as an error): force text, and
        # the quote prefix keeps the cell text when someone edits it in Excel.
        cell.data_type = "s"
        if typed.startswith(FORMULA_START) or typed.startswith("#"):
            cell.quotePrefix = True
    elif number_format:
        cell.number_format = number_format
    return cell


def _width(value: Any) -> int:
    if isinstance(value, dt.datetime):
        return 19
    if isinstance(value, dt.date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def sheet_title(name: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return SHEET_NAME_ILLEGAL.sub(" ", str(name)).strip()[:31] or "Sheet1"


def xlsx_response(
    filename: str, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> FileResponse:
    """The rows as one sheet named `title`: bold, frozen header; columns as wide as the header and the first
    rows need (within reason). Rows go to a temporary file as they come, so memory stays flat."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))
    rows = iter(rows)
    sample = list(islice(rows, SAMPLE_ROWS))
    for index, name in enumerate(header):
        widest = max([len(str(name)), *(_width(row[index]) for row in sample)])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(widest, 6), 60) + 2
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    heading = []
    for name in header:
        cell = _cell(sheet, str(name)) or WriteOnlyCell(sheet)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in chain(sample, rows):
        sheet.append([_cell(sheet, v) for v in row])
    output = tempfile.TemporaryFile(prefix="servitium-export-")  # noqa: SIM115 (the response closes it; then it is gone)
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE
    )
