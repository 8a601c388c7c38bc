"""Import incident history from CSV or XLSX files: a registry of column mappings and one import function.

Mappings (``MAPPINGS``):

- ``bpic2014``: the incident data of the BPI Challenge 2014 (Rabobank Group ICT), published on
  4TU.ResearchData, DOI 10.4121/uuid:c3e5d162-0cfd-4bb0-bd82-af5268819c35. Two files, recognised by their
  header whatever their order on the command line: the case attributes (one row per incident) and the
  activity log (one row per event). The sample shipped for trials comes from the MIT-licensed R package
  eventdataR. Times are local time in Amsterdam.
- ``generic``: one CSV with one row per ticket (columns documented in ``GENERIC_COLUMNS`` and in
  docs/user-guide/incident-import.md).

An XLSX workbook (recognised by its content, not its name) is read from its first sheet or the one named,
through core.sheets: cells become the text a CSV file would hold (dates as ISO 8601), so every mapping
checks both formats alike; errors then name the sheet and its row.

How rows are written: the files are read and checked first; rows that cannot be read are reported with
their file and line and skipped. Then every incident is written in its own savepoint (a database error on
one row rolls back only that row), many rows to a transaction. An incident is found again by
(source, external_id), its events by (incident, external_id), so running an import twice changes nothing
the second time. Each created or changed incident gets a change-log entry; SLA clocks are not started for
history (the times measured then are the other tool's business).
"""

from __future__ import annotations

import csv
import datetime as dt
import zoneinfo
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from servitium.catalog.models import Service
from servitium.core import changelog, context, references
from servitium.core import services as core_services
from servitium.core.models import ChangeRecord
from servitium.core.nul import find_nul, nul_message
from servitium.core.sheets import SpreadsheetError, is_xlsx, open_sheet
from servitium.parties.models import Organization, Team

from . import services
from .models import Incident, IncidentEvent

BATCH = 250  # rows per transaction (each row still has its own savepoint)
CLEAN_EXCLUDE = ["reference", "customer", "service", "assignment_group"]  # looked up by the import itself


class ImportArgumentError(Exception):
    """The import cannot start: unknown mapping, unreadable or unrecognised file, unknown customer."""


class RowProblem(ValueError):
    """A row that cannot be imported; the message says why."""


class RowError(NamedTuple):
    file: str
    line: int
    message: str
    sheet: str = ""  # of an XLSX workbook; `line` is then the row's number in it

    def __str__(self) -> str:
        if self.sheet:
            return f"{self.file}, sheet {self.sheet}, row {self.line}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class ImportReport:
    mapping: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    events_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # path -> kind of file recognised
    sheets: dict[str, str] = field(default_factory=dict)  # path -> sheet read, for XLSX workbooks

    def error(self, file: Path | str, line: int, message: str) -> None:
        self.errors.append(RowError(str(file), line, message, self.sheets.get(str(file), "")))

    @property
    def incidents(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class SourceFile:
    path: Path
    kind: str
    rows: list[tuple[int, dict[str, str]]]  # (line number of the row's first line, values by column)


@dataclass
class EventRow:
    file: str
    line: int
    external_id: str
    occurred_at: dt.datetime
    activity: str
    group: str = ""
    detail: str = ""


@dataclass
class IncidentRow:
    """What one incident should look like. `values` are Incident field values (foreign keys as objects,
    `created` only when the source gives the opening time); None when the rows only add events to an
    incident imported earlier."""

    file: str
    line: int
    external_id: str
    values: dict[str, Any] | None
    events: list[EventRow] = field(default_factory=list)


@dataclass(frozen=True)
class Mapping:
    name: str
    description: str
    file_kinds: dict[str, frozenset[str]]  # kind of file -> the columns that identify it
    required_kinds: frozenset[str]
    plan: Callable[[dict[str, list[SourceFile]], Lookup, ImportReport], list[IncidentRow]]
    default_customer: str = ""  # organization used (created if missing) when --customer is not given
    time_zone: str = ""  # zone of times without an offset; empty: the server's TIME_ZONE

    def recognise(self, header: list[str]) -> str | None:
        columns = set(header)
        for kind, needed in self.file_kinds.items():
            if needed <= columns:
                return kind
        return None


class Lookup:
    """Everything the row planners look up, cached for the run: records by name, priorities, time zone."""

    def __init__(self, *, customer: Organization | None, tz: dt.tzinfo, existing: dict[str, Incident]):
        self.customer = customer
        self.tz = tz
        self.existing = existing
        self._names: dict[tuple[type, str], Any] = {}
        self._priorities: dict[tuple[int, int], int] = {}

    def by_name(self, model: type, name: str, what: str) -> Any:
        key = (model, name)
        if key not in self._names:
            self._names[key] = model.objects.filter(name=name).first()
        if self._names[key] is None:
            raise RowProblem(f"no {what} named {name!r}")
        return self._names[key]

    def priority(self, impact: int, urgency: int) -> int:
        if (impact, urgency) not in self._priorities:
            self._priorities[impact, urgency] = services.priority_for(impact, urgency)
        return self._priorities[impact, urgency]

    def time(self, row: dict[str, str], column: str, *, required: bool = False) -> dt.datetime | None:
        text = _value(row, column)
        if not text:
            if required:
                raise RowProblem(f"{column} is empty")
            return None
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise RowProblem(f"{column}: {text!r} is not a date and time (YYYY-MM-DD HH:MM:SS)") from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.tz)  # a time that does not exist or happens twice: fold=0
        # In UTC: local times in a DST gap or fold never compare equal to times in another zone (PEP 495).
        return value.astimezone(dt.UTC)


