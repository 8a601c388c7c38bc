"""Configuration audits: read discovered data (CSV or JSON, e.g. exported by a discovery tool), reconcile it
against the CIs in the audit's scope, and settle each finding (register the CI, apply the discovered
values, retire the CI, or accept the difference). Every write goes through the CI services, so it is
change-logged like any other.

A discovered row carries `reference` and/or `name`, and optionally `type`, `status`, `version`,
`location` and `attributes` (in CSV: a JSON object in an `attributes` column, or one `attr:<name>` column
per attribute). Rows are matched by CI reference, else by name (and type, when the name alone is not
unique). Bad rows are reported by row number and skipped; the rest is imported.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import services as core_services
from servitium.core.errors import TransitionNotAllowed
from servitium.core.nul import find_nul, nul_message

from . import baselines, services
from .lifecycle import AUDIT_WORKFLOW, FINDING_WORKFLOW
from .models import CIType, ConfigurationItem
from .records import AuditFinding, ConfigurationAudit

FIELDS = ("reference", "name", "type", "status", "version", "location")
MAX_ROWS = 50_000
FOLLOW_UP_DAYS = 30
A, F = ConfigurationAudit.Status, AuditFinding.Status


def _coerce_cell(value: str) -> Any:
    """A CSV attribute cell as the JSON value it most likely means (8 -> 8, true -> True)."""
    text = value.strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _normalise(raw: Any, line: int) -> tuple[dict[str, Any] | None, str | None]:
    """One discovered row in our shape, or the reason it cannot be used."""
    if not isinstance(raw, dict):
        return None, _("row %(n)d: expected an object with reference/name, type, attributes...") % {"n": line}
    bad = find_nul(raw)
    if bad is not None:  # PostgreSQL stores no NUL: the row is refused, the others are kept
        return None, _("row %(n)d: %(problem)s") % {"n": line, "problem": nul_message(bad)}
    row: dict[str, Any] = {}
    for key in FIELDS:
        value = raw.get(key)
        if value not in (None, ""):
            row[key] = str(value).strip()
    if not row.get("reference") and not row.get("name"):
        return None, _("row %(n)d: needs a reference or a name.") % {"n": line}
    status = row.get("status")
    if status and status not in ConfigurationItem.Status.values:
        return None, _("row %(n)d: status %(s)r is not one of %(known)s.") % {
            "n": line,
            "s": status,
            "known": ", ".join(ConfigurationItem.Status.values),
        }
    attributes = raw.get("attributes") or {}
    if isinstance(attributes, str):
        try:
            attributes = json.loads(attributes) if attributes.strip() else {}
        except (ValueError, RecursionError):
            return None, _("row %(n)d: attributes is not valid JSON.") % {"n": line}
        bad = find_nul(attributes, "attributes")
        if bad is not None:
            return None, _("row %(n)d: %(problem)s") % {"n": line, "problem": nul_message(bad)}
    if not isinstance(attributes, dict):
        return None, _("row %(n)d: attributes must be an object.") % {"n": line}
    for key, value in raw.items():
        if isinstance(key, str) and key.startswith("attr:") and value not in (None, ""):
            attributes[key[5:]] = _coerce_cell(value) if isinstance(value, str) else value
    if attributes:
        row["attributes"] = attributes
    row["row"] = line
    return row, None


def parse_discovered(content: bytes | str, filename: str = "") -> tuple[list[dict], list[dict]]:
    """Rows and row errors (`{"row", "message"}`) from a CSV or JSON upload; a file that is neither is
    refused whole (ValidationError on `file`)."""
    text = content.decode("utf-8-sig", errors="replace") if isinstance(content, bytes) else content
    stripped = text.lstrip()
    if filename.lower().endswith(".json") or stripped[:1] in ("[", "{"):
        try:
            data = json.loads(text)
        except RecursionError:
            raise ValidationError({"file": _("The JSON is nested too deeply to read.")}) from None
        except ValueError as exc:
            raise ValidationError({"file": _("The JSON could not be read: %(e)s") % {"e": exc}}) from None
        records = data.get("items") if isinstance(data, dict) else data
        if not isinstance(records, list):
            raise ValidationError({"file": _('JSON must be a list of rows or {"items": [...]}.')})
        numbered = list(enumerate(records, start=1))
    else:
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or not {"reference", "name"} & set(reader.fieldnames):
            raise ValidationError({"file": _("The CSV needs a header row with a reference or name column.")})
        numbered = [(index, row) for index, row in enumerate(reader, start=2)]  # line 1 is the header
    if len(numbered) > MAX_ROWS:
        raise ValidationError({"file": _("At most %(n)d rows per audit import.") % {"n": MAX_ROWS}})
    rows, errors, seen = [], [], set()
    for line, raw in numbered:
        row, error = _normalise(raw, line)
        if error:
            errors.append({"row": line, "message": error})
            continue
        key = row.get("reference") or (row["name"].lower(), row.get("type", "").lower())
        if key in seen:
            errors.append({"row": line, "message": _("row %(n)d: the same CI again.") % {"n": line}})
            continue
        seen.add(key)
        rows.append(row)
    return rows, errors


def scope_queryset(audit: ConfigurationAudit):
    """The CIs an audit covers."""
    items = ConfigurationItem.objects.all()
    if audit.scope == ConfigurationAudit.Scope.CI_TYPE:
        return items.filter(ci_type=audit.scope_ci_type_id)
    if audit.scope == ConfigurationAudit.Scope.SERVICE:
        return items.filter(pk__in=baselines.scope_cis("service", audit.scope_service_id))
    return items


@transaction.atomic
def audit_import(
    *, actor: Any, audit: ConfigurationAudit, content: bytes | str, filename: str = ""
) -> ConfigurationAudit:
    """Load discovered data into a planned (or in-progress, replacing what was loaded) audit; it is then
    in progress. Row errors are kept on the audit and reported; good rows are kept."""
    audit = ConfigurationAudit.objects.select_for_update().get(pk=audit.pk)
    if audit.status not in (A.PLANNED, A.IN_PROGRESS):
        raise TransitionNotAllowed(_("Discovered data can only be imported before the audit is reconciled."))
    rows, errors = parse_discovered(content, filename)
    extra = {
        "discovered": rows,
        "row_errors": errors,
        "source_name": (filename or "upload")[:200],
        "imported_at": timezone.now(),
    }
    message = _("%(n)d discovered rows imported, %(e)d refused") % {"n": len(rows), "e": len(errors)}
    return core_services.record_transition(
        instance=audit, actor=actor, field="status", target=A.IN_PROGRESS, message=message, extra=extra
    )


class _Matcher:
    """Finds the recorded CI for a discovered row: by reference, else by name (+ type when ambiguous)."""

    def __init__(self) -> None:
        self.by_ref: dict[str, ConfigurationItem] = {}
        self.by_name: dict[str, list[ConfigurationItem]] = {}

    def load(self, rows: list[dict]) -> None:
        refs = [r["reference"] for r in rows if r.get("reference")]
        names = [r["name"] for r in rows if r.get("name") and not r.get("reference")]
        found = ConfigurationItem.objects.select_related("ci_type", "location").filter(
            Q(reference__in=refs) | Q(name__in=names)
        )
        for ci in found:
            self.by_ref[ci.reference] = ci
            self.by_name.setdefault(ci.name.lower(), []).append(ci)

    def match(self, row: dict) -> ConfigurationItem | None:
        if row.get("reference"):
            return self.by_ref.get(row["reference"])
        candidates = self.by_name.get(row["name"].lower(), [])
        if len(candidates) > 1 and row.get("type"):
            candidates = [c for c in candidates if c.ci_type.name.lower() == row["type"].lower()]
        return candidates[0] if len(candidates) == 1 else None


def differences(ci: ConfigurationItem, row: dict) -> dict[str, list]:
    """Field by field, what the records say and what was discovered (only the fields the row carries)."""
    diffs: dict[str, list] = {}
    recorded = {
        "name": ci.name,
        "type": ci.ci_type.name,
        "status": ci.status,
        "version": ci.version,
        "location": ci.location.name if ci.location else "",
    }
    for key, value in recorded.items():
        if key in row and str(row[key]).lower() != str(value).lower():
            if key == "name" and not row.get("reference"):
                continue  # matched by name: case differences are not findings
            diffs[key] = [value, row[key]]
    attributes = ci.attributes or {}
    for key, value in (row.get("attributes") or {}).items():
        if attributes.get(key) != value:
            diffs[f"attributes.{key}"] = [attributes.get(key), value]
    return diffs


def _finding(audit, *, kind, identifier, ci=None, discovered=None, diffs=None, owner=None) -> AuditFinding:
    return AuditFinding(
        audit=audit,
        kind=kind,
        identifier=identifier[:200],
        ci=ci,
        discovered=discovered or {},
        differences=diffs or {},
        owner=owner or audit.auditor,
        due_date=timezone.localdate() + dt.timedelta(days=FOLLOW_UP_DAYS),
    )


def reconcile(audit: ConfigurationAudit, actor: Any) -> list[AuditFinding]:
    """Compare the discovered rows with the records; each difference becomes an open finding."""
    rows = audit.discovered or []
    matcher = _Matcher()
    matcher.load(rows)
    findings, matched = [], set()
    for row in rows:
        ci = matcher.match(row)
        if ci is None:
            findings.append(
                _finding(
                    audit, kind="unexpected", identifier=row.get("reference") or row["name"], discovered=row
                )
            )
            continue
        matched.add(ci.pk)
        diffs = differences(ci, row)
        if diffs:
            findings.append(
                _finding(
                    audit,
                    kind="differing",
                    identifier=ci.reference,
                    ci=ci,
                    discovered=row,
                    diffs=diffs,
                    owner=ci.owner,
                )
            )
    # Only CIs that should be out there can be missing: planned and retired ones are not expected.
    expected = scope_queryset(audit).filter(status__in=["in_use", "maintenance"]).exclude(pk__in=matched)
    for ci in expected.select_related("owner").order_by("reference"):
        findings.append(_finding(audit, kind="missing", identifier=ci.reference, ci=ci, owner=ci.owner))
    # Numbered, validated and stored together, each with its change-log entry.
    return core_services.record_bulk_create(
        model=AuditFinding,
        instances=findings,
        actor=actor,
        message=_("Found by reconciling %(audit)s") % {"audit": audit.reference},
    )


@transaction.atomic
def audit_transition(
    *, actor: Any, instance: ConfigurationAudit, transition: str, note: str = "", data: dict | None = None
) -> ConfigurationAudit:
    """Reconcile (creates the findings) or close (only when every finding is closed) an audit."""
    audit = ConfigurationAudit.objects.select_for_update().get(pk=instance.pk)
    step = AUDIT_WORKFLOW.check(audit, audit.status, transition)
    extra: dict[str, Any] = {}
    message = note or str(step.label)
    if step.name == "reconcile":
        found = reconcile(audit, actor)
        extra["reconciled_at"] = timezone.now()
        counts = {k: sum(1 for f in found if f.kind == k) for k in AuditFinding.Kind.values}
        message = note or _(
            "Reconciled: %(missing)d missing, %(unexpected)d unexpected, %(differing)d differing"
        ) % (counts)
    elif step.name == "close":
        extra["closed_at"] = timezone.now()
    return core_services.record_transition(
        instance=audit, actor=actor, field="status", target=step.target, message=message, extra=extra
    )


@transaction.atomic
def finding_transition(
    *, actor: Any, instance: AuditFinding, transition: str, note: str = "", data: dict | None = None
) -> AuditFinding:
    """Close a finding with a resolution (`data["resolution"]`), or reopen it."""
    return _finding_step(actor=actor, instance=instance, transition=transition, note=note, data=data)


def _finding_step(
    *,
    actor: Any,
    instance: AuditFinding,
    transition: str,
    note: str = "",
    data: dict | None = None,
    settled: dict[str, Any] | None = None,
) -> AuditFinding:
    """A finding's transition; `settled` holds what the settling action wrote with it (the CI registered)."""
    finding = AuditFinding.objects.select_for_update().get(pk=instance.pk)
    step = FINDING_WORKFLOW.check(finding, finding.status, transition)
    extra: dict[str, Any] = {"resolution": "", **(settled or {})}
    if step.name == "close":
        resolution = (data or {}).get("resolution", "")
        if not resolution:
            raise ValidationError({"resolution": _("Say how the finding was settled.")})
        if resolution not in AuditFinding.Resolution.values:
            raise ValidationError(
                {
                    "resolution": _("%(r)r is not one of %(known)s.")
                    % {"r": resolution, "known": ", ".join(AuditFinding.Resolution.values)}
                }
            )
        extra["resolution"] = resolution
    if note:
        extra["notes"] = f"{finding.notes}\n{note}".strip()
    return core_services.record_transition(
        instance=finding,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )


