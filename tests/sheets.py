"""Spreadsheet helpers of the export and import tests: read an export in either format, write a workbook
with openpyxl as a person's spreadsheet program would (typed cells: numbers, dates)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

import openpyxl
from openpyxl.styles import Font

FORMATS = ("csv", "xlsx")


def body(response) -> bytes:
    """The response's bytes; a streamed one is read once and kept, so it can be looked at twice."""
    if not getattr(response, "streaming", False):
        return response.content
    if not hasattr(response, "read_once"):
        response.read_once = b"".join(response.streaming_content)
    return response.read_once


def workbook(response) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(body(response)))


def exported_rows(response, kind: str) -> list[list[str]]:
    """An export's rows (header first) as text, whatever its format."""
    if kind == "csv":
        return list(csv.reader(io.StringIO(body(response).decode())))
    sheet = workbook(response).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def typed(text: str) -> Any:
    """A CSV cell as a spreadsheet program would store it when typed in: whole numbers, dates and times typed
    (decimals stay text here: "1.0" would come back as "1", as Excel shows it)."""
    if text == "":
        return None
    if text.isdigit() and (text == "0" or not text.startswith("0")):
        return int(text)
    for parse in (dt.date.fromisoformat, dt.datetime.fromisoformat):
        try:
            value = parse(text)
        except ValueError:
            continue
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return text  # Excel has no offsets: such a time stays text
        return value
    return text


def xlsx_bytes(sheets: dict[str, Iterable[Sequence[Any]]], *, blank_rows: int = 0) -> bytes:
    """A workbook with one sheet per entry, in order; date and datetime cells get a date format. Each sheet
    ends with `blank_rows` empty but formatted rows, as sheets edited by people often do."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
        last = sheet.max_row
        for line in range(last + 1, last + 1 + blank_rows):
            for column in range(1, sheet.max_column + 1):
                sheet.cell(line, column).font = Font(bold=True)
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
                elif isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def csv_as_xlsx(text: str, sheet: str = "Sheet1", *, trailing_blank_rows: int = 3) -> bytes:
    """The same table as a workbook, cells typed, with empty formatted rows after it as spreadsheets have."""
    rows = list(csv.reader(io.StringIO(text)))
    table = [rows[0], *([typed(v) for v in row] for row in rows[1:])]
    return xlsx_bytes({sheet: table}, blank_rows=trailing_blank_rows)
