"""One declaration per record type: who may see it, who may write which field, its status, its tenant path,
how its lists filter, sort and search.

Every app states this once per model in its ``resources.py``::

    class ServiceResource(Resource):
        model = Service
        area = "catalog"
        tenant = "customers"
        customer_actions = {VIEW}
        status = "status"
        workflow = SERVICE_WORKFLOW
        fields = ("reference", "name", "description", "status", "owner", "customers", "depends_on")
        staff = Access(create=("name", "description", "owner", "customers", "depends_on"))
        filters = ("status", "owner", "customers", "depends_on", "reference")
        search = ("name", "description", "reference")
        orderings = ("name", "reference", "status", "created", "updated")

and everything else derives from it: the permission rules (`core.permissions`), the input rules every
write obeys whatever its channel (`core.services`), the API serializer and the lane's input parsing
(`core.api`), the UI form, one FilterSet for the API and UI lists (`core.filters`), the OpenAPI
description and the generated test suites. A declared rule lives nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .workflow import Workflow

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
EVERY_ACTION = frozenset({VIEW, ADD, CHANGE, DELETE})
# Present on every record's representation without being declared (API.md: id, url, created, updated).
FRAME_START = ("id", "url")
FRAME_END = ("created", "updated")


@dataclass(frozen=True)
class Access:
    """What one audience (provider staff or customer users) may write on a record type.

    ``create``: the fields it may set when creating; ``update``: when changing (``None``: the same as
    create); ``required``: fields it must give on create (``None``: as the model says); ``create_form``:
    the fields the new-record page asks for when that is fewer than ``create`` (``None``: all of them),
    the rest being set on the record's own page afterwards.
    """

    create: tuple[str, ...] = ()
    update: tuple[str, ...] | None = None
    required: tuple[str, ...] | None = None
    create_form: tuple[str, ...] | None = None

    def writes(self, creating: bool) -> tuple[str, ...]:
        return self.create if creating or self.update is None else self.update

    @property
    def every_write(self) -> frozenset[str]:
        return frozenset(self.create) | frozenset(self.update or ())


NO_WRITES = Access()


@dataclass(frozen=True)
class Indexed:
    """What the global search finds a record type by (core/searchindex.py keeps the index, core/search.py
    reads it).

    ``title``: the field shown as the result's heading (a path such as ``organization__name`` is read
    through the relation; empty: the record's own name, ``str(record)``); ``body``: further text found and
    shown in the snippet. A ``reference`` field, where the model has one, is always indexed and matched
    exactly. ``staff_only``: customer users never find these records here, even their own (their
    organization's own entry).
    """

    title: str = ""
    body: tuple[str, ...] = ()
    staff_only: bool = False

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(p for p in (self.title, *self.body) if p)


class Resource:
    """The declaration of one record type. Subclasses that set ``model`` are registered on definition."""

    model: ClassVar[type[models.Model]]
    # --- who may see and act (core.permissions derives restrict(), can() and the fast path from these) ----
    area: ClassVar[str] = "administration"  # the process area whose roles govern the records
    readable_by: ClassVar[tuple[str, ...]] = ()  # other areas whose roles may read them too
    readable_by_all_staff: ClassVar[bool] = False  # reference data every provider user reads
    staff_actions: ClassVar[frozenset[str] | None] = None  # a cap on what any provider role may do
    tenant: ClassVar[str | None] = None  # lookup from a record to the customer organization owning it
    customer_actions: ClassVar[frozenset[str]] = frozenset()  # what customer users may do with their own
    # --- what may be written ---------------------------------------------------------------------------
    status: ClassVar[str | None] = None  # written only by the workflow's transitions
    workflow: ClassVar[Workflow | None] = None
    fields: ClassVar[tuple[str, ...]] = ()  # the representation, between id/url and created/updated
    computed: ClassVar[tuple[str, ...]] = ()  # names in `fields` that are not model fields (the API's)
    write_only: ClassVar[tuple[str, ...]] = ()  # names in `fields` accepted but never shown (a password)
    # names in `fields` the record's page does not list among the details, because the page shows them its own
    # way (a report's frozen figures are the report itself)
    detail_hidden: ClassVar[tuple[str, ...]] = ()
    staff: ClassVar[Access] = NO_WRITES
    customer: ClassVar[Access] = NO_WRITES
    # --- lists -----------------------------------------------------------------------------------------
    filters: ClassVar[tuple[str, ...] | dict[str, list[str]]] = ()  # names, or name -> lookups
    search: ClassVar[tuple[str, ...]] = ()  # what the list's `?search=` looks in
    orderings: ClassVar[tuple[str, ...]] = ()
    ordering: ClassVar[tuple[str, ...]] = ()  # the list's default order (empty: the model's)
    columns: ClassVar[tuple[str, ...]] = ()  # the list page's columns (empty: the first four fields)
    list_filters: ClassVar[tuple[str, ...]] = ()  # the filters the list page offers as choices
    # Filters beyond "equals this field": name -> a django-filter Filter (e.g. `since` on a date, a slug
    # of a related record); `method` may be a callable (queryset, name, value) -> queryset.
    extra_filters: ClassVar[dict[str, Any]] = {}
    # Text columns (at most three) whose combinations the database keeps a running count of, so a list
    # filtered by nothing but these is counted without visiting the table (core/keptcounts.py).
    counted_by: ClassVar[tuple[str, ...]] = ()
    # --- the global search (the top bar's box, /search/, /api/v1/search/); None: not found there ---------
    indexed: ClassVar[Indexed | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "model" in cls.__dict__:
            cls.customer_actions = frozenset(cls.customer_actions)
            if cls.staff_actions is not None:
                cls.staff_actions = frozenset(cls.staff_actions)
            register(cls)

    # --- custom scopes -----------------------------------------------------------------------------------
    # A record type whose visibility is not "the area's roles, and customers through the tenant path" says
    # so by overriding one of these. They are the only places such rules live.
    @classmethod
    def customer_scope(cls, queryset: QuerySet, organization_id: int, action: str) -> QuerySet | None:
        """The records a customer user of `organization_id` may `action`; None: follow `tenant`."""
        return None

    @classmethod
    def scope(cls, queryset: QuerySet, user: Any, action: str) -> QuerySet | None:
        """Visibility decided by the records themselves (e.g. comments follow the record they hang on);
        None: the standard rules. Called for every signed-in user but superusers."""
        return None

    # --- derived views of the declaration --------------------------------------------------------------
    @classmethod
    def has_scope(cls) -> bool:
        return cls.scope.__func__ is not Resource.scope.__func__

    @classmethod
    def has_customer_scope(cls) -> bool:
        return cls.customer_scope.__func__ is not Resource.customer_scope.__func__

    @classmethod
    def read_only(cls) -> frozenset[str]:
        """Stored fields of the representation nobody writes as input (a priority, a reference, dates
        the lifecycle stamps). Sent with a new value, they are refused by name rather than ignored."""
        names = set()
        for name in cls.fields:
            field = cls.model_field(name)
            stored = field is not None and (field.concrete or field.many_to_many)
            if stored and name not in cls.computed and name != cls.status and name not in cls.writable():
                names.add(name)
        return frozenset(names)

    @classmethod
    def owned_by_one_customer(cls) -> bool:
        """Does each record belong to one customer organization (not shared by several, nor public)?"""
        if cls.has_customer_scope() or not cls.tenant:
            return False
        model = cls.model
        for part in cls.tenant.split("__"):
            if part == "pk":
                return True
            field = model._meta.get_field(part)
            if field.many_to_many or field.one_to_many:
                return False
            model = field.related_model or model
        return True

    @classmethod
    def representation(cls) -> list[str]:
        """Every field name of the record's API representation, in order."""
        names = {f.name for f in cls.model._meta.get_fields()}
        start = [n for n in FRAME_START if n not in cls.fields]
        end = [n for n in FRAME_END if n in names and n not in cls.fields]
        return [*start, *(n for n in cls.fields if n not in cls.write_only), *end]

    @classmethod
    def writable(cls) -> frozenset[str]:
        """Fields some audience may write (the API accepts them; the services decide per audience)."""
        return cls.staff.every_write | cls.customer.every_write

    @classmethod
    def access(cls, audience: str | None) -> Access | None:
        """The write rules of an audience (`staff`, `customer`); None for the system (jobs, imports)."""
        if audience is None:
            return None
        return cls.customer if audience == CUSTOMER_AUDIENCE else cls.staff

    @classmethod
    def model_field(cls, name: str) -> models.Field | None:
        try:
            return cls.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None

    @classmethod
    def list_columns(cls) -> tuple[str, ...]:
        if cls.columns:
            return cls.columns
        return tuple(n for n in cls.fields if cls.model_field(n) is not None)[:4]

    @classmethod
    def label(cls) -> str:
        return f"{cls.model._meta.app_label}.{cls.model._meta.model_name}"


STAFF_AUDIENCE = "staff"
CUSTOMER_AUDIENCE = "customer"

_RESOURCES: dict[type[models.Model], type[Resource]] = {}
_DEFAULTS: dict[type[models.Model], type[Resource]] = {}


def register(resource: type[Resource]) -> type[Resource]:
    model = resource.model
    if model in _RESOURCES and _RESOURCES[model].__qualname__ != resource.__qualname__:
        raise ImproperlyConfigured(f"{model.__name__} is declared twice: {_RESOURCES[model]} and {resource}")
    _RESOURCES[model] = resource
    return resource


def resource_for(model: type[models.Model]) -> type[Resource]:
    """The declaration of `model`. A model nobody declared is administration data: administrators act on
    it, auditors read it, nobody else sees it."""
    model = model._meta.concrete_model or model
    found = _RESOURCES.get(model)
    if found is not None:
        return found
    default = _DEFAULTS.get(model)
    if default is None:
        default = _DEFAULTS[model] = type(f"{model.__name__}Undeclared", (Resource,), {})
        default.model = model  # set after creation: an undeclared model is not registered
    return default


def is_declared(model: type[models.Model]) -> bool:
    return (model._meta.concrete_model or model) in _RESOURCES


def declared() -> list[type[Resource]]:
    """Every registered declaration, in a stable order."""
    return sorted(_RESOURCES.values(), key=lambda r: r.label())


def tenant_model() -> type[models.Model]:
    """The model customer organizations are records of (parties.Organization; a setting keeps core
    free of the apps)."""
    return apps.get_model(settings.SERVITIUM_TENANT_MODEL)


def check_declarations() -> list[str]:
    """Every declared name must exist and every rule must be coherent; returns the problems found
    (run by a test and at start-up in debug)."""
    problems = []
    for resource in declared():
        label = resource.label()
        extra = set(resource.computed)
        for name in resource.fields:
            if resource.model_field(name) is None and name not in extra:
                problems.append(f"{label}: field {name} is neither a model field nor declared `computed`")
        problems += [
            f"{label}: detail_hidden names {name}, which is not in `fields`"
            for name in resource.detail_hidden
            if name not in resource.fields
        ]
        for audience, access in (("staff", resource.staff), ("customer", resource.customer)):
            for name in access.every_write | frozenset(access.required or ()):
                if name not in resource.fields:
                    problems.append(f"{label}: {audience} writes {name}, which is not in `fields`")
                if name == resource.status:
                    problems.append(f"{label}: {audience} writes the status field {name}")
            for name in access.create_form or ():
                if name not in access.create:
                    problems.append(f"{label}: {audience}'s create form asks for {name}, not in `create`")
        if resource.customer.every_write and not ({ADD, CHANGE} & resource.customer_actions):
            problems.append(f"{label}: customers have writable fields but may neither add nor change")
        names = resource.filters if isinstance(resource.filters, tuple) else tuple(resource.filters)
        for name in (*names, *resource.orderings, *resource.search, *resource.columns):
            root = name.lstrip("-").split("__")[0]
            if resource.model_field(root) is None:
                problems.append(f"{label}: list option {name} names no model field")
        for name in resource.list_filters:
            if name not in names and name not in resource.extra_filters:
                problems.append(f"{label}: list filter {name} is not among `filters`")
        for name in resource.indexed.paths if resource.indexed else ():
            if resource.model_field(name.split("__")[0]) is None:
                problems.append(f"{label}: indexed text {name} names no model field")
        if resource.status and resource.model_field(resource.status) is None:
            problems.append(f"{label}: status field {resource.status} does not exist")
        if len(resource.counted_by) > 3:
            problems.append(f"{label}: counted_by names more than three columns")
        for name in resource.counted_by:
            field = resource.model_field(name)
            if not isinstance(field, models.CharField) or field.null:
                problems.append(f"{label}: counted_by names {name}, which is not a text column without nulls")
    return problems
