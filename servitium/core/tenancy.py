"""Tenant-safe representations: a customer user learns which organizations a record names only as far as
its own organization goes. A service several customers receive shows a customer itself among the
`customers`, never the others (nor their names).

Every channel that shows records to people (API serializers, the API's lean renderer, UI pages, CSV
exports) passes its values through `mask` / `visible_value`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import models

from . import permissions
from .declaration import tenant_model


def customer_organization(user: Any) -> int | None:
    """The organization whose records a customer user is confined to; None for everybody else."""
    if permissions.is_customer_user(user):
        return user.organization_id or 0
    return None


@cache
def _tenant_relations(model: type[models.Model]) -> dict[str, bool]:
    """Field name -> many-valued, for the model's relations that point at organizations."""
    target = tenant_model()
    found = {}
    for field in model._meta.get_fields():
        if field.is_relation and field.concrete and field.related_model is target:
            found[field.name] = bool(field.many_to_many)
    if model is target:
        found["pk"] = False
    return found


def tenant_fields(model: type[models.Model], names) -> dict[str, bool]:
    """Of the given field names, those that name organizations (-> whether many-valued)."""
    relations = _tenant_relations(model)
    return {name: relations[name] for name in names if name in relations}


def mask(data: dict[str, Any], fields: dict[str, bool], organization: int) -> dict[str, Any]:
    """Keep only the customer's own organization in the organization-valued entries of `data`."""
    for name, many in fields.items():
        value = data.get(name)
        if many:
            data[name] = [v for v in value or () if _pk(v) == organization]
        elif value is not None and _pk(value) != organization:
            data[name] = None
    return data


def visible_related(obj: models.Model, name: str, user: Any) -> list[models.Model]:
    """The records of a many-valued relation of `obj` that `user` may be shown: only their own among
    organizations, and only records the user may read among anything else (a problem's incidents)."""
    organization = customer_organization(user)
    manager = getattr(obj, name)
    if organization is not None and tenant_fields(type(obj), [name]):
        return [v for v in manager.all() if v.pk == organization]
    if user is None or permissions.unrestricted(user, manager.model):
        return list(manager.all())  # prefetched where the list prefetches it
    return list(permissions.restrict(manager.all(), user))


def visible_one(obj: models.Model, name: str, user: Any) -> Any:
    """The record a foreign key of `obj` points to, or None when `user` may not learn which it is."""
    value = getattr(obj, name)
    organization = customer_organization(user)
    if value is not None and organization is not None and tenant_fields(type(obj), [name]):
        return value if value.pk == organization else None
    return value


def _pk(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else getattr(value, "pk", value)