def _open(finding: AuditFinding, kind: str) -> AuditFinding:
    finding = AuditFinding.objects.select_for_update().get(pk=finding.pk)
    if finding.status != F.OPEN:
        raise TransitionNotAllowed(_("This finding is already closed."))
    if finding.kind != kind:
        raise TransitionNotAllowed(
            _("This action settles %(kind)s findings only.") % {"kind": AuditFinding.Kind(kind).label}
        )
    return finding


def _ci_data(row: dict) -> tuple[dict[str, Any], list[str]]:
    """CI fields from a discovered row (type and location by name); unknown names are reported."""
    from servitium.parties.models import Location

    data: dict[str, Any] = {}
    problems = []
    if row.get("type"):
        ci_type = CIType.objects.filter(name__iexact=row["type"]).first()
        if ci_type is None:
            problems.append(_("type %(t)r is not a known CI type") % {"t": row["type"]})
        data["ci_type"] = ci_type
    if row.get("location"):
        location = Location.objects.filter(name__iexact=row["location"]).first()
        if location is None:
            problems.append(_("location %(l)r is not a known location") % {"l": row["location"]})
        data["location"] = location
    for key in ("name", "status", "version"):
        if row.get(key):
            data[key] = row[key]
    return data, problems


@transaction.atomic
def finding_register_ci(*, actor: Any, finding: AuditFinding, data: dict | None = None) -> AuditFinding:
    """Settle an unexpected finding by recording the discovered CI (values from `data` override)."""
    finding = _open(finding, AuditFinding.Kind.UNEXPECTED)
    values, problems = _ci_data(finding.discovered)
    if problems:
        raise ValidationError({"discovered": problems})
    values = {"attributes": finding.discovered.get("attributes", {}), **values, **(data or {})}
    if "ci_type" not in values or values["ci_type"] is None:
        raise ValidationError({"ci_type": _("Say which CI type the discovered item is.")})
    values.setdefault("status", ConfigurationItem.Status.IN_USE)
    values.setdefault("name", finding.discovered.get("name") or finding.identifier)
    ci = services.ci_create(actor=actor, data=values)
    return _finding_step(
        actor=actor,
        instance=finding,
        transition="close",
        data={"resolution": "ci_registered"},
        note=_("Registered as %(ci)s") % {"ci": ci.reference},
        settled={"ci": ci},
    )


