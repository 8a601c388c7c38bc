"""How every record leaves the API: the one representation of each record type, made once from its
serializer (which is made from the record type's declaration) and rendered without DRF's per-request cost.

A DRF serializer builds its fields again for every response (for a wide record that costs more than the
database work) and then reaches each value through the generic attribute lookup. `Representation` builds
the serializer's fields once per thread and turns each readable field into a getter: the plain kinds
(text, numbers, choices, flags, dates and times, related records by id, the record's own URL) read the
model attribute directly and convert it as the field would; every other field (computed, nested, custom)
is rendered by the field itself, bound to a serializer whose context is the current request's. A
serializer that overrides `to_representation` is used whole (with its prebuilt fields). A customer user's
answer is masked to their organization as `RecordSerializer` does. Tests hold every record type's lean
rendering equal to its serializer's, so the REST contract cannot drift.

Viewsets get it through `LeanOutputMixin.get_serializer`: a call with only records (a response) answers
the lean rendering; calls with input data get the real serializer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
import threading
from collections.abc import Callable, Iterable
from typing import Any

import orjson
from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import timezone, translation
from rest_framework import fields as drf_fields
from rest_framework import relations, serializers
from rest_framework.fields import SkipField
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import ISO_8601, api_settings
from rest_framework.utils import encoders

from servitium.core import tenancy

Getter = Callable[[Any], Any]

_SENTINEL = 987654321


class Representation:
    """The API shape of one serializer class's records."""

    def __init__(self, serializer_class: type[serializers.BaseSerializer]) -> None:
        self.serializer_class = serializer_class
        self._local = threading.local()
        self.whole = _overrides_representation(serializer_class)
        # A list serializer of its own (one that reads something for a whole page at once) renders lists.
        meta = getattr(serializer_class, "Meta", None)
        lists = getattr(meta, "list_serializer_class", serializers.ListSerializer)
        self.own_lists = any(
            "to_representation" in vars(klass)
            for klass in lists.__mro__[: lists.__mro__.index(serializers.ListSerializer)]
        )

    def _template(self) -> serializers.Serializer:
        template = getattr(self._local, "template", None)
        if template is None:
            template = self.serializer_class(context={})
            template.fields  # noqa: B018 - built once per thread, here
            self._local.template = template
            self._local.plan, self._local.exact = ([], False) if self.whole else self._plan(template)
            self._local.compiled = None if self.whole else _compile_rows(self._local.plan)
        return template

    def _plan(self, template: serializers.Serializer) -> tuple[list[tuple[str, Getter, bool]], bool]:
        """(name, getter, needs the request) per readable field, in the serializer's order, and whether
        the columns and the `lean_state` fields tell every field's rendering."""
        model = getattr(getattr(self.serializer_class, "Meta", None), "model", None)
        plan, exact = [], model is not None
        declared = getattr(self.serializer_class, "lean_state", {})
        for field in template._readable_fields:
            get, needs, plain = _getter(field, model)
            plan.append((field.field_name, get, needs, _inline(field, model)))
            exact = exact and (plain or field.field_name in declared)
        return plan, exact

    def states(
        self, objects: list[models.Model], context: dict[str, Any], rows: list[dict] | None = None
    ) -> list[tuple] | None:
        """What each record's rendering is made of, without rendering the whole of it: its columns and
        the fields the serializer's `lean_state` names as rendered values (`True`: computed from more
        than the record, such as a ticket's clocks; taken from `rows` when the records were rendered
        anyway). `None` in `lean_state` marks a computed field made from the columns and the reader
        only. Returns None when some field's rendering cannot be told this way (the validator is then
        taken over the rendered answer)."""
        self._template()
        if not self._local.exact or self.own_lists:
            return None
        names = [
            name for name, rendered in getattr(self.serializer_class, "lean_state", {}).items() if rendered
        ]
        if rows is None and names:
            rows = self._rows(objects, context, names)
        found = []
        for index, obj in enumerate(objects):
            found.append((_columns(type(obj))(obj), *(rows[index][name] for name in names)))
        return found

    def _rows(
        self, objects: list[models.Model], context: dict[str, Any], names: list[str] | None = None
    ) -> list[dict]:
        """The plan's fields (or those named) of each record, with the template bound to `context`."""
        template = self._template()
        template._context = context
        try:
            if self.whole:
                return [template.to_representation(obj) for obj in objects]
            plan = [
                (n, get(context) if needs else get)
                for n, get, needs, _inline in self._local.plan
                if names is None or n in names
            ]

            def slow(obj: Any) -> dict:
                return {name: get(obj) for name, get in plan}

            if names is not None or len(objects) < 2:
                return [slow(obj) for obj in objects]
            row = self._local.compiled(context, slow, [get for _n, get in plan])
            return [row(obj) for obj in objects]
        finally:
            template._context = {}

    def render(
        self, objects: Iterable[models.Model], context: dict[str, Any], many: bool = False
    ) -> list[dict[str, Any]]:
        """The API shape of each record (fields a serializer skips left out)."""
        objects = list(objects)
        if many and self.own_lists:
            return list(self.serializer_class(objects, many=True, context=context).data)
        rows = self._rows(objects, context)
        if self.whole:
            return rows
        skippable = [name for name, _get, _needs, inline in self._local.plan if inline is None]
        for row in rows:
            for name in [k for k in skippable if row.get(k) is _SKIP]:
                del row[name]
        request = context.get("request")
        organization = tenancy.customer_organization(getattr(request, "user", None))
        if organization is not None and rows and getattr(self._template(), "masks_tenants", False):
            masked = tenancy.tenant_fields(type(objects[0]), rows[0])
            for row in rows:
                tenancy.mask(row, masked, organization)
        return rows

    def render_one(self, obj: models.Model, context: dict[str, Any]) -> dict[str, Any]:
        return self.render([obj], context)[0]


