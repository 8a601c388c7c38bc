"""Writes of information security: the control register's imports (CSV and OSCAL catalog, each all or
nothing), and the guard that keeps a change from being approved before its security impact is assessed.
Plain records are written through the audited core services by the generic API and pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servitium.catalog.models import Service
from servitium.conformity.oscal import _label as oscal_label
from servitium.conformity.oscal import _prose as oscal_prose
from servitium.core import services as core_services
from servitium.parties.models import Person

from . import selectors
from .models import SecurityControl, SecurityImpactAssessment

CSV_COLUMNS = (
    "identifier",
    "title",
    "description",
    "category",
    "owner",
    "status",
    "justification",
    "evidence",
    "last_reviewed",
    "review_interval_months",
    "services",
)
REQUIRED_COLUMNS = ("identifier", "title")
MAX_ROWS = 5000


def _row_error(errors: list[str], row: int, column: str, message: Any) -> None:
    errors.append(
        _("Row %(row)d, column %(column)s: %(message)s") % {"row": row, "column": column, "message": message}
    )


def _parse_row(number: int, row: dict[str, str], errors: list[str]) -> tuple[dict, dict] | None:
    """The control's values and links from one CSV row, or None (with the errors added)."""
    found = len(errors)
    value = {k: (row.get(k) or "").strip() for k in CSV_COLUMNS}
    data: dict[str, Any] = {"identifier": value["identifier"], "title": value["title"]}
    for name in REQUIRED_COLUMNS:
        if not value[name]:
            _row_error(errors, number, name, _("This field is required."))
    for name in ("description", "justification", "evidence"):
        data[name] = value[name]
    data["category"] = value["category"] or SecurityControl.Category.ORGANIZATIONAL
    if data["category"] not in SecurityControl.Category.values:
        _row_error(
            errors,
            number,
            "category",
            _("%(v)s is not one of %(c)s.")
            % {"v": data["category"], "c": ", ".join(SecurityControl.Category.values)},
        )
    data["status"] = value["status"] or SecurityControl.Status.NOT_STARTED
    if data["status"] not in SecurityControl.Status.values:
        _row_error(
            errors,
            number,
            "status",
            _("%(v)s is not one of %(c)s.")
            % {"v": data["status"], "c": ", ".join(SecurityControl.Status.values)},
        )
    data["owner"] = None
    if value["owner"]:
        data["owner"] = Person.objects.filter(
            email__iexact=value["owner"], organization__kind="provider"
        ).first()
        if data["owner"] is None:
            _row_error(
                errors,
                number,
                "owner",
                _("No person of the provider has the email %(v)s.") % {"v": value["owner"]},
            )
    data["last_reviewed"] = None
    if value["last_reviewed"]:
        try:
            data["last_reviewed"] = dt.date.fromisoformat(value["last_reviewed"])
        except ValueError:
            _row_error(errors, number, "last_reviewed", _("Give a date as YYYY-MM-DD."))
    data["review_interval_months"] = 12
    if value["review_interval_months"]:
        if value["review_interval_months"].isdigit() and len(value["review_interval_months"]) <= 2:
            data["review_interval_months"] = int(value["review_interval_months"])
        else:
            _row_error(
                errors, number, "review_interval_months", _("Give a whole number of months (1 to 60).")
            )
    services = []
    for name in filter(None, (n.strip() for n in value["services"].split(";"))):
        service = Service.objects.filter(name=name).first()
        if service is None:
            _row_error(errors, number, "services", _("No service is called %(v)s.") % {"v": name})
        else:
            services.append(service)
    if len(errors) > found:
        return None
    # The model's own rules (lengths, justification of "not applicable", intervals), per column.
    existing = SecurityControl.objects.filter(identifier=data["identifier"]).first()
    probe = SecurityControl(**{**({"pk": existing.pk} if existing else {}), **data})
    try:
        probe.full_clean(validate_unique=False)
    except ValidationError as exc:
        for column, messages in exc.message_dict.items():
            for message in messages:
                _row_error(errors, number, column, message)
        return None
    return data, {"services": services} if value["services"] else {}


def controls_import_csv(*, actor: Any, text: str) -> dict[str, int]:
    """Create or update (by identifier) the controls of a CSV file. Every row is checked first; any error
    refuses the whole file with messages that name the row and the column (row 1 is the header)."""
    if "\x00" in text:
        raise ValidationError({"csv": [_("The file holds a NUL character; give a CSV text file.")]})
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if missing or unknown:
        raise ValidationError(
            {
                "csv": [
                    _("Row 1 (header): missing columns %(m)s; unknown columns %(u)s. Known columns: %(k)s.")
                    % {
                        "m": ", ".join(missing) or "—",
                        "u": ", ".join(unknown) or "—",
                        "k": ", ".join(CSV_COLUMNS),
                    }
                ]
            }
        )
    reader.fieldnames = header
    errors: list[str] = []
    parsed = []
    seen: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            raise ValidationError({"csv": [_("At most %(n)d rows per file.") % {"n": MAX_ROWS}]})
        if None in row:
            _row_error(errors, number, "—", _("More values than columns."))
            continue
        found = _parse_row(number, row, errors)
        if found is None:
            continue
        identifier = found[0]["identifier"]
        if identifier in seen:
            _row_error(
                errors,
                number,
                "identifier",
                _("%(v)s is also on row %(r)d.") % {"v": identifier, "r": seen[identifier]},
            )
            continue
        seen[identifier] = number
        parsed.append(found)
    if errors:
        raise ValidationError({"csv": errors[:50]})
    if not parsed:
        raise ValidationError({"csv": [_("The file holds no controls.")]})
    return _store(actor, parsed)


