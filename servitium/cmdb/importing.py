"""Bulk import of CIs and relationships from CSV or XLSX (`servitium import-cis` and the import page).

CI file columns: `reference` (to update a known CI), `name`, `type`, `status`, `version`, `description`,
`owner` (person's name or e-mail), `location`, `service` (catalogue service name), `customers` (names
separated by `;`), `documentation_url`, `attributes` (a JSON object) and/or one `attr:<name>` column per
attribute, converted to the type's schema (integer, number, boolean, date, string).
Relationship file columns: `source`, `kind`, `target` (each CI by reference, or by name when unique),
`description`.

Rows are matched on reference, else on name + type, so importing the same file again creates nothing. Each
row is written through the CI services (validated against the type's schema, change-logged) in its own
savepoint: a bad row is reported with its line number and the others go in.

An XLSX workbook (recognised by its content) is read from its first sheet or a named one through
core.sheets, cells turned into the text a CSV cell would hold, so both formats share every check below; its
errors name the sheet and the row. A file that cannot be read at all stops the import before any write.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servitium.core.nul import find_nul, nul_message
from servitium.core.sheets import SpreadsheetError, is_xlsx, open_sheet

from . import services
from .models import CIRelationship, CIType, ConfigurationItem

TRUE, FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n"}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    relationships_created: int = 0
    relationships_existing: int = 0
    errors: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, message)
    refused: str = ""  # why a file could not be read at all; then nothing was imported

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


def _text(content: bytes | str) -> str:
    return content.decode("utf-8-sig", errors="replace") if isinstance(content, bytes) else content


def convert(kind: str, raw: str) -> Any:
    """A CSV cell as a value of the schema type `kind`; ValueError when it is not one."""
    text = raw.strip()
    if kind == "integer":
        return int(text)
    if kind == "number":
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number
    if kind == "boolean":
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise ValueError(text)
    return text


class Lookups:
    """Names to records, loaded once per import."""

    def __init__(self) -> None:
        from servitium.catalog.models import Service
        from servitium.parties.models import Location, Organization, Person

        self.types = {t.name.lower(): t for t in CIType.objects.all()}
        self.people = {}
        for person in Person.objects.all():
            self.people[person.name.lower()] = person
            if person.email:
                self.people[person.email.lower()] = person
        self.locations = {loc.name.lower(): loc for loc in Location.objects.all()}
        self.services = {s.name.lower(): s for s in Service.objects.all()}
        self.organizations = {o.name.lower(): o for o in Organization.objects.all()}

    def one(self, table: dict, value: str, label: str) -> Any:
        found = table.get(value.strip().lower())
        if found is None:
            raise ValidationError(
                {label: _("%(v)r is not a known %(label)s.") % {"v": value, "label": label}}
            )
        return found


def _attributes(row: dict[str, str], ci_type: CIType) -> dict[str, Any]:
    schema = ci_type.attribute_schema or {}
    attributes: dict[str, Any] = {}
    if (row.get("attributes") or "").strip():
        try:
            attributes = json.loads(row["attributes"])
        except (ValueError, RecursionError):
            raise ValidationError({"attributes": _("not valid JSON")}) from None
        if not isinstance(attributes, dict):
            raise ValidationError({"attributes": _("must be a JSON object")})
    for column, raw in row.items():
        if not column or not column.startswith("attr:") or raw is None or not raw.strip():
            continue
        name = column[5:]
        kind = (schema.get(name) or {}).get("type", "string")
        try:
            attributes[name] = convert(kind, raw)
        except ValueError:
            raise ValidationError(
                {
                    "attributes": _("%(name)s: %(v)r is not of type %(t)s.")
                    % {"name": name, "v": raw, "t": kind}
                }
            ) from None
    return attributes


def _row_values(row: dict[str, str], lookups: Lookups) -> tuple[dict[str, Any], dict[str, Any]]:
    type_name = (row.get("type") or "").strip()
    if not type_name:
        raise ValidationError({"type": _("Every CI needs a type.")})
    ci_type = lookups.one(lookups.types, type_name, "type")
    data: dict[str, Any] = {"name": (row.get("name") or "").strip(), "ci_type": ci_type}
    for name in ("status", "version", "description", "documentation_url"):
        if (row.get(name) or "").strip():
            data[name] = row[name].strip()
    for name, table in (
        ("owner", lookups.people),
        ("location", lookups.locations),
        ("service", lookups.services),
    ):
        if (row.get(name) or "").strip():
            data[name] = lookups.one(table, row[name], name)
    data["attributes"] = _attributes(row, ci_type)
    m2m = {}
    if (row.get("customers") or "").strip():
        names = [n for n in row["customers"].split(";") if n.strip()]
        m2m["customers"] = [lookups.one(lookups.organizations, n, "customers") for n in names]
    return data, m2m


def _same(ci: ConfigurationItem, data: dict[str, Any], m2m: dict[str, Any]) -> bool:
    for name, value in data.items():
        if name == "attributes":
            if {**(ci.attributes or {}), **value} != (ci.attributes or {}):
                return False
        elif getattr(ci, name) != value:
            return False
    if "customers" not in m2m:
        return True
    return {o.pk for o in ci.customers.all()} == {o.pk for o in m2m["customers"]}


def _import_ci_row(row: dict[str, str], lookups: Lookups, actor: Any, report: ImportReport) -> None:
    data, m2m = _row_values(row, lookups)
    reference = (row.get("reference") or "").strip()
    if reference:
        ci = ConfigurationItem.objects.filter(reference=reference).first()
        if ci is None:
            raise ValidationError({"reference": _("No CI with reference %(r)s.") % {"r": reference}})
    else:
        if not data["name"]:
            raise ValidationError({"name": _("Every CI needs a name (or the reference of a known one).")})
        matches = list(ConfigurationItem.objects.filter(name=data["name"], ci_type=data["ci_type"])[:2])
        if len(matches) > 1:
            raise ValidationError({"name": _("Several CIs of this type have this name; give the reference.")})
        ci = matches[0] if matches else None
    if ci is None:
        services.ci_create(actor=actor, data=data, m2m=m2m)
        report.created += 1
        return
    if not data["name"]:
        data.pop("name")
    if _same(ci, data, m2m):
        report.unchanged += 1
        return
    data["attributes"] = {**(ci.attributes or {}), **data["attributes"]}
    services.ci_update(actor=actor, instance=ci, data=data, m2m=m2m)
    report.updated += 1


def _find_ci(value: str, label: str) -> ConfigurationItem:
    value = value.strip()
    ci = ConfigurationItem.objects.filter(reference=value).first()
    if ci is not None:
        return ci
    matches = list(ConfigurationItem.objects.filter(name=value)[:2])
    if len(matches) != 1:
        message = _("no CI %(v)r") if not matches else _("several CIs are named %(v)r; use the reference")
        raise ValidationError({label: message % {"v": value}})
    return matches[0]


def _import_relationship_row(row: dict[str, str], actor: Any, report: ImportReport) -> None:
    source = _find_ci(row.get("source") or "", "source")
    target = _find_ci(row.get("target") or "", "target")
    kind = (row.get("kind") or "depends_on").strip()
    if kind not in CIRelationship.Kind.values:
        raise ValidationError(
            {
                "kind": _("%(k)r is not one of %(known)s.")
                % {"k": kind, "known": ", ".join(CIRelationship.Kind.values)}
            }
        )
    if CIRelationship.objects.filter(source=source, target=target, kind=kind).exists():
        report.relationships_existing += 1
        return
    services.relationship_create(
        actor=actor,
        data={
            "source": source,
            "target": target,
            "kind": kind,
            "description": (row.get("description") or "")[:300],
        },
    )
    report.relationships_created += 1


class FileProblem(Exception):
    """A file that cannot be read at all; the import stops before writing anything."""


Rows = tuple[str, list[tuple[int, dict]]]  # how errors name the file (and sheet), then (line, values)


def _rows(
    content: bytes | str,
    label: str,
    needed: set[str],
    report: ImportReport,
    *,
    name: str = "",
    sheet: str = "",
) -> Rows:
    """The rows of a CSV file or of an XLSX workbook's sheet (named, else the first)."""
    head = content[:8] if isinstance(content, bytes) else b""
    try:
        xlsx = is_xlsx(head, name)
    except SpreadsheetError as exc:
        raise FileProblem(str(exc)) from None
    if xlsx:
        return _xlsx_rows(content, label, needed, report, name=name, sheet=sheet)
    reader = csv.DictReader(io.StringIO(_text(content)))
    columns = {c.strip() for c in reader.fieldnames or []}
    if not needed <= columns:
        report.errors.append(
            (label, 1, _("missing column(s): %(c)s") % {"c": ", ".join(sorted(needed - columns))})
        )
        return label, []
    rows = []
    for line, row in enumerate(reader, start=2):
        values = {(k or "").strip(): v for k, v in row.items()}
        bad = find_nul(values)
        if bad is not None:  # a row error, as any other bad value (PostgreSQL would refuse the write)
            report.errors.append((label, line, nul_message(bad)))
            continue
        rows.append((line, values))
    return label, rows


