"""Reading an export row by row, whatever its size: CSV (separator, encoding and quoting detected), XLSX
(through core.sheets) and XES event logs (plain or gzip). Memory stays bounded: rows are yielded one at a
time and nothing keeps them. The header is read and checked before any row.

Every error names what was detected (`CSV, separator ';', encoding cp1252, quote '"'`) and the line, so a
person whose export differs from what the mapping expects sees why.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from servitium.core.nul import find_nul, nul_message
from servitium.core.sheets import SpreadsheetError, is_xlsx, open_sheet

SAMPLE = 64 * 1024
SEPARATORS = (",", ";", "\t", "|")
SEPARATOR_NAMES = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}
ENCODING_NAMES = {"utf-8-sig": "UTF-8 with BOM", "utf-8": "UTF-8", "utf-16": "UTF-16", "cp1252": "cp1252"}
GZIP_MAGIC = b"\x1f\x8b"

csv.field_size_limit(16 * 1024 * 1024)  # long comments are fine; an unclosed quote must not swallow the file


class ReadError(ValueError):
    """The file cannot be read as a whole (the import does not start); the message says what was seen."""


@dataclass
class Row:
    line: int  # line of the CSV file, row of the sheet, or event number of the XES log
    values: dict[str, str]
    problem: str = ""  # why the row cannot be used; the reader went on
    kind: str = ""  # the problem's kind, for the report


@dataclass
class Table:
    name: str
    described: str  # what was detected, as errors name it
    header: list[str]
    rows: Iterator[Row]
    size: int = 0  # bytes of the file, for progress
    position: list[int] = field(default_factory=lambda: [0])  # bytes read so far (shared with the reader)
    sheet: str = ""  # the sheet read from a workbook


def detect_encoding(head: bytes) -> str:
    """UTF-8 with or without BOM, UTF-16 (BOM, or the NUL bytes of ASCII text in it), else cp1252."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) > 8 and head[1::2].count(0) > len(head) // 4:
        return "utf-16-le"
    if len(head) > 8 and head[0::2].count(0) > len(head) // 4:
        return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def detect_separator(first_line: str) -> str:
    """The candidate that occurs most often in the header outside quotes (a comma when none does)."""
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] else ","


def _encoding_name(encoding: str) -> str:
    return ENCODING_NAMES.get(encoding, encoding)


class _CountingReader(io.RawIOBase):
    """Counts the bytes read, for the percentage shown while a large file is read."""

    def __init__(self, raw: io.BufferedReader, position: list[int]):
        self.raw, self.position = raw, position

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        self.position[0] += n or 0
        return n


def _lines(handle: io.BufferedReader, encoding: str, name: str, described: str) -> Iterator[str]:
    """The file's lines as text. Byte-oriented encodings are decoded line by line, so bytes that do not
    fit are reported at their own line; UTF-16 (whose newlines are two bytes) goes through a text layer."""
    if encoding.startswith("utf-16"):
        text = io.TextIOWrapper(handle, encoding=encoding, newline="")
        number = 0
        try:
            for number, line in enumerate(text, start=1):  # noqa: B007 - reported below
                yield line
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"{name}: after line {number}: not readable as {described} ({exc.reason})"
            ) from None
        return
    for number, line in enumerate(handle, start=1):
        try:
            yield line.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"{name}: line {number}: bytes that do not fit the encoding detected from the file's start "
                f"({described}; {exc.reason}); save the file as UTF-8 or set csv.encoding in the mapping"
            ) from None