_COLUMNS: dict[type, Callable[[Any], tuple]] = {}


def _columns(model: type[models.Model]) -> Callable[[Any], tuple]:
    """A record's column values as one tuple: one C call over the record's own dictionary (a foreign
    key's id attribute is a descriptor, slow to read one by one); a record with deferred columns is read
    attribute by attribute, which loads them."""
    found = _COLUMNS.get(model)
    if found is None:
        names = [f.attname for f in model._meta.concrete_fields]
        by_key, by_attribute = operator.itemgetter(*names), operator.attrgetter(*names)

        def found(obj: Any) -> tuple:
            try:
                values = by_key(obj.__dict__)
            except KeyError:
                values = by_attribute(obj)
            return values if len(names) > 1 else (values,)

        _COLUMNS[model] = found
    return found


def _overrides_representation(serializer_class: type) -> bool:
    """Whether a class between the serializer and DRF's (or RecordSerializer, whose tenant masking the
    lean path does itself: `masks_tenants`) renders in its own way."""
    for klass in serializer_class.__mro__:
        if (
            klass in (serializers.ModelSerializer, serializers.Serializer)
            or "masks_tenants" in klass.__dict__
        ):
            return False
        if "to_representation" in klass.__dict__:
            return True
    return False


def _model_field(model: type[models.Model] | None, field: drf_fields.Field) -> models.Field | None:
    if model is None or len(field.source_attrs) != 1:
        return None
    try:
        found = model._meta.get_field(field.source_attrs[0])
    except Exception:  # noqa: BLE001 - a property or method, not a column
        return None
    return found if getattr(found, "concrete", False) and not found.many_to_many else None


def _getter(field: drf_fields.Field, model: type[models.Model] | None) -> tuple[Any, bool, bool]:
    """A getter for one field, whether it is made per request (from the serializer context) and whether
    it renders the record's own columns only; the field's own rendering unless the field is of a plain
    kind over a model column and renders as its base kind does (`_inline` tells which)."""
    plain = _inline(field, model)
    if plain is not None:
        kind, attname, *arg = plain
        if kind == "text":
            return (lambda obj: _text(getattr(obj, attname))), False, True
        if kind == "choice":
            return (lambda obj: _choice(getattr(obj, attname), arg[0])), False, True
        if kind == "instant":
            return _instant_getter(attname, arg[0]), True, True
        if kind == "key":
            return (lambda obj: getattr(obj, attname)), False, True
        return _converter(attname, arg[0]), False, True
    kind = type(field)
    if kind is relations.HyperlinkedIdentityField and field.lookup_field == "pk":
        return _url_getter(field), True, True
    if _renders_as(kind, drf_fields.SerializerMethodField) and field.source == "*":
        # the serializer's own method, bound to the template the rendering runs with (whose context is
        # the request's): DRF's attribute lookup and to_representation around it add nothing
        return (lambda context: getattr(field.parent, field.method_name)), True, False
    return _field_getter(field), False, False


# Kinds whose field renders a value of this exact Python type as the value itself (DRF: int(v), the
# flag for a bool).
_NATIVE = {drf_fields.IntegerField: int, drf_fields.BigIntegerField: int, drf_fields.BooleanField: bool}

