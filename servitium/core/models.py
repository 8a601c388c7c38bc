"""Shared records: the base model, the change log, tokens, comments, attachments, service-hours calendars."""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
from typing import Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, signals
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .nul import find_nul, nul_message
from .permissions import RestrictedQuerySet


class BaseModel(models.Model):
    """Every persistent record: timestamps and a permission-aware manager.

    Who may see and write it is declared once in its app's ``resources.py`` (core.declaration). Class
    attributes a concrete model may set: ``reference_prefix``, for process records, the letters of their
    reference number (``INC``); ``changelog_exclude``, fields the change log does not copy.
    """

    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    reference_prefix: ClassVar[str | None] = None
    changelog_exclude: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        try:
            return reverse(f"{self._meta.app_label}:{self._meta.model_name}_detail", args=[self.pk])
        except NoReverseMatch:
            return ""

    @classmethod
    def from_db(cls, db: str, field_names: Any, values: Any) -> BaseModel:
        """A record read whole, made without Model.__init__ (its per-field setattr is most of what a page
        of 50 records costs to build): the same attributes and state, when nothing listens for the model's
        init signals and every column's attribute is a plain one."""
        attnames = _plain_attnames(cls)
        if (
            attnames is None
            or cls.__init__ is not models.Model.__init__
            or len(values) != len(attnames)
            # nothing connected at all is the usual case, told without asking per model
            or (signals.pre_init.receivers and signals.pre_init.has_listeners(cls))
            or (signals.post_init.receivers and signals.post_init.has_listeners(cls))
        ):
            return super().from_db(db, field_names, values)
        new = cls.__new__(cls)
        new.__dict__.update(zip(attnames, values, strict=True))
        state = new._state = ModelState()
        state.adding = False
        state.db = db
        return new

    @classmethod
    def object_type(cls) -> str:
        return f"{cls._meta.app_label}.{cls._meta.model_name}"

    def clean_fields(self, exclude=None) -> None:
        """Django's field checks, plus: no NUL character in any text or JSON value (PostgreSQL stores none
        and would fail the write; SQLite would keep it), named by field, whatever channel the write came
        through."""
        errors: dict[str, list] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if field.name in errors or (exclude and field.name in exclude):
                continue
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                where = find_nul(field.value_from_object(self), field.name)
                if where is not None:
                    errors[field.name] = [ValidationError(nul_message(where), code="null_characters")]
        if errors:
            raise ValidationError(errors)


_PLAIN_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute, FileDescriptor)
_ATTNAMES: dict[type, tuple[str, ...] | None] = {}


def _plain_attnames(model: type[models.Model]) -> tuple[str, ...] | None:
    """The columns' attribute names when assigning each one is a plain write to the instance (as Django's
    own column attributes do); None when a field brings an attribute of its own kind."""
    try:
        return _ATTNAMES[model]
    except KeyError:
        pass
    fields = model._meta.concrete_fields
    plain = all(type(inspect.getattr_static(model, f.attname, None)) in _PLAIN_ATTRIBUTES for f in fields)
    found = _ATTNAMES[model] = tuple(f.attname for f in fields) if plain else None
    return found


def servitium_models() -> list[type[BaseModel]]:
    return [m for m in apps.get_models() if issubclass(m, BaseModel)]


class ReferenceCounter(models.Model):
    """Last number handed out per reference prefix (SQLite only; PostgreSQL uses sequences)."""

    prefix = models.CharField(max_length=8, primary_key=True)
    last = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last}"


