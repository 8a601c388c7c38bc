"""Readable history: change-log entries as people read them.

A ChangeRecord stores what the database held: attribute names (`assignment_group_id`), ids, choice codes,
UTC timestamps in ISO text. `entries()` turns a page of them into lines like "Assignment group: — →
Service Desk": the field's label, the names of the records ids point to (read in one query per related
model for the whole page, through `permissions.restrict`, so a name the reader may not see shows as
"(not visible)"), choice labels, yes/no, dates in the reader's zone and locale, durations in hours and
minutes, structured values as text and long text shortened with the whole of it kept.

Selectors: `record_history` (a record's page) and `recent_changes` (the home page).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from . import dates, permissions, tenancy
from .declaration import tenant_model
from .models import ChangeRecord

SHORT = 120  # characters of a value shown before "more"
EMPTY = "—"


@dataclass(frozen=True)
class Value:
    """One side of a change: the text shown, and the whole text when that was shortened."""

    text: str
    full: str = ""


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: Value
    after: Value


@dataclass
class Entry:
    """One change-log entry, readable. `record` is the ChangeRecord itself (id, sealing)."""

    record: ChangeRecord
    timestamp: dt.datetime
    who: str
    action: str
    message: str
    channel: str
    object_label: str
    url: str
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def sealed(self) -> bool:
        return self.record.sealed

    def as_text(self) -> str:
        """The changes as plain lines (the API's timeline body, e-mails)."""
        return "\n".join(
            f"{c.label}: {c.before.full or c.before.text} → {c.after.full or c.after.text}"
            for c in self.changes
        )


# -- selectors ---------------------------------------------------------------------------------------


def record_history(obj: models.Model, user: Any, limit: int = 100) -> list[Entry]:
    """The newest `limit` entries of one record's history that `user` may read, readable."""
    object_type = f"{obj._meta.app_label}.{obj._meta.model_name}"
    found = permissions.restrict(ChangeRecord.objects.all(), user).filter(
        object_type=object_type, object_id=obj.pk
    )
    return entries(found.order_by("-id")[:limit], user)


def recent_changes(user: Any, limit: int = 10, with_changes: bool = False) -> list[Entry]:
    """The newest entries across everything `user` may read the history of; by default without their
    field lines (a list across records says who did what to which record)."""
    found = permissions.restrict(ChangeRecord.objects.all(), user).order_by("-id")[:limit]
    return entries(found, user, with_changes=with_changes)


def labelled(rows: Iterable[dict[str, Any]], model: type[models.Model], names: Iterable[str]) -> list[dict]:
    """Rows of a record's own JSON log (an event's `history`) with the codes of the named fields as
    their choice labels ("in_progress" -> "in progress"); other keys as they are."""
    labels = {
        name: {str(code): str(label) for code, label in model._meta.get_field(name).flatchoices}
        for name in names
    }
    shown = []
    for row in rows:
        row = dict(row) if isinstance(row, dict) else {}
        for name, table in labels.items():
            if row.get(name) is not None:
                row[name] = table.get(str(row[name]), row[name])
        shown.append(row)
    return shown


# -- the formatter -----------------------------------------------------------------------------------


def entries(records: Iterable[ChangeRecord], user: Any, with_changes: bool = True) -> list[Entry]:
    """A page of change-log entries as readable entries, in the order given. Names are read in one
    query per related model (and one for the actors), whatever the number of entries."""
    records = list(records)
    names = _Names(user)
    for record in records if with_changes else ():
        model = _model(record.object_type)
        for key, (before, after) in _pairs(record.changes):
            target = _field(model, key)
            if target is not None and target.is_relation and target.related_model is not None:
                names.want(target.related_model, before, after)
    names.want(_user_model(), *(r.actor_id for r in records if r.actor_id))
    names.load()
    return [_entry(record, names, with_changes) for record in records]


def _entry(record: ChangeRecord, names: _Names, with_changes: bool) -> Entry:
    model = _model(record.object_type)
    lines = []
    pairs = _pairs(record.changes) if with_changes else []
    for key, (before, after) in sorted(pairs, key=lambda kv: _order(model, kv[0])):
        target = _field(model, key)
        lines.append(
            FieldChange(_label(target, key), _value(target, before, names), _value(target, after, names))
        )
    return Entry(
        record=record,
        timestamp=record.timestamp,
        who=_who(record, names),
        action=capfirst(record.get_action_display()),
        message=record.message,
        channel=record.get_context_display(),
        object_label=record.object_repr,
        url=_url(model, record.object_id),
        changes=lines,
    )


def _who(record: ChangeRecord, names: _Names) -> str:
    known = names.found.get(_user_model(), {}).get(str(record.actor_id)) if record.actor_id else None
    if known:
        return known
    if record.actor_name:
        return record.actor_name
    if record.context == ChangeRecord.Context.IMPORT:
        return _("imported")
    return _("system")


def _pairs(changes: Any) -> list[tuple[str, tuple[Any, Any]]]:
    """(field, (before, after)) from what the change log stored; a value that is no pair is an after."""
    if not isinstance(changes, dict):
        return []
    found = []
    for key, pair in changes.items():
        if isinstance(pair, list | tuple) and len(pair) == 2:
            found.append((str(key), (pair[0], pair[1])))
        else:
            found.append((str(key), (None, pair)))
    return found


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _user_model() -> type[models.Model]:
    return apps.get_model("parties", "User")


def _field(model: type[models.Model] | None, key: str) -> models.Field | None:
    """The model field a change-log key names: the field's name, or its attname (`owner_id`)."""
    if model is None:
        return None
    try:
        found = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    return found if getattr(found, "concrete", False) or found.many_to_many else None


def _order(model: type[models.Model] | None, key: str) -> tuple[int, str]:
    """Fields in the order the model declares them (as the record's page lists them)."""
    target = _field(model, key)
    if target is None:
        return (10_000, key)
    fields = [*model._meta.concrete_fields, *model._meta.many_to_many]
    return (fields.index(target) if target in fields else 9_999, key)


_UNIT = re.compile(r"\s*\([^()]*\)\s*$")


def _label(target: models.Field | None, key: str) -> str:
    """The field's own label; for a field no longer declared, its key made readable."""
    if target is None:
        key = key[:-3] if key.endswith("_id") else key
        return capfirst(key.replace("_", " "))
    label = str(target.verbose_name)
    if _duration_unit(target):
        label = _UNIT.sub("", label)  # "(minutes)", "(business seconds)": the value says "2 h 30 min"
    return capfirst(label)


def _duration_unit(target: models.Field | None) -> int:
    """Seconds per stored unit when a number field holds a length of time, else 0. By convention such
    fields are named for their unit: `…_minutes`, `…_s` / `…_seconds` (e.g. `rto_minutes`, `target_s`)."""
    if not isinstance(target, models.IntegerField | models.FloatField | models.DecimalField):
        return 0
    if target.choices:
        return 0
    name = target.name
    if name.endswith("_minutes"):
        return 60
    if name.endswith(("_s", "_seconds")):
        return 1
    return 0


def _value(target: models.Field | None, value: Any, names: _Names) -> Value:
    if value is None or value == "" or value == [] or value == {}:
        return Value(EMPTY)
    if target is not None and target.is_relation and target.related_model is not None:
        model = target.related_model
        if isinstance(value, list):
            return _shorten(", ".join(names.get(model, v) for v in value))
        return Value(names.get(model, value))
    return _shorten(_plain(target, value))


def _plain(target: models.Field | None, value: Any) -> str:
    """A stored value as text, by what its field declares."""
    if target is not None and target.flatchoices:
        labels = {str(code): label for code, label in target.flatchoices}
        if isinstance(value, list):
            return ", ".join(str(labels.get(str(v), v)) for v in value)
        return str(labels.get(str(value), value))
    if isinstance(value, bool) or isinstance(target, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(target, models.DateField) and isinstance(value, str):  # DateTimeField too
        return dates.when_text(value)
    unit = _duration_unit(target)
    if unit and isinstance(value, int | float | str):
        try:
            return duration(float(value) * unit)
        except ValueError:
            return str(value)
    if isinstance(value, dict | list):
        return humanize_json(value).replace("\n", "; ")
    return str(value)


def _shorten(text: str) -> Value:
    """Long text is cut at a word near SHORT characters; the whole stays available ("more")."""
    flat = " ".join(text.split())
    if len(flat) <= SHORT and "\n" not in text:
        return Value(text)
    cut = flat[:SHORT].rsplit(" ", 1)[0] if " " in flat[:SHORT] else flat[:SHORT]
    return Value(f"{cut}…", text)


def _url(model: type[models.Model] | None, pk: int) -> str:
    if model is None:
        return ""
    try:
        return reverse(f"{model._meta.app_label}:{model._meta.model_name}_detail", args=[pk])
    except NoReverseMatch:
        return ""


def duration(seconds: float) -> str:
    """Seconds as people read a length of time: "45 min", "2 h", "5 h 20 min", "135 h"."""
    minutes = int(round(float(seconds) / 60))
    hours, rest = divmod(minutes, 60)
    if hours == 0:
        return _("%(m)d min") % {"m": rest}
    if rest == 0 or hours >= 48:
        return _("%(h)d h") % {"h": hours}
    return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}


def humanize_json(value: Any) -> str:
    """Structured values as lines people can read: one line per list item, 'key: value' for mappings."""
    if value in (None, "", [], {}):
        return ""
    if isinstance(value, list):
        return "\n".join(humanize_json(item).replace("\n", "; ") for item in value)
    if isinstance(value, dict):
        return "\n".join(
            f"{str(k).replace('_', ' ')}: {humanize_json(v).replace(chr(10), '; ')}" for k, v in value.items()
        )
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


class _Names:
    """Names of related records, read per model in one query through the reader's permissions."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.found: dict[type[models.Model], dict[str, str]] = {}

    def want(self, model: type[models.Model], *values: Any) -> None:
        for value in values:
            for pk in value if isinstance(value, list) else [value]:
                if pk is not None and pk != "":
                    self.wanted[model].add(pk)

    def load(self) -> None:
        for model, pks in self.wanted.items():
            self.found[model] = self._read(model, pks)

    def _read(self, model: type[models.Model], pks: set[Any]) -> dict[str, str]:
        own = tenancy.customer_organization(self.user)
        if own is not None and model is tenant_model():
            pks = {pk for pk in pks if str(pk) == str(own)}  # a customer learns only its own organization
        if not pks:
            return {}
        try:
            if model is _user_model() and own is None:
                # Who made a change is shown to staff by name even when they may not open the login
                # itself: the person linked to it, else the login's full name.
                rows = model._default_manager.filter(pk__in=pks)
                if any(f.name == "person" for f in model._meta.get_fields()):
                    rows = rows.select_related("person")
            else:
                rows = permissions.restrict(model._default_manager.all(), self.user).filter(pk__in=pks)
            return {str(obj.pk): _name(obj) for obj in rows}
        except (ValueError, TypeError):  # ids of a type the key does not take
            return {}

    def get(self, model: type[models.Model], pk: Any) -> str:
        return self.found.get(model, {}).get(str(pk), _("(not visible)"))


def _name(obj: models.Model) -> str:
    person = getattr(obj, "person", None) if isinstance(obj, _user_model()) else None
    if person is not None and getattr(person, "name", ""):
        return person.name
    full = getattr(obj, "get_full_name", None)
    return (full() if callable(full) else "") or str(obj)
