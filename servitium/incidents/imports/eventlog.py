"""From rows to tickets: rows (one per event, or one per ticket) grouped by the ticket's number in the
source, each ticket with its history worked out from the file alone.

Grouping a file of any size in bounded memory: the rows are first spooled to a temporary SQLite file
(only the mapped columns), then read back one ticket at a time, in the order each ticket first appears.

What a history counts (the same definitions the docs give, so a person can check them with a
spreadsheet): events are taken in time order (rows with the same time in file order);
- a status change is an event whose status value differs from the last status value before it (the
  first status is the opening one, not a change); statuses the mapping maps to nothing are not statuses;
- a reassignment is an event whose assignment group differs from the last group before it (the first
  group is the assignment, not a re-assignment);
- a reopen is an event moving from a resolved or closed status to any other;
- resolved and closed times are those of the last move into that status, kept only when the ticket
  ends resolved (resolved time) or closed (both);
- the opened time is the `opened_at` column when mapped, else the first event's time.

With a tickets file beside the event log (`tickets_file` in the mapping), a ticket's fields come from its
row in the tickets file alone, and its history from the event log alone; a ticket the event log names but
the tickets file does not gets only its new events (it must have been imported before).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from .mapping import DONE, PLACEHOLDER, STATUSES, TICKETS, Mapping, TimeParser, ValueProblem, is_unmapped
from .reader import Row

TEXT_LIMITS = {
    "title": 250,
    "category": 100,
    "resolution_code": 40,
    "closure_code": 40,
    "affected_ci_name": 200,
}
NAME_FIELDS = ("customer", "assignment_group", "assignee", "caller", "service")
TICKET_FIELDS = (
    "title",
    "description",
    "category",
    "resolution_code",
    "resolution_notes",
    "closure_code",
    "affected_ci_name",
)


@dataclass
class EventPlan:
    external_id: str
    occurred_at: dt.datetime
    activity: str
    group: str = ""
    detail: str = ""


@dataclass
class Problem:
    kind: str
    line: int
    message: str


@dataclass
class TicketPlan:
    """One ticket as it will be written: field values (names for the linked records), its history and
    the counts the history gives."""

    external_id: str
    line: int  # of its first row
    values: dict[str, Any] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # customer, assignment_group, assignee, caller
    events: list[EventPlan] = field(default_factory=list)
    status_changes: int = 0
    problems: list[Problem] = field(default_factory=list)  # rows left out; the ticket is still written
    history_only: bool = False  # events for a ticket imported before, without its tickets-file row


class At(int):
    """A row's line number that also knows its file and part (tickets file or event log), so that errors
    of an import from several files name the right one."""

    file: str = ""
    part: str = ""

    def __new__(cls, line: int, file: str = "", part: str = "") -> At:
        at = super().__new__(cls, line)
        at.file, at.part = file, part
        return at


class Spool:
    """Rows kept on disk, grouped by ticket when read back."""

    def __init__(self, folder: str | None = None):
        self._dir = tempfile.TemporaryDirectory(prefix="servitium-import-", dir=folder)
        self.db = sqlite3.connect(Path(self._dir.name) / "rows.sqlite3")
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute(
            "CREATE TABLE rows (seq INTEGER PRIMARY KEY, ticket TEXT, line INTEGER, data TEXT, file TEXT, "
            "part TEXT)"
        )
        self.count = 0

    def add(self, batch: list[tuple[str, int, str, str, str]]) -> None:
        self.db.executemany("INSERT INTO rows (ticket, line, data, file, part) VALUES (?, ?, ?, ?, ?)", batch)
        self.count += len(batch)

    def tickets(self) -> Iterator[tuple[str, list[tuple[int, dict[str, str]]]]]:
        """(ticket, [(line, values), ...]) in the order tickets first appear; each line is an `At`."""
        self.db.execute("CREATE INDEX rows_ticket ON rows (ticket, seq)")
        self.db.execute("CREATE TABLE firsts AS SELECT ticket, MIN(seq) AS first FROM rows GROUP BY ticket")
        cursor = self.db.execute(
            "SELECT r.ticket, r.line, r.data, r.file, r.part FROM firsts f "
            "JOIN rows r ON r.ticket = f.ticket ORDER BY f.first, r.seq"
        )
        current, rows = None, []
        for ticket, line, data, file, part in cursor:
            if ticket != current and rows:
                yield current, rows
                rows = []
            current = ticket
            rows.append((At(line, file, part), json.loads(data)))
        if rows:
            yield current, rows

    def close(self) -> None:
        self.db.close()
        self._dir.cleanup()


# A number written with thousands separators (GLPI writes ticket 1234 as "1 234" with a no-break space).
_GROUPED_NUMBER = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+")


def ticket_number(text: str) -> str:
    """The ticket's number as the source tool itself shows it: spaces taken out of a grouped number."""
    text = text.strip()
    if _GROUPED_NUMBER.fullmatch(text):
        return re.sub(r"[ \u00a0\u202f]", "", text)
    return text