_CONVERTED = (
    drf_fields.IntegerField,
    drf_fields.BigIntegerField,
    drf_fields.BooleanField,
    drf_fields.FloatField,
    drf_fields.DateTimeField,
    drf_fields.DateField,
    drf_fields.DecimalField,
)


def _renders_as(kind: type, base: type) -> bool:
    """`kind` is `base` or a subclass that reads and renders values as `base` does."""
    return (
        issubclass(kind, base)
        and kind.to_representation is base.to_representation
        and kind.get_attribute is base.get_attribute
    )


def _text(value: Any) -> Any:
    return value if value is None or type(value) is str else str(value)


def _choice(value: Any, choices: dict[str, Any]) -> Any:
    return None if value is None else choices.get(str(value), value)


def _converter(attname: str, convert: Callable[[Any], Any]) -> Getter:
    def get(obj: Any) -> Any:
        value = getattr(obj, attname)
        return None if value is None else convert(value)

    return get


def _iso_in_current_zone(field: drf_fields.DateTimeField) -> bool:
    """The field renders as DRF's default does: ISO 8601 in the reader's time zone."""
    output = getattr(field, "format", api_settings.DATETIME_FORMAT)
    return (
        settings.USE_TZ
        and not hasattr(field, "timezone")
        and isinstance(output, str)
        and output.lower() == ISO_8601
    )


def _instant_getter(attname: str, field: drf_fields.DateTimeField) -> Callable[[dict], Getter]:
    """An instant as DRF renders it (ISO 8601 in the reader's zone, `Z` for UTC), with the zone looked up
    once per response instead of once per value; anything unusual goes to the field itself."""

    def for_request(context: dict) -> Getter:
        zone = timezone.get_current_timezone()

        def get(obj: Any) -> Any:
            value = getattr(obj, attname)
            return None if value is None else _iso(value, zone, field)

        return get

    return for_request


def _iso(value: Any, zone: dt.tzinfo, field: drf_fields.DateTimeField) -> Any:
    if type(value) is not dt.datetime or value.tzinfo is None:
        return field.to_representation(value)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def json_instant(value: Any) -> Any:
    """A datetime as the API's JSON renderer writes one that no field formatted (its fallback is DRF's
    encoder, asked here directly); anything else unchanged."""
    return _ENCODER.default(value) if type(value) is dt.datetime else value


_ENCODER = encoders.JSONEncoder()


def _inline(field: drf_fields.Field, model: type[models.Model] | None) -> tuple | None:
    """How the compiled row function reads a field of a plain kind straight from the record's dictionary
    (the same conversions as `_getter`'s); None for a field rendered through its getter."""
    column = _model_field(model, field)
    if column is None:
        return None
    kind = type(field)
    if not column.is_relation:
        if _renders_as(kind, drf_fields.CharField):
            return ("text", column.attname)
        if _renders_as(kind, drf_fields.ChoiceField):
            return ("choice", column.attname, dict(field.choice_strings_to_values))
        if _renders_as(kind, drf_fields.DateTimeField) and _iso_in_current_zone(field):
            return ("instant", column.attname, field)
        for base in _CONVERTED:
            if _renders_as(kind, base):
                if base in _NATIVE:  # the database's value already is what the field makes of it
                    return ("native", column.attname, field.to_representation, _NATIVE[base])
                return ("convert", column.attname, field.to_representation)
        return None
    if (
        column.many_to_one
        and _renders_as(kind, relations.PrimaryKeyRelatedField)
        and field.use_pk_only_optimization()
        and field.pk_field is None
    ):
        return ("key", column.attname)
    return None


_EXPRESSIONS = {
    "text": "(v if (v := d[{key}]).__class__ is str or v is None else str(v))",
    "choice": "(None if (v := d[{key}]) is None else {arg}.get(v if v.__class__ is str else str(v), v))",
    "instant": "(None if (v := d[{key}]) is None else _iso(v, zone, {arg}))",
    "convert": "(None if (v := d[{key}]) is None else {arg}(v))",
    "native": "(v if (v := d[{key}]).__class__ is {kind} or v is None else {arg}(v))",
    "key": "d[{key}]",
}