# --- reading ------------------------------------------------------------------------------------------

MISSING = {"", "#MULTIVALUE"}  # BPI writes #MULTIVALUE where the source held several values


def _value(row: dict[str, str], column: str) -> str:
    value = (row.get(column) or "").strip()
    return "" if value in MISSING else value


def read_csv(path: Path, report: ImportReport) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the rows of a CSV file (UTF-8, optional BOM). Rows of the wrong width are reported."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            if not any(header):
                raise ImportArgumentError(f"{path}: the file is empty")
            rows: list[tuple[int, dict[str, str]]] = []
            start = reader.line_num + 1
            for values in reader:
                line, start = start, reader.line_num + 1
                if not any(v.strip() for v in values):
                    continue
                if len(values) != len(header):
                    report.error(path, line, f"expected {len(header)} columns, found {len(values)}")
                    continue
                row = dict(zip(header, values, strict=True))
                bad = find_nul(row)
                if bad is not None:  # PostgreSQL would refuse the whole batch; SQLite would keep it
                    report.error(path, line, nul_message(bad))
                    continue
                rows.append((line, row))
    except OSError as exc:
        raise ImportArgumentError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ImportArgumentError(f"{path}: the file is not UTF-8 text") from None
    except csv.Error as exc:
        raise ImportArgumentError(f"{path}: not a readable CSV file ({exc})") from None
    return header, rows


