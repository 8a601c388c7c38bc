"""The one permission path: who may see and do what.

`restrict(queryset, user, action)` is called on every queryset that reaches a user (API, UI, search,
exports, attachments, reports). Rules, in order:

1. anonymous or inactive -> nothing; superuser -> everything;
2. customer users (role ``customer``) are confined to their own organization's records, and only for the
   actions a model opens to customers (usually ``view``); a model without a tenant path is invisible to them;
3. provider users act per process area through their roles: ``administrator`` everything, ``auditor`` views
   everything, ``<area>-manager`` every action in its area, ``<area>-agent`` view/add/change in its area;
   reference areas (parties, catalogue, calendars) are readable by every provider user.

Models declare their area and tenancy with class attributes (see `core.models.BaseModel`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import navigation
from .declaration import ADD, CHANGE, DELETE, VIEW, resource_for

if TYPE_CHECKING:
    from django.db.models import QuerySet

__all__ = ["ADD", "CHANGE", "DELETE", "VIEW"]
AGENT_ACTIONS = frozenset({VIEW, ADD, CHANGE})
ALL = "*"

CUSTOMER = "customer"
ADMINISTRATOR = "administrator"
AUDITOR = "auditor"


@dataclass(frozen=True)
class Area:
    """A process area of the SMS; the unit roles are granted on and the navigation is grouped by."""

    name: str
    label: Any
    readable_by_all_staff: bool = False
    nav_url: str | None = None
    order: int = 100
    customer_nav: bool = False  # shown in customer users' navigation (they see their own records there)


@dataclass
class Role:
    name: str
    label: Any
    grants: dict[str, frozenset[str]] = field(default_factory=dict)  # area -> actions ("*" = any)
    description: Any = ""


TOP_MANAGEMENT = "top-management"
AREAS: dict[str, Area] = {}
ROLES: dict[str, Role] = {
    ADMINISTRATOR: Role(ADMINISTRATOR, _("Administrator"), {ALL: frozenset({ALL})}, _("Every action")),
    AUDITOR: Role(AUDITOR, _("Auditor (read-only)"), {ALL: frozenset({VIEW})}, _("Reads every record")),
    CUSTOMER: Role(CUSTOMER, _("Customer user"), {}, _("Sees only its own organization's records")),
    TOP_MANAGEMENT: Role(
        TOP_MANAGEMENT,
        _("Top management"),
        {ALL: frozenset({VIEW})},
        _("Reads every record; told of major incidents and escalations"),
    ),
}


def register_area(
    name: str,
    label: Any,
    *,
    readable_by_all_staff: bool = False,
    nav_url: str | None = None,
    order: int = 100,
    role_prefix: str | None = None,
    with_roles: bool = True,
    customer_nav: bool = False,
    nav_group: str | None = None,
    nav_label: Any = None,
    nav_areas: tuple[str, ...] = (),
) -> Area:
    """Declare a process area and its two standard roles (`<prefix>-manager`, `<prefix>-agent`).

    With `nav_url` the area's main page is a sidebar entry in `nav_group` (core.navigation.GROUPS), labelled
    `nav_label` or the area's label, shown to whoever may view the area or any of `nav_areas`."""
    if nav_url and nav_group is None:
        raise ValueError(f"Area {name!r} has a menu page: name its sidebar group (nav_group=...)")
    area = Area(name, label, readable_by_all_staff, nav_url, order, customer_nav)
    AREAS[name] = area
    if nav_url:
        navigation.register_entry(
            nav_url,
            nav_label or label,
            group=nav_group,
            order=order,
            areas=(name, *nav_areas),
            customer=customer_nav,
        )
    if not with_roles:
        return area
    prefix = role_prefix or name
    ROLES[f"{prefix}-manager"] = Role(
        f"{prefix}-manager", _("%(area)s manager") % {"area": label}, {name: frozenset({ALL})}
    )
    ROLES[f"{prefix}-agent"] = Role(
        f"{prefix}-agent", _("%(area)s agent") % {"area": label}, {name: AGENT_ACTIONS}
    )
    return area


def grant_view(roles: tuple[str, ...], areas: tuple[str, ...]) -> None:
    """Let process roles read other areas their work depends on (e.g. change roles read the CMDB)."""
    for role in roles:
        grants = dict(ROLES[role].grants)
        for area in areas:
            grants.setdefault(area, frozenset({VIEW}))
        ROLES[role].grants = grants


def user_roles(user: Any) -> frozenset[str]:
    return frozenset(getattr(user, "roles", None) or ())


def is_customer_user(user: Any) -> bool:
    return bool(user and user.is_authenticated and not user.is_superuser and CUSTOMER in user_roles(user))


def is_provider_user(user: Any) -> bool:
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (bool(user_roles(user)) and not is_customer_user(user))