def _csv_rows(reader, handle_name: str, header: list[str], described: str) -> Iterator[Row]:
    width = len(header)
    repeated = len(set(header)) < width
    start = reader.line_num + 1
    try:
        for values in reader:
            line, start = start, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            if len(values) != width:
                yield Row(
                    line,
                    {},
                    f"expected {width} columns, found {len(values)} (read as {described})",
                    "wrong number of columns",
                )
                continue
            row = dict(zip(header, values, strict=True))
            if repeated:  # a repeated column (Jira writes Component/s once per value) keeps its first value
                row = {}
                for name, value in zip(header, values, strict=True):
                    if not row.get(name):
                        row[name] = value
            bad = find_nul(row)
            if bad is not None:
                yield Row(line, {}, nul_message(bad), "NUL character")
                continue
            yield Row(line, row)
    except csv.Error as exc:
        raise ReadError(f"{handle_name}: line {start}: not readable as {described} ({exc})") from None


@contextmanager
def _open_csv(path: Path, name: str, separator: str, encoding: str, header_row: int = 0) -> Iterator[Table]:
    size = path.stat().st_size
    with path.open("rb") as probe:
        head = probe.read(SAMPLE)
    if not head.strip():
        raise ReadError(f"{name}: the file is empty")
    encoding = encoding or detect_encoding(head)
    try:
        sample = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    except LookupError:
        raise ReadError(f"{name}: unknown encoding {encoding!r}") from None
    lines = sample.lstrip("\ufeff").splitlines()
    first_line = lines[max(header_row, 1) - 1] if len(lines) >= max(header_row, 1) else ""
    separator = separator or detect_separator(first_line)
    quote = "'" if first_line.startswith("'") else '"'
    described = (
        f"CSV, separator {SEPARATOR_NAMES.get(separator, repr(separator))}, "
        f"encoding {_encoding_name(encoding)}, quote {quote}"
    )
    position = [0]
    with path.open("rb", buffering=0) as raw:
        counted = io.BufferedReader(_CountingReader(raw, position), buffer_size=SAMPLE)  # type: ignore[arg-type]
        reader = csv.reader(_lines(counted, encoding, name, described), delimiter=separator, quotechar=quote)
        try:
            for _above in range(header_row - 1):  # a title the tool writes above the table
                next(reader, None)
            header = [h.strip().lstrip("\ufeff") for h in next(reader, [])]
        except csv.Error as exc:
            raise ReadError(f"{name}: the header is not readable as {described} ({exc})") from None
        if not any(header):
            raise ReadError(f"{name}: the file is empty")
        yield Table(name, described, header, _csv_rows(reader, name, header, described), size, position)


@contextmanager
def _open_xlsx(path: Path, name: str, sheet: str, header_row: int = 0) -> Iterator[Table]:
    try:
        # A handle, not the path: openpyxl refuses a path without .xlsx, and uploads are kept under names
        # of our own.
        with (
            path.open("rb") as handle,
            open_sheet(handle, sheet=sheet or None, name=name, header_row=header_row) as opened,
        ):
            described = f"XLSX, sheet {opened.name}"
            if not opened.header:
                raise ReadError(f"{name}: sheet {opened.name} is empty")

            def rows() -> Iterator[Row]:
                try:
                    for row in opened.rows():
                        problem = row.problem
                        if not problem and find_nul(row.values) is not None:
                            problem = nul_message(find_nul(row.values))
                        yield Row(row.line, row.values, problem, "unreadable cell" if problem else "")
                except SpreadsheetError as exc:
                    raise ReadError(f"{name}: {exc}") from None

            yield Table(name, described, opened.header, rows(), path.stat().st_size, sheet=opened.name)
    except SpreadsheetError as exc:
        raise ReadError(f"{name}: {exc}") from None
    except OSError as exc:  # gone or unreadable between the format check and the reading
        raise ReadError(f"{name}: cannot be read ({exc.strerror or exc})") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attributes(element: ET.Element) -> dict[str, str]:
    return {
        child.get("key", ""): child.get("value", "")
        for child in element
        if child.get("key") and _local(child.tag) not in ("event", "trace")
    }