@transaction.atomic
def _store(actor: Any, parsed: list[tuple[dict, dict]]) -> dict[str, int]:
    created = updated = 0
    for data, m2m in parsed:
        existing = SecurityControl.objects.filter(identifier=data["identifier"]).first()
        if existing is None:
            core_services.record_create(model=SecurityControl, data={}, derived=data, m2m=m2m, actor=actor)
            created += 1
        else:
            values = {k: v for k, v in data.items() if k != "identifier"}
            core_services.record_update(instance=existing, data={}, derived={**values, **m2m}, actor=actor)
            updated += 1
    return {"created": created, "updated": updated}


def _category_of(group_title: str) -> str:
    lowered = group_title.lower()
    for value in SecurityControl.Category.values:
        if value in lowered:
            return value
    if "technical" in lowered:
        return SecurityControl.Category.TECHNOLOGICAL
    return SecurityControl.Category.ORGANIZATIONAL


def controls_import_oscal(*, actor: Any, document: Any) -> dict[str, int]:
    """Create or update controls from an OSCAL catalog (JSON): each control and control enhancement becomes
    a control of the register, its label (or id) the identifier, its statement the description, its group
    the category (organizational, people, physical, technological; organizational when the group says
    none). Statuses and owners of existing controls are kept."""
    if isinstance(document, str | bytes):
        try:
            document = json.loads(document)
        except (ValueError, RecursionError) as exc:
            raise ValidationError({"catalog": [_("Not JSON: %(e)s") % {"e": exc}]}) from None
    cat = document.get("catalog") if isinstance(document, dict) else None
    if not isinstance(cat, dict) or not isinstance(cat.get("metadata"), dict):
        raise ValidationError({"catalog": [_("Not an OSCAL catalog: no catalog.metadata.")]})
    errors: list[str] = []
    parsed: list[tuple[dict, dict]] = []
    seen: set[str] = set()

    def walk(items: Any, category: str, path: str) -> None:
        if items is None:
            return
        if not isinstance(items, list):
            errors.append(_("%(p)s: expected a list.") % {"p": path})
            return
        for index, item in enumerate(items):
            where = f"{path}[{index}]"
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                errors.append(_("%(p)s: a control or group needs an id.") % {"p": where})
                continue
            if _is_group(path):
                walk(item.get("groups"), _category_of(str(item.get("title", ""))), f"{where}.groups")
                walk(item.get("controls"), _category_of(str(item.get("title", ""))), f"{where}.controls")
                continue
            try:
                identifier = oscal_label(item)[:40].strip()
                title = str(item.get("title") or identifier)[:250]
                description = oscal_prose(item)
            except (AttributeError, TypeError):
                errors.append(_("%(p)s: props and parts must be lists of objects.") % {"p": where})
                continue
            if identifier in seen:
                errors.append(_("%(p)s: duplicate control id %(id)s.") % {"p": where, "id": identifier})
                continue
            seen.add(identifier)
            existing = SecurityControl.objects.filter(identifier=identifier).first()
            data = {
                "identifier": identifier,
                "title": title,
                "description": description,
                "category": category,
            }
            if existing is None:
                data["status"] = SecurityControl.Status.NOT_STARTED
            parsed.append((data, {}))
            walk(item.get("controls"), category, f"{where}.controls")

    walk(cat.get("groups"), SecurityControl.Category.ORGANIZATIONAL, "catalog.groups")
    walk(cat.get("controls"), SecurityControl.Category.ORGANIZATIONAL, "catalog.controls")
    if errors:
        raise ValidationError({"catalog": errors[:50]})
    if not parsed:
        raise ValidationError({"catalog": [_("The catalog holds no controls.")]})
    return _store(actor, parsed)


def _is_group(path: str) -> bool:
    return path.endswith(".groups")


# --- the change guard ------------------------------------------------------------------------------------

ASSESSED_CATEGORIES = ("normal", "major", "emergency")


def unassessed_security_impact(change: Any) -> str | None:
    """The reason a change may not be approved yet: the rule is on (security settings) and the change, not a
    pre-approved standard one, has no security impact assessment."""
    if change.category not in ASSESSED_CATEGORIES or not selectors.change_assessment_required():
        return None
    if SecurityImpactAssessment.objects.filter(change_id=change.pk).exists():
        return None
    return str(
        _(
            "%(ref)s has no security impact assessment: information security assesses every %(category)s "
            "change before it is approved (record one at /api/v1/security-impact-assessments/)."
        )
        % {"ref": change.reference, "category": change.category}
    )