def read_xlsx(
    path: Path, report: ImportReport, sheet: str | None = None
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the rows of a workbook's sheet (the named one, else the first), as read_csv gives
    them; a row with an error cell or a value outside the header is reported."""
    try:
        with open_sheet(path, sheet=sheet, name=str(path)) as opened:
            report.sheets[str(path)] = opened.name
            if not opened.header:
                raise ImportArgumentError(f"{path}: sheet {opened.name} is empty")
            rows: list[tuple[int, dict[str, str]]] = []
            for row in opened.rows():
                problem = row.problem or (nul_message(find_nul(row.values)) if find_nul(row.values) else "")
                if problem:
                    report.error(path, row.line, problem)
                    continue
                rows.append((row.line, row.values))
    except SpreadsheetError as exc:
        raise ImportArgumentError(f"{path}: {exc}") from None
    return opened.header, rows


def read_table(
    path: Path, report: ImportReport, sheet: str | None = None
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """A CSV file or an XLSX workbook, told apart by the first bytes (and an .xlsx name that lies)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
        xlsx = is_xlsx(head, str(path))
    except OSError as exc:
        raise ImportArgumentError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    except SpreadsheetError as exc:
        raise ImportArgumentError(f"{path}: {exc}") from None
    return read_xlsx(path, report, sheet) if xlsx else read_csv(path, report)


def _where(row: IncidentRow) -> str:
    return f"on line {row.line} of {Path(row.file).name}"


def _length_problem(model: type, **values: str) -> str:
    for name, value in values.items():
        limit = model._meta.get_field(name).max_length
        if limit and len(value) > limit:
            return f"{name} is longer than {limit} characters"
    return ""


# --- bpic2014 -----------------------------------------------------------------------------------------

BPI_LEVELS = {1: 1, 2: 1, 3: 2, 4: 3, 5: 3}  # BPI impact/urgency 1..5 -> Servitium 1..3
BPI_STATUS = {
    "closed": Incident.Status.CLOSED,
    "resolved": Incident.Status.RESOLVED,
    "open": Incident.Status.NEW,
    "work in progress": Incident.Status.IN_PROGRESS,
}
BPI_CUSTOMER = "Rabobank Group ICT"
BPI_ZONE = "Europe/Amsterdam"
BPI_DETAILS = (  # case attributes kept in the description: (column, label)
    ("ci_type_aff", "Affected CI type"),
    ("ci_subtype_aff", "Affected CI subtype"),
    ("service_component_wbs_aff", "Affected service component"),
    ("ci_name_cby", "Caused by CI"),
    ("ci_type_cby", "Caused by CI type"),
    ("ci_subtype_cby", "Caused by CI subtype"),
    ("servicecomp_wbs_cby", "Caused by service component"),
    ("impact", "Original impact (1-5)"),
    ("urgency", "Original urgency (1-5)"),
    ("priority", "Original priority (1-5)"),
    ("km_number", "Knowledge article"),
    ("x_reassignments", "Reassignments"),
    ("reopen_time", "Reopened at"),
    ("handle_time_hours", "Handle time (hours)"),
    ("related_interaction", "Related interaction"),
    ("x_related_interactions", "Related interactions"),
    ("x_related_incidents", "Related incidents"),
    ("related_change", "Related change"),
    ("x_related_changes", "Related changes"),
)


def _bpi_level(row: dict[str, str], column: str) -> int:
    text = _value(row, column)
    if not text:
        return 3  # not recorded: the model's default (low)
    try:
        return BPI_LEVELS[int(text)]
    except (ValueError, KeyError):
        raise RowProblem(f"{column}: {text!r} is not a level from 1 to 5") from None


def _bpi_description(row: dict[str, str]) -> str:
    lines = [
        f"Imported from the BPI Challenge 2014 data (Rabobank Group ICT), incident {row['incident_id']}."
    ]
    for column, label in BPI_DETAILS:
        raw = (row.get(column) or "").strip()
        if raw:
            lines.append(f"{label}: {'several' if raw == '#MULTIVALUE' else raw}")
    return "\n".join(lines)


def _bpi_incident(row: dict[str, str], lookup: Lookup) -> dict[str, Any]:
    status_text = _value(row, "status")
    status = BPI_STATUS.get(status_text.lower())
    if status is None:
        raise RowProblem(f"status: {status_text!r} is not one of {', '.join(sorted(BPI_STATUS))}")
    impact, urgency = _bpi_level(row, "impact"), _bpi_level(row, "urgency")
    category, ci = _value(row, "category"), _value(row, "ci_name_aff")
    noun = (category or "incident")[:1].upper() + (category or "incident")[1:]
    return {
        "kind": Incident.Kind.REQUEST if category == "request for information" else Incident.Kind.INCIDENT,
        "title": f"{noun} on {ci}" if ci else noun,
        "description": _bpi_description(row),
        "customer": lookup.customer,
        "category": category,
        "impact": impact,
        "urgency": urgency,
        "priority": lookup.priority(impact, urgency),
        "status": status,
        "affected_ci_name": ci,
        "closure_code": _value(row, "closure_code"),
        "created": lookup.time(row, "open_time", required=True),
        "resolved_at": lookup.time(row, "resolved_time"),
        "closed_at": lookup.time(row, "close_time"),
        "reopen_count": 1 if lookup.time(row, "reopen_time") else 0,
    }


def _bpi_event(source: SourceFile, line: int, row: dict[str, str], external_id: str, lookup: Lookup):
    activity, group = _value(row, "incident_activity_type"), _value(row, "assignment_group")
    if not activity:
        raise RowProblem("incident_activity_type is empty")
    details = [
        f"{label}: {_value(row, column)}"
        for column, label in (("km_number", "knowledge article"), ("interaction_id", "interaction"))
        if _value(row, column)
    ]
    problem = _length_problem(IncidentEvent, activity=activity, group=group, external_id=external_id)
    if problem:
        raise RowProblem(problem)
    return EventRow(
        file=str(source.path),
        line=line,
        external_id=external_id,
        occurred_at=lookup.time(row, "data_stamp", required=True),
        activity=activity,
        group=group,
        detail="; ".join(details),
    )


def plan_bpic2014(
    files: dict[str, list[SourceFile]], lookup: Lookup, report: ImportReport
) -> list[IncidentRow]:
    planned: dict[str, IncidentRow] = {}
    failed: set[str] = set()
    for source in files.get("cases", []):
        for line, row in source.rows:
            external_id = _value(row, "incident_id")
            try:
                if not external_id:
                    raise RowProblem("incident_id is empty")
                if external_id in planned:
                    raise RowProblem(
                        f"incident {external_id} was already given {_where(planned[external_id])}"
                    )
                values = _bpi_incident(row, lookup)
            except RowProblem as exc:
                report.error(source.path, line, str(exc))
                failed.add(external_id)
                continue
            planned[external_id] = IncidentRow(str(source.path), line, external_id, values)
    # Activity numbers should be unique per incident; a repeat gets '#2', '#3', ... in order of the file.
    seen: Counter[tuple[str, str]] = Counter()
    for source in files.get("events", []):
        for line, row in source.rows:
            incident_id, number = _value(row, "incident_id"), _value(row, "incident_activity_number")
            seen[incident_id, number] += 1
            if incident_id in failed:
                continue  # the incident's own row is reported already
            try:
                if not incident_id or not number:
                    raise RowProblem("incident_id or incident_activity_number is empty")
                target = planned.get(incident_id)
                if target is None:
                    if incident_id not in lookup.existing:
                        raise RowProblem(
                            f"incident {incident_id} is not in the case file nor imported before"
                        )
                    target = planned[incident_id] = IncidentRow(str(source.path), line, incident_id, None)
                count = seen[incident_id, number]
                external_id = number if count == 1 else f"{number}#{count}"
                target.events.append(_bpi_event(source, line, row, external_id, lookup))
            except RowProblem as exc:
                report.error(source.path, line, str(exc))
    return list(planned.values())


# --- generic ------------------------------------------------------------------------------------------

GENERIC_COLUMNS = {
    "external_id": "the ticket's identifier in the other tool (required; how re-imports find the ticket)",
    "title": "short description (required)",
    "description": "long description",
    "customer": "name of the customer organization (default: --customer)",
    "service": "name of the service in the catalogue",
    "category": "free text",
    "impact": "1 (high), 2 (medium) or 3 (low); default 3",
    "urgency": "1 (high), 2 (medium) or 3 (low); default 3",
    "status": "new, assigned, in_progress, pending_customer, pending_supplier, pending_change, resolved or "
    "closed; default closed if closed_at is given, else resolved if resolved_at is, else new (assigned "
    "with a group)",
    "opened_at": "when the ticket was raised (ISO 8601)",
    "resolved_at": "when it was resolved",
    "closed_at": "when it was closed",
    "assignment_group": "name of the team",
    "resolution_code": "free text, up to 40 characters",
    "closure_code": "free text, up to 40 characters",
}
STATUS_NAMES = {s.value: s.value for s in Incident.Status}  # 'in progress' and 'in-progress' work too


def _generic_level(row: dict[str, str], column: str) -> int:
    text = _value(row, column)
    if not text:
        return 3
    if text not in ("1", "2", "3"):
        raise RowProblem(f"{column}: {text!r} is not 1, 2 or 3")
    return int(text)


def _generic_incident(row: dict[str, str], lookup: Lookup) -> dict[str, Any]:
    title = _value(row, "title")
    if not title:
        raise RowProblem("title is empty")
    customer_name = _value(row, "customer")
    if customer_name:
        customer = lookup.by_name(Organization, customer_name, "organization")
    elif lookup.customer is not None:
        customer = lookup.customer
    else:
        raise RowProblem("customer is empty and no --customer was given")
    service_name, group_name = _value(row, "service"), _value(row, "assignment_group")
    service = lookup.by_name(Service, service_name, "service") if service_name else None
    group = lookup.by_name(Team, group_name, "team") if group_name else None
    impact, urgency = _generic_level(row, "impact"), _generic_level(row, "urgency")
    opened, resolved, closed = (lookup.time(row, c) for c in ("opened_at", "resolved_at", "closed_at"))
    status_text = _value(row, "status").lower().replace(" ", "_").replace("-", "_")
    if status_text:
        status = STATUS_NAMES.get(status_text)
        if status is None:
            raise RowProblem(f"status: {_value(row, 'status')!r} is not one of {', '.join(Incident.Status)}")
    elif closed:
        status = Incident.Status.CLOSED
    elif resolved:
        status = Incident.Status.RESOLVED
    else:
        status = Incident.Status.ASSIGNED if group else Incident.Status.NEW
    values = {
        "title": title,
        "description": _value(row, "description"),
        "customer": customer,
        "service": service,
        "category": _value(row, "category"),
        "impact": impact,
        "urgency": urgency,
        "priority": lookup.priority(impact, urgency),
        "status": status,
        "assignment_group": group,
        "resolution_code": _value(row, "resolution_code"),
        "closure_code": _value(row, "closure_code"),
        "resolved_at": resolved,
        "closed_at": closed,
    }
    if opened:
        values["created"] = opened
    return values


def plan_generic(
    files: dict[str, list[SourceFile]], lookup: Lookup, report: ImportReport
) -> list[IncidentRow]:
    planned: dict[str, IncidentRow] = {}
    for source in files.get("tickets", []):
        for line, row in source.rows:
            external_id = _value(row, "external_id")
            try:
                if not external_id:
                    raise RowProblem("external_id is empty")
                if external_id in planned:
                    raise RowProblem(
                        f"external_id {external_id} was already given {_where(planned[external_id])}"
                    )
                planned[external_id] = IncidentRow(
                    str(source.path), line, external_id, _generic_incident(row, lookup)
                )
            except RowProblem as exc:
                report.error(source.path, line, str(exc))
    return list(planned.values())


MAPPINGS: dict[str, Mapping] = {
    "bpic2014": Mapping(
        name="bpic2014",
        description="BPI Challenge 2014 (Rabobank Group ICT): case attributes and activity log",
        file_kinds={
            "cases": frozenset({"incident_id", "ci_name_aff", "open_time", "close_time", "status"}),
            "events": frozenset(
                {"incident_id", "data_stamp", "incident_activity_number", "incident_activity_type"}
            ),
        },
        required_kinds=frozenset(),
        plan=plan_bpic2014,
        default_customer=BPI_CUSTOMER,
        time_zone=BPI_ZONE,
    ),
    "generic": Mapping(
        name="generic",
        description="one CSV file or sheet, one ticket per row: " + ", ".join(GENERIC_COLUMNS),
        file_kinds={"tickets": frozenset({"external_id", "title"})},
        required_kinds=frozenset({"tickets"}),
        plan=plan_generic,
    ),
}


# --- writing ------------------------------------------------------------------------------------------


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in exc.message_dict.items())
        return "; ".join(exc.messages)
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _differs(incident: Incident, values: dict[str, Any]) -> bool:
    for name, value in values.items():
        model_field = Incident._meta.get_field(name)
        new = value.pk if model_field.is_relation and value is not None else value
        if getattr(incident, model_field.attname) != new:
            return True
    return False


