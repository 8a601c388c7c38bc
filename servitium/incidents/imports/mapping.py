"""Mapping files: how another tool's export becomes Servitium tickets, written as YAML.

A mapping names the columns (`columns: {field: column}`), how dates are written (`dates`), how values
translate (`values: {field: {source value: Servitium value}}`), fixed values (`defaults`), titles built
from several columns (`templates`), the columns whose changes form the history (`history`), and whether
the source priority is kept (`priority: keep`, the default) or worked out again from impact and urgency
(`priority: recompute`). An event log may come with a second file holding one row per ticket
(`tickets_file`), joined on the ticket's number. The shipped presets are in `presets/*.yaml`;
docs/user-guide/incident-import.md describes every key.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

PRESETS_DIR = Path(__file__).parent / "presets"

# Servitium fields a column may feed, and what each one means for a ticket (shown by `--help` and the docs).
FIELDS = (
    "ticket",  # the ticket's number in the source (required): groups events, found again on re-import
    "time",  # when the event happened (event logs)
    "event_id",  # the event's own identifier in the source, when it has one
    "activity",  # the event's name in the source
    "status",
    "assignment_group",
    "assignee",
    "priority",
    "impact",
    "urgency",
    "title",
    "description",
    "category",
    "channel",
    "kind",
    "customer",
    "service",  # looked up by name in the catalogue; never created by an import
    "caller",
    "comment",
    "opened_at",
    "resolved_at",
    "closed_at",
    "reopened_at",  # when the ticket was last reopened: one reopen when no count is given
    "resolution_code",
    "resolution_notes",
    "closure_code",
    "affected_ci_name",
    "reopen_count",
    "reassignment_count",
)
HISTORY_FIELDS = ("status", "assignment_group", "assignee", "priority", "comment")
STATUSES = (
    "new",
    "assigned",
    "in_progress",
    "pending_customer",
    "pending_supplier",
    "pending_change",
    "resolved",
    "closed",
)
CHANNELS = ("portal", "email", "phone", "monitoring", "walk_in", "api")
DONE = ("resolved", "closed")
# Formats tried after ISO 8601 (which also takes offsets and a "T"); day-first or month-first.
_DAY_FIRST = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
_MONTH_FIRST = ("%m/%d/%Y", "%m-%d-%Y")
# A template's placeholder: {column}, or {column|capitalize} for a first capital letter.
PLACEHOLDER = re.compile(r"\{([^{}|]+)(?:\|(capitalize))?\}")
TICKETS = "tickets"  # the part of a tickets file's rows (see Mapping.tickets_file)
_TIMES = (" %H:%M:%S", " %H:%M", " %H:%M:%S%z", " %H:%M%z", " %I:%M:%S %p", " %I:%M %p", "")


class MappingError(ValueError):
    """The mapping file itself is wrong: the message names the key."""


class ValueProblem(ValueError):
    """A value in a row cannot be read; `kind` groups the report's errors."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class Mapping:
    name: str
    description: str = ""
    shape: str = "events"  # events: one row per event; tickets: one row per ticket
    source: str = ""  # stored on each ticket: with the ticket number, how a re-import finds it
    format: str = "auto"  # auto, csv, xlsx, xes
    separator: str = ""  # CSV; empty: detected
    encoding: str = ""  # CSV; empty: detected
    sheet: str = ""
    header_row: int = (
        0  # the header's row when the tool writes a title above it (1 = the first); 0: the first
    )
    skip: tuple[str, ...] = ()  # rows whose ticket cell matches one of these patterns are not tickets
    time_zone: str = "UTC"
    day_first: bool = True
    date_formats: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    templates: dict[str, tuple[str, ...]] = field(default_factory=dict)  # alternatives, first that fits
    # Values that mean "empty" in this export ("?"), each with the text shown for it in a template's
    # line ("#MULTIVALUE": "several"; empty: the line is left out).
    missing: dict[str, str] = field(default_factory=dict)
    required: tuple[str, ...] = ()  # fields a row must fill; their columns must be in the header
    tickets_file: dict[str, Any] = field(default_factory=dict)  # {columns, required} of a tickets file
    create_customer: bool = False  # create `customer` when missing (without --create-missing)
    details: tuple[str, ...] = ()  # further columns copied into each history entry's text
    history: tuple[str, ...] = HISTORY_FIELDS
    priority: str = "keep"
    customer: str = ""  # organization of tickets without a customer column value
    reference_prefix: str = ""  # Servitium's own prefix for imported tickets; empty: INC
    text: str = ""  # the YAML it was read from (shown and edited in the browser)

    @property
    def zone(self) -> dt.tzinfo:
        return _zone(settings.TIME_ZONE if self.time_zone == "server" else self.time_zone)

    def column(self, name: str) -> str:
        return self.columns.get(name, "")

    def required_columns(self) -> list[str]:
        needed = ["ticket"] + (["time"] if self.shape == "events" else []) + list(self.required)
        return list(dict.fromkeys(self.columns[n] for n in needed if n in self.columns))

    def used_columns(self) -> set[str]:
        used = set(self.columns.values()) | set(self.details)
        for alternatives in self.templates.values():
            for template in alternatives:
                used.update(column for column, _modifier in PLACEHOLDER.findall(template))
        return used

    def tickets_mapping(self) -> Mapping | None:
        """How the tickets file is read (its own columns and required fields, everything else shared);
        None when the mapping has no tickets file."""
        if not self.tickets_file:
            return None
        return replace(
            self,
            shape="tickets",
            columns=self.tickets_file["columns"],
            required=self.tickets_file["required"],
            tickets_file={},
        )

    def translate(self, name: str, raw: str) -> Any:
        """A source value through the field's value map (case and spaces do not matter)."""
        table = self.values.get(name)
        if not table:
            return raw
        key = _key(raw)
        if key in table:
            return table[key]
        if "*" in table:  # any other value
            return table["*"]
        return _Unmapped(raw)