def area_allows(user: Any, area: str, action: str) -> bool:
    """Provider-side grant check for one area and action (customers are handled by tenancy)."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    roles = user_roles(user)
    if CUSTOMER in roles:
        return False
    for role_name in roles:
        role = ROLES.get(role_name)
        if role is None:
            continue
        for granted_area in (area, ALL):
            actions = role.grants.get(granted_area)
            if actions and (ALL in actions or action in actions):
                return True
    return bool(action == VIEW and roles and AREAS.get(area) and AREAS[area].readable_by_all_staff)


# --- the rule table -------------------------------------------------------------------------------------
# `rule(user, model, action)` is the one place access is decided. `restrict()` applies the rule to a
# queryset, `can()` to one record (in memory where the rule allows), `unrestricted()` asks whether it
# leaves everything, `has_permission()` whether it leaves anything at all: they cannot disagree.


class Rule:
    """How one user's access to the records of one model for one action is decided."""

    everything = False
    nothing = False

    def apply(self, queryset: QuerySet) -> QuerySet:
        raise NotImplementedError

    def allows(self, obj: models.Model) -> bool:
        """Is this stored record inside the rule? Asks the database unless the record itself tells."""
        model = type(obj)
        return self.apply(model._default_manager.all()).filter(pk=obj.pk).exists()

    def anything(self, model: type[models.Model]) -> bool:
        """Could any record be inside the rule? (No query: a scope that gives up says so with .none().)"""
        return not self.apply(model._default_manager.all()).query.is_empty()


class _Everything(Rule):
    everything = True

    def apply(self, queryset: QuerySet) -> QuerySet:
        return queryset

    def allows(self, obj: models.Model) -> bool:
        return True

    def __repr__(self) -> str:
        return "everything"


class _Nothing(Rule):
    nothing = True

    def apply(self, queryset: QuerySet) -> QuerySet:
        return queryset.none()

    def allows(self, obj: models.Model) -> bool:
        return False

    def __repr__(self) -> str:
        return "nothing"


EVERYTHING, NOTHING = _Everything(), _Nothing()


@dataclass(frozen=True)
class Tenant(Rule):
    """A customer user's slice: the records whose tenant path leads to the user's organization."""

    path: str
    organization_id: int

    def apply(self, queryset: QuerySet) -> QuerySet:
        model = queryset.model
        if "__" in self.path or _is_many(model, self.path):
            # Paths through many-valued relations would duplicate rows; a subquery keeps the queryset clean.
            inner = model._base_manager.filter(**{self.path: self.organization_id}).values("pk")
            return queryset.filter(pk__in=inner)
        return queryset.filter(**{self.path: self.organization_id})

    def allows(self, obj: models.Model) -> bool:
        model = type(obj)
        if "__" in self.path or _is_many(model, self.path) or obj.pk is None:
            return super().allows(obj)
        if self.path == "pk":
            return obj.pk == self.organization_id
        return getattr(obj, model._meta.get_field(self.path).attname) == self.organization_id


@dataclass(frozen=True)
class Scoped(Rule):
    """Visibility the declaration decides with its own query (see Resource.scope / customer_scope)."""

    narrow: Callable[[QuerySet], QuerySet]

    def apply(self, queryset: QuerySet) -> QuerySet:
        return self.narrow(queryset)


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def rule(user: Any, model: type[models.Model], action: str = VIEW) -> Rule:
    """The rule for `user` doing `action` on records of `model`, from the model's declaration:

    anonymous or inactive -> nothing; superuser -> everything; a declaration's own `scope` decides if it
    has one; customer users -> their organization's records through `customer_scope` or the tenant path,
    for the declared customer actions only; provider users -> everything their roles grant on the area
    (or on an area declared `readable_by`, for reading), within the declared staff actions."""
    if not _active(user):
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    resource = resource_for(model)
    if resource.has_scope():
        return Scoped(lambda qs: resource.scope(qs, user, action))
    if is_customer_user(user):
        org = user.organization_id
        if action not in resource.customer_actions or not org:
            return NOTHING
        if resource.has_customer_scope():
            return Scoped(lambda qs: resource.customer_scope(qs, org, action))
        return Tenant(resource.tenant, org) if resource.tenant else NOTHING
    if resource.staff_actions is not None and action not in resource.staff_actions:
        return NOTHING
    if area_allows(user, resource.area, action):
        return EVERYTHING
    if action == VIEW and (
        (resource.readable_by_all_staff and user_roles(user))
        or any(area_allows(user, area, VIEW) for area in resource.readable_by)
    ):
        return EVERYTHING
    return NOTHING


def restrict(queryset: QuerySet, user: Any, action: str = VIEW) -> QuerySet:
    """Narrow `queryset` to the records `user` may `action`; every queryset that reaches a user passes."""
    return rule(user, queryset.model, action).apply(queryset)


def can(user: Any, action: str, obj: models.Model) -> bool:
    """Is this one record inside the user's scope for `action`? (On every write's hot path: a record
    whose rule can be read from the record itself costs no query.)"""
    return rule(user, type(obj), action).allows(obj)


def unrestricted(user: Any, model: type[models.Model], action: str = VIEW) -> bool:
    """True when `restrict` would leave a queryset of `model` as it is for this user, so that a caller may
    read by primary key without composing the filter."""
    return rule(user, model, action).everything


def has_permission(user: Any, action: str, model: type[models.Model]) -> bool:
    """May this user do `action` on records of `model` at all (before looking at one record)?"""
    found = rule(user, model, action)
    return found.everything or (not found.nothing and found.anything(model))


def _is_many(model: type[models.Model], path: str) -> bool:
    try:
        field_obj = model._meta.get_field(path)
    except Exception:  # noqa: BLE001
        return False
    return bool(field_obj.many_to_many or field_obj.one_to_many)


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user: Any, action: str = VIEW) -> RestrictedQuerySet:
        return restrict(self, user, action)