class _Writer:
    """Writes planned rows batch by batch: `begin` before a batch, `write` per row, `end` after it."""

    def __init__(self, mapping: Mapping, lookup: Lookup, report: ImportReport):
        self.mapping, self.lookup, self.report = mapping, lookup, report
        self.references: deque[str] = deque()
        self.backdate: list[Incident] = []
        self.events: set[tuple[int, str]] = set(
            IncidentEvent.objects.filter(incident__source=mapping.name).values_list(
                "incident_id", "external_id"
            )
        )

    def begin(self, batch: list[IncidentRow]) -> None:
        new = sum(1 for r in batch if r.values is not None and r.external_id not in self.lookup.existing)
        self.references = deque(
            references.format_reference(Incident.reference_prefix, n)
            for n in references.next_numbers(Incident.reference_prefix, new)
        )
        self.backdate = []

    def end(self) -> None:
        """Set the creation times of the batch's new incidents to when they were opened, in one statement
        (the field is `auto_now_add`; the change log leaves it out, so the entries need no change)."""
        Incident.objects.bulk_update(self.backdate, ["created"], batch_size=BATCH)

    def _create(self, row: IncidentRow, values: dict[str, Any]) -> Incident:
        created = values.pop("created", None)
        incident = Incident(**values, source=self.mapping.name, external_id=row.external_id)
        incident.full_clean(exclude=CLEAN_EXCLUDE, validate_unique=False, validate_constraints=False)
        prefix = Incident.reference_prefix
        incident.reference = (
            self.references.popleft() if self.references else references.next_reference(prefix)
        )
        incident.save(force_insert=True)
        if created:
            incident.created = created  # written by `end`, once the row's savepoint is released
        changelog.record(
            incident,
            action=ChangeRecord.Action.CREATE,
            message=f"imported ({self.mapping.name} {row.external_id})",
        )
        return incident

    def _update(self, row: IncidentRow, incident: Incident, values: dict[str, Any]) -> None:
        before = changelog.snapshot(incident)
        created = values.pop("created", None)
        for name, value in values.items():
            setattr(incident, name, value)
        incident.full_clean(exclude=CLEAN_EXCLUDE, validate_unique=False, validate_constraints=False)
        incident.save()
        message = f"re-imported ({self.mapping.name} {row.external_id})"
        if created and created != incident.created:
            Incident.objects.filter(pk=incident.pk).update(created=created)
            message += f"; opened at {created.astimezone(dt.UTC).isoformat()}"
            incident.created = created
        changelog.record(incident, action=ChangeRecord.Action.UPDATE, before=before, message=message)

    def write(self, row: IncidentRow) -> None:
        """One incident and its new events, in one savepoint; caches change only once it is committed."""
        existing = self.lookup.existing.get(row.external_id)
        outcome = None
        with transaction.atomic():
            incident = existing
            if row.values is not None:
                values = dict(row.values)
                if existing is None:
                    incident, outcome = self._create(row, values), "created"
                elif _differs(existing, values):
                    # work on a copy: the cached instance must stay as stored if the savepoint rolls back
                    incident = Incident.objects.get(pk=existing.pk)
                    self._update(row, incident, values)
                    outcome = "updated"
                else:
                    outcome = "unchanged"
            if incident is None:  # the planners attach events only to known incidents
                raise RowProblem(f"incident {row.external_id} is unknown")
            new_events = [
                IncidentEvent(
                    incident=incident,
                    occurred_at=event.occurred_at,
                    activity=event.activity,
                    group=event.group,
                    detail=event.detail,
                    external_id=event.external_id,
                )
                for event in row.events
                if (incident.pk, event.external_id) not in self.events
            ]
            new_events = IncidentEvent.objects.bulk_create(new_events)
            changelog.record_many(new_events, message=f"imported ({self.mapping.name} {row.external_id})")
        self.lookup.existing[row.external_id] = incident
        if outcome == "created" and row.values and row.values.get("created"):
            self.backdate.append(incident)
        self.events.update((incident.pk, e.external_id) for e in new_events)
        if outcome:
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)
        self.report.events_created += len(new_events)