class _Unmapped(str):
    """A value the map does not know; the reader of the field decides whether that is an error."""


def _key(text: str) -> str:
    return " ".join(str(text).split()).casefold()


@cache
def _zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise MappingError(f"time_zone: unknown time zone {name!r}") from None


def is_unmapped(value: Any) -> bool:
    return isinstance(value, _Unmapped)


class TimeParser:
    """Reads the dates of one import: ISO 8601 first, then the mapping's formats, then the usual day-first
    (or month-first) ones; the format that worked last is tried first (exports write one format)."""

    def __init__(self, mapping: Mapping):
        self.zone = mapping.zone
        dates = _DAY_FIRST if mapping.day_first else _MONTH_FIRST
        self.formats = list(mapping.date_formats) + [d + t for d in dates for t in _TIMES]
        self.last = ""

    def __call__(self, text: str, column: str) -> dt.datetime:
        text = text.strip()
        value = None
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            for fmt in ([self.last] if self.last else []) + self.formats:
                try:
                    value = dt.datetime.strptime(text, fmt)
                except ValueError:
                    continue
                self.last = fmt
                break
        if value is None:
            raise ValueProblem(
                "unreadable date", f"{column}: {text!r} is not a date and time this mapping reads"
            )
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.zone)
        return value.astimezone(dt.UTC)


_KEYS = {
    "name",
    "description",
    "shape",
    "source",
    "format",
    "csv",
    "sheet",
    "header_row",
    "skip",
    "dates",
    "columns",
    "values",
    "defaults",
    "templates",
    "details",
    "missing",
    "history",
    "priority",
    "customer",
    "create_customer",
    "reference_prefix",
    "required",
    "tickets_file",
}


def _dict(data: dict, key: str) -> dict:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise MappingError(f"{key}: expected a mapping of names to values")
    return value


