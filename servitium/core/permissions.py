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

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.models import QuerySet

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
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
) -> Area:
    """Declare a process area and its two standard roles (`<prefix>-manager`, `<prefix>-agent`)."""
    area = Area(name, label, readable_by_all_staff, nav_url, order, customer_nav)
    AREAS[name] = area
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


def has_permission(user: Any, action: str, model: type[models.Model]) -> bool:
    """May this user do `action` on records of `model` at all (before looking at one record)?"""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if is_customer_user(user):
        return action in getattr(model, "customer_actions", frozenset()) and bool(user.organization_id)
    return area_allows(user, model.permission_area, action)


def restrict(queryset: QuerySet, user: Any, action: str = VIEW) -> QuerySet:
    """Narrow `queryset` to the records `user` may `action`. The only place access is decided."""
    model = queryset.model
    hook = getattr(model, "restrict_queryset", None)
    if not user or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if hook is not None:
        return hook(queryset, user, action)
    if is_customer_user(user):
        return tenant_scope(queryset, user, action)
    if area_allows(user, model.permission_area, action):
        return queryset
    return queryset.none()


def unrestricted(user: Any, model: type[models.Model], action: str = VIEW) -> bool:
    """True when `restrict` would leave a queryset of `model` as it is for this user (same rules, in the
    same order), so that a caller may read by primary key without composing the filter."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if getattr(model, "restrict_queryset", None) is not None or is_customer_user(user):
        return False
    return area_allows(user, model.permission_area, action)


def tenant_scope(queryset: QuerySet, user: Any, action: str) -> QuerySet:
    """A customer user's slice: the model's tenant path must lead to the user's organization."""
    model = queryset.model
    path = getattr(model, "tenant_path", None)
    if (
        path is None
        or action not in getattr(model, "customer_actions", frozenset())
        or not user.organization_id
    ):
        return queryset.none()
    if "__" in path or _is_many(model, path):
        # Paths through many-valued relations would duplicate rows; a subquery keeps the queryset clean.
        inner = model._base_manager.filter(**{path: user.organization_id}).values("pk")
        return queryset.filter(pk__in=inner)
    return queryset.filter(**{path: user.organization_id})


def _is_many(model: type[models.Model], path: str) -> bool:
    try:
        field_obj = model._meta.get_field(path)
    except Exception:  # noqa: BLE001
        return False
    return bool(field_obj.many_to_many or field_obj.one_to_many)


def can(user: Any, action: str, obj: models.Model) -> bool:
    """Is this one record inside the user's scope for `action`?

    For a stored record of a model without its own scoping hook, whose tenant path is a direct foreign key,
    the answer is read from the record in memory: the same rule `restrict` applies, without a query (this
    is on every write's hot path). Everything else asks the database through `restrict`."""
    model = type(obj)
    path = getattr(model, "tenant_path", None)
    simple = path is None or ("__" not in path and not _is_many(model, path))
    if obj.pk is not None and simple and getattr(model, "restrict_queryset", None) is None:
        if not user or not user.is_authenticated or not user.is_active:
            return False
        if user.is_superuser:
            return True
        if not is_customer_user(user):
            return area_allows(user, model.permission_area, action)
        if path is None or action not in getattr(model, "customer_actions", frozenset()):
            return False
        owner = getattr(obj, model._meta.get_field(path).attname)
        return bool(user.organization_id) and owner == user.organization_id
    return restrict(model._default_manager.all(), user, action).filter(pk=obj.pk).exists()


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user: Any, action: str = VIEW) -> RestrictedQuerySet:
        return restrict(self, user, action)