# --- entry point --------------------------------------------------------------------------------------


def _customer(mapping: Mapping, name: str | None) -> Organization | None:
    name = (name or "").strip()
    if not name and not mapping.default_customer:
        return None
    org = Organization.objects.filter(name=name or mapping.default_customer).first()
    if org is None and name:
        raise ImportArgumentError(f"There is no organization named {name!r}.")
    if org is None:
        org = core_services.record_create(
            model=Organization,
            data={
                "name": mapping.default_customer,
                "kind": Organization.Kind.CUSTOMER,
                "description": f"Customer of the tickets imported with the {mapping.name} mapping.",
            },
            actor=None,
        )
    if org.kind not in (Organization.Kind.CUSTOMER, Organization.Kind.INTERNAL):
        raise ImportArgumentError(
            f"{org.name} is a {org.get_kind_display()}; "
            "incidents are raised for customers or internal groups."
        )
    return org


def _read(
    mapping: Mapping, paths: list[Path], report: ImportReport, sheet: str | None = None
) -> dict[str, list[SourceFile]]:
    files: dict[str, list[SourceFile]] = {}
    if not paths:
        raise ImportArgumentError("Name at least one CSV file.")
    for path in map(Path, paths):
        header, rows = read_table(path, report, sheet)
        kind = mapping.recognise(header)
        if kind is None:
            expected = "; ".join(f"{k}: {', '.join(sorted(c))}" for k, c in mapping.file_kinds.items())
            raise ImportArgumentError(
                f"{path}: the header does not fit the {mapping.name} mapping (expected columns {expected})"
            )
        files.setdefault(kind, []).append(SourceFile(path, kind, rows))
        report.files[str(path)] = kind
    missing = mapping.required_kinds - set(files)
    if missing:
        raise ImportArgumentError(
            f"The {mapping.name} mapping needs a file of kind {', '.join(sorted(missing))}."
        )
    return files