def _xes_rows(handle, name: str) -> Iterator[Row]:
    """One row per event: the trace's attributes as `case:<key>` beside the event's own. Each trace is
    dropped from the tree once read, so one trace at a time is in memory."""
    root: ET.Element | None = None
    events: list[dict[str, str]] = []
    number = 0
    try:
        for action, element in ET.iterparse(handle, events=("start", "end")):  # noqa: S314
            # ElementTree never fetches external entities, and expat >= 2.4.1 (Python 3.11+ bundles it)
            # refuses entity expansion bombs: an uploaded log cannot reach the network or the memory.
            if action == "start":
                if root is None:
                    root = element
                continue
            tag = _local(element.tag)
            if tag == "event":
                events.append(_attributes(element))
            elif tag == "trace":
                trace = {f"case:{k}": v for k, v in _attributes(element).items()}
                for event in events:
                    number += 1
                    yield Row(number, {**trace, **event})
                events = []
                if root is not None:
                    root.clear()  # the log's own attributes are not used: everything read goes
    except ET.ParseError as exc:
        raise ReadError(f"{name}: not a readable XES log after event {number} ({exc})") from None
    except (OSError, EOFError) as exc:  # a damaged gzip stream
        raise ReadError(f"{name}: cannot be read after event {number} ({exc})") from None


XES_HEADER = [
    "case:concept:name",
    "concept:name",
    "time:timestamp",
    "lifecycle:transition",
    "org:group",
    "org:resource",
]


@contextmanager
def _open_xes(path: Path, name: str, gzipped: bool) -> Iterator[Table]:
    position = [0]
    with path.open("rb", buffering=0) as raw:
        counted = io.BufferedReader(_CountingReader(raw, position), buffer_size=SAMPLE)  # type: ignore[arg-type]
        handle = gzip.GzipFile(fileobj=counted) if gzipped else counted
        # XES has no header: the standard keys stand in for it (a trace or event may still lack some).
        yield Table(
            name,
            "XES event log" + (" (gzip)" if gzipped else ""),
            XES_HEADER,
            _xes_rows(handle, name),
            path.stat().st_size,
            position,
        )


def sniff_format(path: Path, name: str) -> tuple[str, bool]:
    """(csv|xlsx|xes, gzipped) from the file's first bytes."""
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError as exc:
        raise ReadError(f"{name}: cannot read the file ({exc.strerror or exc})") from None
    gzipped = head.startswith(GZIP_MAGIC)
    if gzipped:
        try:
            with gzip.open(path, "rb") as unzipped:
                head = unzipped.read(512)
        except OSError:
            raise ReadError(f"{name}: a damaged gzip file") from None
    try:
        if is_xlsx(head[:8], name):
            return "xlsx", False
    except SpreadsheetError as exc:
        raise ReadError(f"{name}: {exc}") from None
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    if text.startswith(b"<?xml") or text.startswith(b"<log"):
        return "xes", gzipped
    if gzipped:
        raise ReadError(f"{name}: a gzip file that holds no XES log")
    return "csv", False


@contextmanager
def open_table(
    path: Path,
    *,
    name: str = "",
    fmt: str = "auto",
    separator: str = "",
    encoding: str = "",
    sheet: str = "",
    header_row: int = 0,
) -> Iterator[Table]:
    """The file's header and a stream of its rows; ReadError when it cannot be read at all. `header_row`
    (1 = the first) is where the header is when the tool writes a title above it."""
    name = name or path.name
    found, gzipped = sniff_format(path, name)
    if fmt not in ("auto", found) and not (fmt == "csv" and found == "csv"):
        raise ReadError(f"{name}: the mapping expects {fmt.upper()} but the file is {found.upper()}")
    if found == "xlsx":
        with _open_xlsx(path, name, sheet, header_row) as table:
            yield table
    elif found == "xes":
        with _open_xes(path, name, gzipped) as table:
            yield table
    else:
        with _open_csv(path, name, separator, encoding, header_row) as table:
            yield table