def _whole(value: Any, key: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MappingError(f"{key}: a row number (1 = the first row)")
    return value


def _check(mapping: Mapping) -> None:
    if mapping.shape not in ("events", "tickets"):
        raise MappingError("shape: must be 'events' or 'tickets'")
    if mapping.format not in ("auto", "csv", "xlsx", "xes"):
        raise MappingError("format: must be auto, csv, xlsx or xes")
    if mapping.priority not in ("keep", "recompute"):
        raise MappingError("priority: must be 'keep' (the source's) or 'recompute' (from impact and urgency)")
    unknown = sorted(set(mapping.columns) - set(FIELDS))
    if unknown:
        raise MappingError(f"columns: unknown field(s) {', '.join(unknown)}; known: {', '.join(FIELDS)}")
    if "ticket" not in mapping.columns:
        raise MappingError("columns: the 'ticket' column (the ticket's number in the source) is required")
    if mapping.shape == "events" and "time" not in mapping.columns:
        raise MappingError("columns: an event log needs a 'time' column")
    for where, fields in (
        ("required", mapping.required),
        ("tickets_file.required", mapping.tickets_file.get("required", ())),
    ):
        unknown = sorted(set(fields) - set(FIELDS))
        if unknown:
            raise MappingError(f"{where}: unknown field(s) {', '.join(unknown)}")
    if mapping.tickets_file:
        _check_tickets_file(mapping)
    bad_history = sorted(set(mapping.history) - set(HISTORY_FIELDS))
    if bad_history:
        raise MappingError(f"history: unknown field(s) {', '.join(bad_history)}")
    for status in mapping.values.get("status", {}).values():
        if status is not None and status not in STATUSES:
            raise MappingError(f"values.status: {status!r} is not one of {', '.join(STATUSES)}")
    for channel in mapping.values.get("channel", {}).values():
        if channel is not None and channel not in CHANNELS:
            raise MappingError(f"values.channel: {channel!r} is not one of {', '.join(CHANNELS)}")
    prefix = mapping.reference_prefix
    if prefix and (not prefix.isalpha() or not prefix.isascii() or not prefix.isupper() or len(prefix) > 8):
        raise MappingError("reference_prefix: one to eight capital letters (A-Z)")
    if mapping.create_customer and not mapping.customer:
        raise MappingError("create_customer: needs the customer's name in 'customer'")
    mapping.zone  # noqa: B018 - an unknown zone is refused here, before any row is read


def _check_tickets_file(mapping: Mapping) -> None:
    unknown = sorted(set(mapping.tickets_file) - {"columns", "required"})
    if unknown:
        raise MappingError(f"tickets_file: unknown key(s) {', '.join(unknown)}; known: columns, required")
    if mapping.shape != "events":
        raise MappingError("tickets_file: only an event log (shape: events) takes a tickets file")
    columns = mapping.tickets_file["columns"]
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise MappingError(f"tickets_file.columns: unknown field(s) {', '.join(unknown)}")
    if "ticket" not in columns:
        raise MappingError("tickets_file.columns: the 'ticket' column (joins the two files) is required")


def _templates(data: dict) -> dict[str, tuple[str, ...]]:
    templates = {}
    for name, value in _dict(data, "templates").items():
        alternatives = value if isinstance(value, list) else [value]
        if not alternatives or not all(isinstance(t, str) for t in alternatives):
            raise MappingError(f"templates.{name}: a text or a list of texts")
        templates[str(name)] = tuple(alternatives)
    return templates


def _missing(data: dict) -> dict[str, str]:
    value = data.get("missing") or {}
    if isinstance(value, dict):
        return {str(k): str(v or "") for k, v in value.items()}
    if isinstance(value, list):
        return dict.fromkeys((str(m) for m in value), "")
    raise MappingError("missing: a list of values, or values with the text a template shows for them")


def _tickets_file(data: dict) -> dict[str, Any]:
    section = _dict(data, "tickets_file")
    if not section:
        return {}
    return {
        **section,
        "columns": {str(k): str(v) for k, v in _dict(section, "columns").items() if v},
        "required": tuple(str(f) for f in section.get("required") or ()),
    }


def parse(text: str, *, name: str = "mapping") -> Mapping:
    """A Mapping from YAML text; MappingError names what is wrong."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(f"not readable YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise MappingError("expected YAML keys such as 'columns' and 'values'")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise MappingError(f"unknown key(s) {', '.join(unknown)}")
    csv_options, dates = _dict(data, "csv"), _dict(data, "dates")
    values = {k: dict(v or {}) for k, v in _dict(data, "values").items()}
    mapping = Mapping(
        name=str(data.get("name") or name),
        description=str(data.get("description") or ""),
        shape=str(data.get("shape") or "events"),
        source=str(data.get("source") or data.get("name") or name)[:32],
        format=str(data.get("format") or "auto"),
        separator=str(csv_options.get("separator") or ""),
        encoding=str(csv_options.get("encoding") or ""),
        sheet=str(data.get("sheet") or ""),
        header_row=_whole(data.get("header_row"), "header_row"),
        skip=tuple(str(p) for p in data.get("skip") or ()),
        time_zone=str(dates.get("time_zone") or "UTC"),
        day_first=bool(dates.get("day_first", True)),
        date_formats=tuple(str(f) for f in dates.get("formats") or ()),
        columns={str(k): str(v) for k, v in _dict(data, "columns").items() if v},
        values={k: {_key(str(src)): dst for src, dst in v.items()} for k, v in values.items()},
        defaults=_dict(data, "defaults"),
        templates=_templates(data),
        details=tuple(str(c) for c in data.get("details") or ()),
        missing=_missing(data),
        required=tuple(str(f) for f in data.get("required") or ()),
        tickets_file=_tickets_file(data),
        create_customer=bool(data.get("create_customer", False)),
        history=tuple(data.get("history") or HISTORY_FIELDS),
        priority=str(data.get("priority") or "keep"),
        customer=str(data.get("customer") or ""),
        reference_prefix=str(data.get("reference_prefix") or ""),
        text=text,
    )
    _check(mapping)
    return mapping


def presets() -> dict[str, str]:
    """Preset name -> its description, for choices and help texts."""
    found = {}
    for path in sorted(PRESETS_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found[path.stem] = str(data.get("description") or "")
    return found


def load(name_or_path: str) -> Mapping:
    """A shipped preset by name, or a mapping file by path."""
    path = PRESETS_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        path = Path(name_or_path)
        if not path.is_file():
            raise MappingError(f"no preset or mapping file {name_or_path!r}; presets: {', '.join(presets())}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: cannot read the mapping file ({exc})") from None
    return parse(text, name=path.stem)