class ChangeRecord(models.Model):
    """One append-only change-log entry; sealed later into a SHA-256 chain (tamper evidence)."""

    class Action(models.TextChoices):
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")
        TRANSITION = "transition", _("transition")

    class Context(models.TextChoices):
        WEB = "web", _("web")
        API = "api", _("API")
        JOB = "job", _("job")
        SHELL = "shell", _("shell")
        MAIL = "mail", _("mail")
        IMPORT = "import", _("import")

    timestamp = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_constraint=False,  # a deleted user must not rewrite sealed history
        db_index=False,  # changerecord_actor_idx (actor, -id) leads with it
        related_name="change_records",
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.BigIntegerField(_("object id"))
    object_repr = models.CharField(_("object"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict)
    message = models.CharField(_("message"), max_length=500, blank=True)
    context = models.CharField(_("context"), max_length=8, choices=Context.choices)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)  # indexed in Meta (= only)
    # Sealing: position in the chain and the chain hash. Null until the sealer reaches the entry.
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    chain_hash = models.CharField(max_length=64, blank=True, default="")
    # Written with the entry: a nonce and an HMAC of the content under a key kept outside the database
    # (core/ledgerkey.py), so that the sealer tells the application's entries from rows put into the
    # table by other means, and refuses those (`refused` says why; empty for every entry it accepted).
    mac = models.CharField(max_length=64, blank=True, default="")
    refused = models.CharField(max_length=200, blank=True, default="")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("change record")
        verbose_name_plural = _("change log")
        indexes = [
            models.Index(fields=["object_type", "object_id", "-id"], name="changerecord_object_idx"),
            models.Index(fields=["timestamp"], name="changerecord_time_idx"),
            models.Index(fields=["actor", "-id"], name="changerecord_actor_idx"),
            models.Index(fields=["request_id"], name="changerecord_request_idx"),
            models.Index(fields=["id"], condition=Q(seq__isnull=True), name="changerecord_unsealed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id} by {self.actor_name or '-'}"

    @property
    def sealed(self) -> bool:
        return self.seq is not None

    def content(self) -> dict[str, Any]:
        """What the entry says, without its place (id, seq): what the entry's MAC covers."""
        ts = self.timestamp.astimezone(dt.UTC) if self.timestamp.tzinfo else self.timestamp
        return {
            "timestamp": ts.isoformat(),
            "actor_id": self.actor_id,
            "actor": self.actor_name,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "changes": self.changes,
            "message": self.message,
            "context": self.context,
            "request_id": self.request_id,
        }

    def canonical_content(self) -> bytes:
        """The bytes the chain hash covers: every field an auditor relies on, in a fixed form."""
        payload = {**self.content(), "id": self.id, "seq": self.seq}
        return json.dumps(
            payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
        ).encode()

    def compute_hash(self, previous_hash: str) -> str:
        return hashlib.sha256(previous_hash.encode() + b"\n" + self.canonical_content()).hexdigest()


class ChainSeal(models.Model):
    """The head of the sealed chain. Only the sealer writes it (one row, locked while sealing)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")
    sealed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"seal #{self.last_seq}"


class PeriodicRun(models.Model):
    """A periodic job's run in one of its periods (a minute, four hours, a day). Several nodes share the
    queue and each node's scheduler sends every periodic job; the first node to start it in a period
    records it here, and the others see the row and stand down (core/jobs.py `periodic`)."""

    job = models.CharField(max_length=100)
    slot = models.DateTimeField(help_text="The start of the period the run belongs to.")
    node = models.CharField(max_length=200)
    started = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="periodic_run_once")]

    def __str__(self) -> str:
        return f"{self.job} at {self.slot:%Y-%m-%d %H:%M} on {self.node}"


class KeptCount(models.Model):
    """How many records of one table hold one combination of values in the columns their declaration
    counts (`Resource.counted_by`), as far as one database session changed it (core/keptcounts.py).

    The database writes these rows itself (triggers, PostgreSQL only): each session adds and subtracts on
    rows of its own (`holder`, its process id), so no two writers ever wait on one row; rows of sessions
    that have ended are folded into `holder` 0 by a periodic job. A count is the sum over holders."""

    table = models.CharField(max_length=63)
    v1 = models.CharField(max_length=100, default="")
    v2 = models.CharField(max_length=100, default="")
    v3 = models.CharField(max_length=100, default="")
    holder = models.IntegerField(default=0)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["table", "v1", "v2", "v3", "holder"], name="kept_count_key")
        ]

    def __str__(self) -> str:
        return f"{self.table}[{self.v1},{self.v2},{self.v3}]@{self.holder}: {self.n}"


class SearchEntry(models.Model):
    """One record as the global search finds it: its reference, heading and text, kept current by every
    audited write (core/searchindex.py). The full-text index over it is the database's own: a generated
    `tsvector` column with a GIN index on PostgreSQL, the FTS5 table `core_searchfts` on SQLite (migration
    0007). Who may see an entry is never read from here: results pass through `permissions.restrict`."""

    record_type = models.CharField(max_length=100)  # "app_label.model"
    record_id = models.BigIntegerField()
    # The customer organization owning the record (records owned by one customer), for tenancy checks
    # in bulk and reports; null for shared and provider-internal records.
    organization_id = models.BigIntegerField(null=True, blank=True)
    reference = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record_type", "record_id"], name="searchentry_record_once")
        ]
        indexes = [models.Index(fields=["reference"], name="searchentry_reference_idx")]

    def __str__(self) -> str:
        return f"{self.record_type}#{self.record_id}"


class ApiToken(models.Model):
    """An API key. Only its SHA-256 digest is stored; the key itself is shown once at creation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("key prefix"), max_length=8)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked is None and (self.expires is None or self.expires > timezone.now())


class LoginFailure(models.Model):
    """A failed sign-in, kept briefly to rate-limit guessing per username and per address."""

    username = models.CharField(max_length=150)
    address = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"], name="loginfailure_user_idx"),
            models.Index(fields=["address", "at"], name="loginfailure_addr_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username}@{self.address}"


class Comment(BaseModel):
    """A note on any record: an internal work note, or a public reply the customer sees."""

    class Visibility(models.TextChoices):
        INTERNAL = "internal", _("internal work note")
        PUBLIC = "public", _("public reply")

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    body = models.TextField(_("text"))
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    author_name = models.CharField(
        _("written by"), max_length=200, blank=True, help_text=_("For writers without an account (mail).")
    )

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["target_type", "object_id", "created"], name="comment_target_idx")]
        verbose_name = _("comment")

    def __str__(self) -> str:
        return f"{self.get_visibility_display()} #{self.pk}"


