"""What an import did: counts, errors grouped by kind with the first rows of each, the records it created
and the columns it did not use; as text (the command) and JSON (the download)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

FIRST_ROWS = 5  # rows kept per kind of error; the count covers them all


@dataclass
class ErrorKind:
    count: int = 0
    first: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, message)


@dataclass
class Report:
    mapping: str
    source: str = ""
    files: dict[str, str] = field(default_factory=dict)  # file -> how it was read
    sheets: dict[str, str] = field(default_factory=dict)  # file -> the sheet read, for workbooks
    rows: int = 0
    tickets: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    events_created: int = 0
    priorities_kept: int = 0  # source priorities that differ from what the matrix would give
    errors: dict[str, ErrorKind] = field(default_factory=dict)
    created_records: dict[str, list[str]] = field(default_factory=dict)  # "teams" -> names
    ignored_columns: list[str] = field(default_factory=list)
    analyzed: bool = False
    first_rows: int = FIRST_ROWS  # rows kept per kind of error

    def error(self, kind: str, file: str, line: int, message: str) -> None:
        entry = self.errors.setdefault(kind, ErrorKind())
        entry.count += 1
        if len(entry.first) < self.first_rows:
            entry.first.append((file, line, message))

    def created_record(self, what: str, name: str) -> None:
        self.created_records.setdefault(what, []).append(name)

    def error_rows(self) -> list[tuple[str, int, str]]:
        """The rows kept for every kind of error, by file and line."""
        return sorted((row for entry in self.errors.values() for row in entry.first), key=lambda r: r[:2])

    @property
    def error_count(self) -> int:
        return sum(e.count for e in self.errors.values())

    def as_dict(self) -> dict:
        return asdict(self)

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False, default=str)

    def summary(self) -> str:
        return (
            f"{self.mapping}: {self.tickets} tickets from {self.rows} rows: {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged, {self.events_created} history events "
            f"added, {self.error_count} rows with errors"
        )

    def as_text(self) -> str:
        lines = [self.summary()]
        lines += [f"read {name} as {how}" for name, how in self.files.items()]
        if self.analyzed:
            lines.append(
                "planner statistics refreshed (ANALYZE of the incident, event and change-log tables)"
            )
        if self.ignored_columns:
            lines.append("columns not used by the mapping: " + ", ".join(self.ignored_columns))
        if self.priorities_kept:
            lines.append(
                f"{self.priorities_kept} tickets keep a source priority the impact x urgency matrix "
                "would not give"
            )
        for what, names in self.created_records.items():
            shown = ", ".join(names[:50]) + (" ..." if len(names) > 50 else "")
            lines.append(f"created {what} ({len(names)}): {shown}")
        for kind, entry in sorted(self.errors.items(), key=lambda item: -item[1].count):
            lines.append(f"{entry.count} x {kind}:")
            lines += [f"  {file}:{line}: {message}" for file, line, message in entry.first]
            if entry.count > len(entry.first):
                lines.append(f"  ... and {entry.count - len(entry.first)} more")
        return "\n".join(lines)