def spool_rows(
    mapping: Mapping,
    rows: Iterable[Row],
    spool: Spool,
    on_problem: Callable[[Problem], None],
    *,
    limit: int = 0,
    file: str = "",
    part: str = "",
) -> None:
    """Keep each usable row's mapped columns; rows without a ticket number are reported, rows the
    mapping's `skip` patterns match (a footer the tool writes under the table) left out. `limit` stops
    after that many rows (the preview). `file` and `part` (TICKETS for a tickets file) go with each row."""
    ticket_column = mapping.column("ticket")
    wanted = sorted(mapping.used_columns())
    missing = {marker for marker, shown in mapping.missing.items() if not shown}  # the others are shown
    batch: list[tuple[str, int, str, str, str]] = []
    for row in rows:
        if row.problem:
            on_problem(Problem(row.kind or "unreadable row", row.line, row.problem))
            continue
        ticket = ticket_number(row.values.get(ticket_column) or "")
        if ticket and any(fnmatchcase(ticket, pattern) for pattern in mapping.skip):
            continue
        if not ticket:
            on_problem(Problem("no ticket number", row.line, f"{ticket_column} is empty"))
            continue
        if len(ticket) > 64:
            on_problem(Problem("ticket number too long", row.line, f"{ticket_column} is over 64 characters"))
            continue
        data = {c: v for c in wanted if (v := row.values.get(c)) and v.strip() not in missing}
        batch.append((ticket, row.line, json.dumps(data, ensure_ascii=False), file, part))
        if len(batch) >= 5000:
            spool.add(batch)
            batch = []
        if limit and spool.count + len(batch) >= limit:
            break
    spool.add(batch)


# --- one ticket -----------------------------------------------------------------------------------