def attachment_path(instance: Attachment, filename: str) -> str:
    now = timezone.now()
    return f"{now:%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(BaseModel):
    """A file attached to any record; stored under the data dir or on S3-compatible storage."""

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=127)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )

    changelog_exclude = frozenset({"file"})

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["target_type", "object_id"], name="attachment_target_idx")]
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return self.name


def _validate_hours(value: Any) -> None:
    if not isinstance(value, list):
        raise ValidationError(
            _('Opening hours must be a list of [start, end] pairs such as ["09:00", "17:00"].')
        )
    for pair in value:
        if not (isinstance(pair, list | tuple) and len(pair) == 2):
            raise ValidationError(_("Each opening interval must be a pair [start, end]."))
        start, end = (parse_hhmm(p) for p in pair)
        if start >= end:
            raise ValidationError(_("Opening interval %(pair)s ends before it starts.") % {"pair": pair})


def parse_hhmm(text: Any) -> int:
    """'09:30' -> 570 minutes; '24:00' allowed as the end of a day."""
    try:
        hours, minutes = str(text).split(":")
        total = int(hours) * 60 + int(minutes)
    except (ValueError, TypeError):
        raise ValidationError(_("%(value)s is not a time of day in HH:MM form.") % {"value": text}) from None
    if not (0 <= int(minutes) < 60) or not (0 <= total <= 1440):
        raise ValidationError(_("%(value)s is not a time of day in HH:MM form.") % {"value": text})
    return total


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ServiceHoursCalendar(BaseModel):
    """Service hours: weekly opening hours in a time zone, holidays (preset and custom) and exceptions.

    SLA clocks and availability measure time on these calendars (core.businesstime does the arithmetic).
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    weekly_hours = models.JSONField(
        _("weekly hours"),
        default=dict,
        help_text=_('e.g. {"mon": [["09:00", "17:00"]], ...}; missing = closed'),
    )
    holiday_country = models.CharField(_("public holidays of"), max_length=8, blank=True)
    holiday_subdivision = models.CharField(_("region"), max_length=16, blank=True)
    holidays = models.JSONField(
        _("custom holidays"), default=list, blank=True, help_text=_('[{"date": "2026-12-24", "name": "..."}]')
    )
    exceptions = models.JSONField(
        _("exceptions"),
        default=list,
        blank=True,
        help_text=_('[{"date": "2026-12-27", "hours": [["10:00", "14:00"]]}]'),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("service-hours calendar")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        import datetime as dt
        import zoneinfo

        errors: dict[str, list] = {}
        try:
            zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors.setdefault("time_zone", []).append(_("Unknown time zone %(tz)s.") % {"tz": self.time_zone})
        if not isinstance(self.weekly_hours, dict):
            errors["weekly_hours"] = [
                _("Weekly hours must map weekday names (mon..sun) to lists of intervals.")
            ]
        else:
            for day, hours in self.weekly_hours.items():
                if day not in WEEKDAYS:
                    errors.setdefault("weekly_hours", []).append(_("Unknown weekday %(day)s.") % {"day": day})
                    continue
                try:
                    _validate_hours(hours)
                except ValidationError as exc:
                    errors.setdefault("weekly_hours", []).extend(exc.messages)
        if self.holiday_country:
            import holidays as holidays_lib

            try:
                holidays_lib.country_holidays(self.holiday_country, subdiv=self.holiday_subdivision or None)
            except NotImplementedError:
                errors.setdefault("holiday_country", []).append(
                    _("No holiday preset for %(c)s / %(s)s.")
                    % {"c": self.holiday_country, "s": self.holiday_subdivision}
                )
        for name, items, needs in (
            ("holidays", self.holidays, "name"),
            ("exceptions", self.exceptions, "hours"),
        ):
            if not isinstance(items, list):
                errors[name] = [_("Must be a list.")]
                continue
            for item in items:
                try:
                    dt.date.fromisoformat(str(item.get("date")))
                    if needs == "hours":
                        _validate_hours(item.get("hours", []))
                except (AttributeError, ValueError, ValidationError) as exc:
                    detail = (
                        "; ".join(exc.messages)
                        if isinstance(exc, ValidationError)
                        else _("needs a date YYYY-MM-DD")
                    )
                    errors.setdefault(name, []).append(
                        _("Entry %(item)s: %(detail)s") % {"item": item, "detail": detail}
                    )
        if errors:
            raise ValidationError(errors)

    def spec(self):
        """This calendar as the pure arithmetic's CalendarSpec."""
        import datetime as dt

        from .businesstime import CalendarSpec

        weekly = {
            WEEKDAYS.index(day): tuple((parse_hhmm(a), parse_hhmm(b)) for a, b in hours)
            for day, hours in (self.weekly_hours or {}).items()
        }
        return CalendarSpec(
            time_zone=self.time_zone,
            weekly_hours=weekly,
            holiday_country=self.holiday_country or None,
            holiday_subdivision=self.holiday_subdivision or None,
            closed_dates=frozenset(dt.date.fromisoformat(h["date"]) for h in self.holidays or []),
            date_overrides={
                dt.date.fromisoformat(e["date"]): tuple(
                    (parse_hhmm(a), parse_hhmm(b)) for a, b in e.get("hours", [])
                )
                for e in self.exceptions or []
            },
        )