def _xlsx_rows(
    content: bytes, label: str, needed: set[str], report: ImportReport, *, name: str, sheet: str
) -> Rows:
    """The same rows from a workbook: cells as the text the CSV path validates; errors name the sheet."""
    rows = []
    try:
        with open_sheet(io.BytesIO(content), sheet=sheet or None, name=name) as opened:
            where = _("%(label)s, sheet %(sheet)s") % {"label": label, "sheet": opened.name}
            missing = needed - set(opened.header)
            if missing:
                line = opened.header_line or 1
                report.errors.append(
                    (where, line, _("missing column(s): %(c)s") % {"c": ", ".join(sorted(missing))})
                )
                return where, []
            for row in opened.rows():
                bad = row.problem or (nul_message(find_nul(row.values)) if find_nul(row.values) else "")
                if bad:
                    report.errors.append((where, row.line, bad))
                    continue
                rows.append((row.line, row.values))
    except SpreadsheetError as exc:
        raise FileProblem(str(exc)) from None
    return where, rows


def _message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def import_cis(
    *,
    actor: Any,
    cis: bytes | str | None = None,
    relationships: bytes | str | None = None,
    progress: Callable[[int, int], None] | None = None,
    names: dict[str, str] | None = None,
    sheets: dict[str, str] | None = None,
) -> ImportReport:
    """Import a CI file, then a relationship file (either may be absent); see the module's docstring.
    Each may be CSV or XLSX; `names` and `sheets` give, per "cis" and "relationships", the file's name (an
    .xlsx name that is no workbook is refused) and the sheet to read (default: the first)."""
    report = ImportReport()
    names, sheets = names or {}, sheets or {}
    read: dict[str, Rows] = {}
    try:  # every file is read before anything is written: an unreadable one stops the whole import
        for label, content, needed in (
            ("cis", cis, {"type"}),
            ("relationships", relationships, {"source", "target"}),
        ):
            if content is not None and (label == "cis" or content):
                read[label] = _rows(
                    content, label, needed, report, name=names.get(label, ""), sheet=sheets.get(label, "")
                )
    except FileProblem as exc:
        report.refused = str(exc)
        return report
    total, done = sum(len(rows) for _where, rows in read.values()), 0
    lookups = Lookups() if read.get("cis", ("", []))[1] else None
    for label, (where, rows) in read.items():
        for line, row in rows:
            try:
                with transaction.atomic():
                    if label == "cis":
                        _import_ci_row(row, lookups, actor, report)
                    else:
                        _import_relationship_row(row, actor, report)
            except ValidationError as exc:
                report.errors.append((where, line, _message(exc)))
            done += 1
            if progress and (done % 100 == 0 or done == total):
                progress(done, total)
    return report