def _zone(mapping: Mapping, time_zone: str | None) -> dt.tzinfo:
    name = time_zone or mapping.time_zone or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImportArgumentError(f"Unknown time zone {name!r}.") from None


def _batches(rows: list[IncidentRow], size: int) -> Iterator[list[IncidentRow]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def import_incidents(
    mapping: str,
    paths: list[Path],
    *,
    customer: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    time_zone: str | None = None,
    sheet: str | None = None,
) -> ImportReport:
    """Import the files with the named mapping; returns the counts and the rows that could not be imported.

    `customer` names the organization the tickets belong to (bpic2014: default "Rabobank Group ICT",
    created when missing; generic: the default for rows without a customer). `progress(done, total)` is
    called as incidents are written. `time_zone` overrides the zone of times given without an offset.
    `sheet` names the sheet read from XLSX workbooks (default: each one's first).
    Raises ImportArgumentError when the import cannot start at all.
    """
    if mapping not in MAPPINGS:
        raise ImportArgumentError(f"Unknown mapping {mapping!r}; known: {', '.join(sorted(MAPPINGS))}.")
    spec = MAPPINGS[mapping]
    report = ImportReport(mapping=mapping)
    tz = _zone(spec, time_zone)
    files = _read(spec, list(paths), report, sheet)
    channel = "import" if "import" in context.CONTEXTS else "shell"
    with context.change_context(context=channel):
        with transaction.atomic():
            org = _customer(spec, customer)
        existing = {
            i.external_id: i for i in Incident.objects.filter(source=spec.name).exclude(external_id="")
        }
        lookup = Lookup(customer=org, tz=tz, existing=existing)
        rows = spec.plan(files, lookup, report)
        writer = _Writer(spec, lookup, report)
        done = 0
        if progress:
            progress(0, len(rows))
        for batch in _batches(rows, BATCH):
            with transaction.atomic():
                writer.begin(batch)
                for row in batch:
                    try:
                        writer.write(row)
                    except (ValidationError, DatabaseError, ValueError) as exc:
                        report.error(row.file, row.line, _message(exc))
                writer.end()
            done += len(batch)
            if progress:
                progress(done, len(rows))
    report.errors.sort(key=lambda e: (e.file, e.line))
    return report