def _compile_rows(plan: list[tuple]) -> Callable[[dict, Getter, list[Getter]], Getter]:
    """One function per representation that renders a record as a dictionary display: the plain fields
    read from the record's own dictionary with their conversions written out (a getter call, an attribute
    lookup and, for a foreign key, a descriptor per field cost most of a page's rendering), the others by
    their getters. A record missing a column (deferred) is rendered the slow way, `slow(obj)`.
    `make(context, slow, getters)` binds it to one response: `getters` as `_rows` resolved them."""
    namespace: dict[str, Any] = {"_iso": _iso}
    items, generic = [], []
    for index, (name, _get, _needs, inline) in enumerate(plan):
        if inline is None:
            generic.append(f"g{index} = getters[{index}]")
            items.append(f"{name!r}: g{index}(obj)")
            continue
        kind, attname, *arg = inline
        if arg:
            namespace[f"a{index}"] = arg[0]
        if kind == "native":
            namespace[arg[1].__name__] = arg[1]
        text = _EXPRESSIONS[kind].format(
            key=repr(attname), arg=f"a{index}", kind=arg[1].__name__ if kind == "native" else ""
        )
        items.append(f"{name!r}: {text}")
    body = ",\n                ".join(items)
    source = f"""
def make(context, slow, getters):
    zone = _zone()
    {"; ".join(generic) or "pass"}

    def row(obj):
        d = obj.__dict__
        try:
            return {{
                {body}
            }}
        except KeyError:
            return slow(obj)

    return row
"""
    namespace["_zone"] = timezone.get_current_timezone
    exec(compile(source, "<lean rows>", "exec"), namespace)  # noqa: S102 - our own generated source
    return namespace["make"]


def _field_getter(field: drf_fields.Field) -> Getter:
    """What DRF's Serializer.to_representation does for one field."""

    def get(obj: Any) -> Any:
        try:
            attribute = field.get_attribute(obj)
        except SkipField:
            return _SKIP
        probe = attribute.pk if isinstance(attribute, relations.PKOnlyObject) else attribute
        return None if probe is None else field.to_representation(attribute)

    return get


class _Skip:
    pass


_SKIP = _Skip()


_PATHS: dict[tuple[str, str, str], str] = {}


def path_template(view_name: str, kwarg: str = "pk") -> str:
    """The path of a URL taking one id, with `{}` where the id goes: resolved once per view, argument and
    script prefix (resolving costs more than the rest of a rendered record). NoReverseMatch as reverse()."""
    key = (view_name, kwarg, get_script_prefix())
    found = _PATHS.get(key)
    if found is None:
        path = reverse(view_name, kwargs={kwarg: _SENTINEL})
        found = _PATHS[key] = path.replace(str(_SENTINEL), "{}")
    return found


def absolute_base(request: Any) -> str:
    """`scheme://host` of the request's links (as build_absolute_uri makes them), worked out once per
    request: a page of records carries one link each."""
    if request is None:
        return ""
    base = getattr(request, "_absolute_base", None)
    if base is None:
        base = request._absolute_base = request.build_absolute_uri("/")[:-1]
    return base


def record_link(request: Any, view_name: str, pk: Any) -> str:
    """The absolute URL of one record by its view (as `reverse` plus build_absolute_uri make it), the
    link's template kept on the request: a page of records carries one link each."""
    links = getattr(request, "_record_links", None) if request is not None else None
    if links is None:
        links = {}
        if request is not None:
            request._record_links = links
    template = links.get(view_name)
    if template is None:
        template = links[view_name] = absolute_base(request) + path_template(view_name)
    return template.format(pk)


def _url_getter(field: relations.HyperlinkedIdentityField) -> Callable[[dict], Getter]:
    """The record's own URL from its path template; a format suffix (`/incidents.json`) takes the field's
    own way."""

    def for_request(context: dict) -> Getter:
        if context.get("format"):
            return _field_getter(field)
        try:
            template = path_template(field.view_name, field.lookup_url_kwarg)
        except NoReverseMatch:
            return _field_getter(field)
        base = absolute_base(context.get("request"))
        return lambda obj: None if obj.pk is None else base + template.format(obj.pk)

    return for_request


class LeanOutput:
    """Stands in for a serializer given only records: `.data` is the lean rendering."""

    def __init__(self, representation: Representation, instance: Any, many: bool, context: dict) -> None:
        self.representation = representation
        self.instance = instance
        self.many = many
        self.context = context

    @property
    def data(self) -> Any:
        if self.many:
            return self.representation.render(self.instance, self.context, many=True)
        return self.representation.render_one(self.instance, self.context)


_REPRESENTATIONS: dict[type, Representation] = {}