class Planner:
    """Builds TicketPlans for one mapping; caches what it parses across tickets."""

    def __init__(self, mapping: Mapping):
        self.mapping = mapping
        self.time = TimeParser(mapping)
        tickets = mapping.tickets_mapping()
        self.tickets = Planner(tickets) if tickets else None

    def cell(self, values: dict[str, str], column: str) -> str:
        """A column's value; a value the mapping lists as `missing` is empty."""
        text = (values.get(column) or "").strip()
        return "" if text in self.mapping.missing else text

    def render(self, alternatives: tuple[str, ...], values: dict[str, str]) -> str:
        """The first template whose placeholders all have a value (else the last); within it a line
        whose placeholders are all empty is left out, and a `missing` marker shows its text."""
        for n, template in enumerate(alternatives):
            lines, complete = [], True
            for line in template.splitlines():
                found = PLACEHOLDER.findall(line)
                if found and not any(self.cell(values, c) or self._shown(values, c) for c, _m in found):
                    complete = False
                    continue
                complete = complete and all(self.cell(values, c) for c, _m in found)
                lines.append(PLACEHOLDER.sub(lambda m: self._filled(values, m[1], m[2]), line))
            if complete or n == len(alternatives) - 1:
                return "\n".join(lines).strip()
        return ""

    def _shown(self, values: dict[str, str], column: str) -> str:
        return self.mapping.missing.get((values.get(column) or "").strip(), "")

    def _filled(self, values: dict[str, str], column: str, modifier: str) -> str:
        text = self.cell(values, column) or self._shown(values, column)
        return text[:1].upper() + text[1:] if modifier == "capitalize" else text

    def text(self, values: dict[str, str], name: str) -> str:
        template = self.mapping.templates.get(name)
        if template:
            return self.render(template, values)
        column = self.mapping.column(name)
        return self.cell(values, column) if column else ""

    def _required(self, values: dict[str, str]) -> None:
        for name in self.mapping.required:
            if not self.text(values, name):
                column = self.mapping.column(name) or name
                raise ValueProblem("required value empty", f"{column} is empty")

    def status(self, raw: str) -> str | None:
        """The Servitium status of a source status value; None when the mapping maps it to nothing."""
        value = self.mapping.translate("status", raw)
        if is_unmapped(value) or value is raw:
            guess = raw.strip().lower().replace(" ", "_").replace("-", "_")
            if guess in STATUSES:
                return guess
            raise ValueProblem("unknown status", f"status {raw!r} is not in the mapping's values.status")
        return value

    def level(self, name: str, raw: str, top: int) -> int:
        value = self.mapping.translate(name, raw)
        text = str(value).strip()
        if text.isdigit() and 1 <= int(text) <= top:
            return int(text)
        raise ValueProblem(
            f"unknown {name}", f"{name} {raw!r} is not 1 to {top} nor in the mapping's values.{name}"
        )

    def choice(self, name: str, raw: str, allowed: tuple[str, ...]) -> str:
        value = self.mapping.translate(name, raw)
        guess = str(value).strip().lower().replace(" ", "_").replace("-", "_")
        if guess in allowed:
            return guess
        raise ValueProblem(f"unknown {name}", f"{name} {raw!r} is not in the mapping's values.{name}")

    def plan(self, ticket: str, rows: list[tuple[int, dict[str, str]]]) -> TicketPlan:
        if self.tickets is not None:
            return self._joined(ticket, rows)
        plan = TicketPlan(ticket, rows[0][0])
        if self.mapping.shape == "tickets":
            if len(rows) > 1:
                for line, _values in rows[1:]:
                    plan.problems.append(
                        Problem("ticket given twice", line, f"ticket {ticket} was given on line {rows[0][0]}")
                    )
            self._ticket_row(plan, *rows[0])
        else:
            self._events(plan, rows)
        return plan

    def _joined(self, ticket: str, rows: list[tuple[int, dict[str, str]]]) -> TicketPlan:
        """A ticket's tickets-file row for its fields, its event-log rows for its history."""
        own = [row for row in rows if getattr(row[0], "part", "") == TICKETS]
        logged = [row for row in rows if getattr(row[0], "part", "") != TICKETS]
        if own:
            plan = self.tickets.plan(ticket, own)
            plan.events = []  # the event log is the history; the tickets file adds no entries to it
        else:
            plan = TicketPlan(ticket, logged[0][0], history_only=True)
        if logged:
            history = TicketPlan(ticket, logged[0][0])
            self._events(history, logged)
            plan.events, plan.problems = history.events, plan.problems + history.problems
        return plan

    def _time(self, values: dict[str, str], name: str) -> dt.datetime | None:
        column = self.mapping.column(name)
        text = self.cell(values, column) if column else ""
        return self.time(text, column) if text else None

    def _fields(self, plan: TicketPlan, values: dict[str, str]) -> None:
        """Ticket-level fields: the last non-empty value wins (the latest state in an event log)."""
        for name in TICKET_FIELDS:
            text = self.text(values, name)
            if text:
                limit = TEXT_LIMITS.get(name)
                plan.values[name] = text[: limit - 1] + "…" if limit and len(text) > limit else text
        for name in NAME_FIELDS:
            text = self.text(values, name)
            if text:
                plan.names[name] = text[:200]
        for name, top in (("impact", 3), ("urgency", 3), ("priority", 5)):
            raw = self.text(values, name)
            if raw:
                plan.values[name] = self.level(name, raw, top)
        channel = self.text(values, "channel")
        if channel:
            plan.values["channel"] = self.choice("channel", channel, CHANNELS_ALLOWED)
        kind = self.text(values, "kind")
        if kind:
            plan.values["kind"] = self.choice("kind", kind, ("incident", "request"))

    def _finish(self, plan: TicketPlan) -> None:
        values = plan.values
        for name, value in self.mapping.defaults.items():
            if name in NAME_FIELDS:
                plan.names.setdefault(name, str(value))
            else:
                values.setdefault(name, value)
        values.setdefault("title", f"{self.mapping.name} {plan.external_id}")
        if "status" not in values:
            values["status"] = (
                "closed"
                if values.get("closed_at")
                else "resolved"
                if values.get("resolved_at")
                else "assigned"
                if plan.names.get("assignment_group")
                else "new"
            )
        if values["status"] not in DONE:
            values["resolved_at"] = values["closed_at"] = None
        elif values["status"] == "resolved":
            values["closed_at"] = None

    def _ticket_row(self, plan: TicketPlan, line: int, values: dict[str, str]) -> None:
        try:
            self._required(values)
            self._fields(plan, values)
            status = self.text(values, "status")
            if status:
                plan.values["status"] = self.status(status) or "new"
            for name in ("opened_at", "resolved_at", "closed_at"):
                plan.values[name] = self._time(values, name)
            for name in ("reopen_count", "reassignment_count"):
                raw = self.text(values, name)
                if raw:
                    if not raw.isdigit():
                        raise ValueProblem("not a number", f"{name} {raw!r} is not a whole number")
                    plan.values[name] = int(raw)
            if self._time(values, "reopened_at") and "reopen_count" not in plan.values:
                plan.values["reopen_count"] = 1  # reopened at least once; the export gives no count
        except ValueProblem as exc:
            plan.problems.append(Problem(exc.kind, line, str(exc)))
            plan.values = {}  # a one-row ticket with a bad value is not imported
            return
        self._finish(plan)
        for name, label in (("opened_at", "Opened"), ("resolved_at", "Resolved"), ("closed_at", "Closed")):
            if plan.values.get(name):
                plan.events.append(EventPlan(name.split("_")[0], plan.values[name], label))
        comment = self.text(values, "comment")
        if comment and plan.values.get("opened_at"):
            plan.events.append(EventPlan("comment", plan.values["opened_at"], "Comment", detail=comment))

    def _events(self, plan: TicketPlan, rows: list[tuple[int, dict[str, str]]]) -> None:
        timed = []
        for seq, (line, values) in enumerate(rows):
            try:
                self._required(values)
                timed.append((self._time(values, "time"), seq, line, values))
            except ValueProblem as exc:
                plan.problems.append(Problem(exc.kind, line, str(exc)))
        timed = [t for t in timed if t[0] is not None]
        timed.sort(key=lambda t: (t[0], t[1]))
        state = _History()
        seen: dict[str, int] = {}
        for when, _seq, line, values in timed:
            try:
                self._fields(plan, values)
                event = self._event(plan, state, when, values)
                opened = self._time(values, "opened_at")
                resolved, closed = self._time(values, "resolved_at"), self._time(values, "closed_at")
            except ValueProblem as exc:
                plan.problems.append(Problem(exc.kind, line, str(exc)))
                continue
            state.opened = state.opened or opened
            state.resolved_column = resolved or state.resolved_column
            state.closed_column = closed or state.closed_column
            seen[event.external_id] = seen.get(event.external_id, 0) + 1
            if seen[event.external_id] > 1:
                event.external_id = f"{event.external_id}#{seen[event.external_id]}"
            plan.events.append(event)
        if not plan.events:
            plan.values = {}
            return
        plan.values.update(
            {
                "opened_at": state.opened or plan.events[0].occurred_at,
                "resolved_at": state.resolved_column or state.resolved_at,
                "closed_at": state.closed_column or state.closed_at,
                "reopen_count": state.reopens,
                "reassignment_count": state.reassignments,
            }
        )
        if state.status:
            plan.values["status"] = state.status
        if state.group:
            plan.names["assignment_group"] = state.group
        plan.status_changes = state.status_changes
        self._finish(plan)

    def _event(
        self, plan: TicketPlan, state: _History, when: dt.datetime, values: dict[str, str]
    ) -> EventPlan:
        history = self.mapping.history
        lines: list[str] = []
        raw_status = self.text(values, "status")
        status = self.status(raw_status) if raw_status else None
        if status:
            if state.raw_status is not None and raw_status != state.raw_status:
                state.status_changes += 1
                if "status" in history:
                    lines.append(f"Status: {state.raw_status} → {raw_status}")
            elif state.raw_status is None and "status" in history:
                lines.append(f"Status: {raw_status}")
            if state.status in DONE and status not in DONE:
                state.reopens += 1
                lines.append("Reopened")
            if status in DONE and state.status != status:
                setattr(state, f"{status}_at", when)
            state.raw_status, state.status = raw_status, status
        group = self.text(values, "assignment_group")
        if group:
            if state.group and group != state.group:
                state.reassignments += 1
                if "assignment_group" in history:
                    lines.append(f"Reassigned: {state.group} → {group}")
            elif not state.group and "assignment_group" in history:
                lines.append(f"Assigned to {group}")
            state.group = group
        assignee = self.text(values, "assignee")
        if assignee and assignee != state.assignee and "assignee" in history:
            lines.append(f"Assignee: {assignee}")
            state.assignee = assignee
        priority = plan.values.get("priority")
        if priority and state.priority and priority != state.priority and "priority" in history:
            lines.append(f"Priority: {state.priority} → {priority}")
        state.priority = priority or state.priority
        comment = self.text(values, "comment")
        if comment and "comment" in history:
            lines.append(comment)
        for column in self.mapping.details:
            shown = self.cell(values, column) or self._shown(values, column)
            if shown:
                lines.append(f"{column}: {shown}")
        activity = self.text(values, "activity") or (lines[0] if lines else "Update")
        event_id = self.text(values, "event_id")
        if not event_id:
            fingerprint = when.isoformat() + json.dumps(values, sort_keys=True, ensure_ascii=False)
            event_id = "h" + hashlib.sha1(fingerprint.encode(), usedforsecurity=False).hexdigest()[:24]
        return EventPlan(event_id[:60], when, activity[:100], group[:100], "\n".join(lines))


CHANNELS_ALLOWED = ("portal", "email", "phone", "monitoring", "walk_in", "api")


@dataclass
class _History:
    raw_status: str | None = None
    status: str | None = None
    group: str = ""
    assignee: str = ""
    priority: int | None = None
    status_changes: int = 0
    reassignments: int = 0
    reopens: int = 0
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    opened: dt.datetime | None = None
    resolved_column: dt.datetime | None = None
    closed_column: dt.datetime | None = None