@transaction.atomic
def finding_apply_discovered(*, actor: Any, finding: AuditFinding) -> AuditFinding:
    """Settle a differing finding by writing the discovered values to the CI (a normal, logged CI update)."""
    finding = _open(finding, AuditFinding.Kind.DIFFERING)
    if finding.ci is None:
        raise TransitionNotAllowed(_("The CI of this finding no longer exists."))
    values, problems = _ci_data({k: v for k, v in finding.discovered.items() if k in finding.differences})
    if problems:
        raise ValidationError({"discovered": problems})
    discovered_attrs = finding.discovered.get("attributes") or {}
    if discovered_attrs:
        values["attributes"] = {**(finding.ci.attributes or {}), **discovered_attrs}
    services.ci_update(actor=actor, instance=finding.ci, data=values)
    return finding_transition(
        actor=actor,
        instance=finding,
        transition="close",
        data={"resolution": "record_updated"},
        note=_("Discovered values applied to %(ci)s") % {"ci": finding.ci.reference},
    )


@transaction.atomic
def finding_retire_ci(*, actor: Any, finding: AuditFinding) -> AuditFinding:
    """Settle a missing finding: the CI is really gone, so it is retired."""
    finding = _open(finding, AuditFinding.Kind.MISSING)
    if finding.ci is None:
        raise TransitionNotAllowed(_("The CI of this finding no longer exists."))
    services.ci_update(actor=actor, instance=finding.ci, data={"status": ConfigurationItem.Status.RETIRED})
    return finding_transition(
        actor=actor,
        instance=finding,
        transition="close",
        data={"resolution": "ci_retired"},
        note=_("%(ci)s retired") % {"ci": finding.ci.reference},
    )