def representation_of(serializer_class: type[serializers.BaseSerializer]) -> Representation:
    found = _REPRESENTATIONS.get(serializer_class)
    if found is None:
        found = _REPRESENTATIONS[serializer_class] = Representation(serializer_class)
    return found


class LeanOutputMixin:
    """For viewsets: responses made from records go through the lean representation, and a list or a
    record read by id answers with a validator (`ETag`); a request naming it in `If-None-Match` gets 304
    Not Modified, decided before rendering when the records' columns tell the whole answer."""

    lane_actions: tuple[str, ...] = ("list", "retrieve")  # answered by the fast lane (lanes_viewsets.py)

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if args and "data" not in kwargs and len(args) == 1 and set(kwargs) <= {"many"}:
            serializer_class = self.get_serializer_class()
            if _is_serializer(serializer_class):
                return LeanOutput(
                    representation_of(serializer_class),
                    args[0],
                    bool(kwargs.get("many")),
                    self.get_serializer_context(),
                )
        if "context" in kwargs:  # as DRF, without working out a context nobody uses (schema generation)
            return self.get_serializer_class()(*args, **kwargs)
        return super().get_serializer(*args, **kwargs)

    def prepare_records(self, objects: list) -> None:
        """Read what the records' rendering needs beyond their rows, for all of them at once (a viewset
        whose records carry related rows overrides this instead of prefetching model instances)."""

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        objects = [self.get_object()]
        self.prepare_records(objects)
        return self._answer(request, objects, many=False)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        objects = list(queryset if page is None else page)
        self.prepare_records(objects)
        return self._answer(request, objects, many=True, paged=page is not None)

    def _answer(self, request: Request, objects: list, many: bool, paged: bool = False) -> Response:
        serializer_class = self.get_serializer_class()
        if not _is_serializer(serializer_class):
            data = super().get_serializer(objects if many else objects[0], many=many).data
            return self.get_paginated_response(data) if paged else Response(data)
        representation = representation_of(serializer_class)
        context = self.get_serializer_context()
        envelope = (
            serializer_class.__module__,
            serializer_class.__qualname__,
            reader_key(context),
            request.get_full_path(),
            self.paginator.page.paginator.count if paged else None,
        )
        etag = None
        if request.META.get("HTTP_IF_NONE_MATCH"):  # decided before rendering when the columns tell it
            states = representation.states(objects, context)
            etag = etag_for((*envelope, states)) if states is not None else None
            if etag is not None and not_modified(request, etag):
                return Response(status=304, headers={"ETag": etag})
        rows = representation.render(objects, context, many=many)
        data = rows if many else rows[0]
        if etag is None:
            states = representation.states(objects, context, rows)
            # told by the answer itself when the columns cannot tell it: rendered, but not sent again
            etag = etag_for((*envelope, states if states is not None else repr(data)))
            if not_modified(request, etag):
                return Response(status=304, headers={"ETag": etag})
        response = self.get_paginated_response(data) if paged else Response(data)
        response["ETag"] = etag
        return response


def _is_serializer(serializer_class: Any) -> bool:
    return isinstance(serializer_class, type) and issubclass(serializer_class, serializers.Serializer)


def etag_for(parts: Iterable[Any]) -> str:
    """A weak validator over what a response is made of (the rows read, who reads them, in what language)."""
    digest = hashlib.blake2b(_canonical(tuple(parts)), digest_size=12).hexdigest()
    return f'W/"{digest}"'


def _canonical(parts: tuple) -> bytes:
    """The parts as bytes, the same for the same values: orjson writes what it knows natively (a page's
    columns are mostly instants, numbers and text) ten times faster than repr; the rest by its repr."""
    try:
        return orjson.dumps(parts, default=repr, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:  # beyond orjson (an integer over 64 bits, a recursion): repr says it all
        return repr(parts).encode()


def reader_key(context: dict[str, Any]) -> tuple:
    """Everything about the reader that shapes an answer besides the records: whose organization masks
    it, the address links are made with, language, time zone, format."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return (
        getattr(user, "pk", None),
        tenancy.customer_organization(user),
        request.build_absolute_uri("/") if request is not None else "",
        get_script_prefix(),
        translation.get_language(),
        timezone.get_current_timezone_name(),
        context.get("format"),
    )


def not_modified(request: Any, etag: str) -> bool:
    """If-None-Match names this validator (weak comparison, as RFC 9110 asks for GET and HEAD)."""
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    if not header or request.method not in ("GET", "HEAD"):
        return False
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in header.split(","))
