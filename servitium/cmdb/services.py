"""Writes of configuration management: CI types (and the default set), CIs and their relationships. Every
write goes through the audited core services; the models validate schemas and attributes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from servitium.core import services as core_services

from . import baselines, control, selectors
from .models import CIRelationship, CIType, ConfigurationItem
from .records import Baseline, BaselineItem

S, INT, N, B, D = "string", "integer", "number", "boolean", "date"


def _attr(kind: str, required: bool = False, choices: list | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": kind, "required": required}
    if choices:
        spec["choices"] = choices
    return spec


# name -> (description, attribute schema, put under change control by a new change policy)
DEFAULT_TYPES: dict[str, tuple[str, dict[str, Any], bool]] = {
    "service": (
        "A service as delivered to customers; usually linked to its catalogue entry.",
        {"service_level": _attr(S, choices=["gold", "silver", "bronze"]), "public_endpoint": _attr(S)},
        True,
    ),
    "application": (
        "Software that delivers part of a service: a mail relay, a portal, an identity provider.",
        {"vendor": _attr(S), "language": _attr(S), "port": _attr(INT)},
        True,
    ),
    "database": (
        "A database instance or cluster.",
        {
            "engine": _attr(S, True, ["postgresql", "mysql", "mariadb", "mssql", "oracle"]),
            "engine_version": _attr(S),
            "size_gb": _attr(N),
            "replicated": _attr(B),
        },
        True,
    ),
    "server": (
        "A physical server, such as a hypervisor host.",
        {
            "os": _attr(S, True),
            "cpu_cores": _attr(INT, True),
            "memory_gb": _attr(INT, True),
            "serial_number": _attr(S),
            "rack": _attr(S),
        },
        True,
    ),
    "virtual machine": (
        "A virtual machine on a hypervisor host.",
        {
            "os": _attr(S, True),
            "vcpus": _attr(INT, True),
            "memory_gb": _attr(INT, True),
            "ip_address": _attr(S),
        },
        True,
    ),
    "container cluster": (
        "A container orchestration cluster (e.g. Kubernetes).",
        {"platform": _attr(S, True), "platform_version": _attr(S), "node_count": _attr(INT)},
        True,
    ),
    "network device": (
        "A switch, router, firewall or load balancer.",
        {
            "role": _attr(S, True, ["switch", "router", "firewall", "load balancer"]),
            "vendor": _attr(S),
            "model": _attr(S),
            "management_ip": _attr(S),
        },
        True,
    ),
    "storage": (
        "A storage system: SAN array, object store, backup repository.",
        {"kind": _attr(S, True, ["block", "object", "file", "backup"]), "capacity_tb": _attr(N, True)},
        True,
    ),
    "licence": (
        "A software licence or support subscription the services rely on.",
        {
            "licensed_units": _attr(INT, True),
            "unit": _attr(S),
            "expires_on": _attr(D, True),
            "contract_reference": _attr(S),
            "units_in_use": _attr(INT),
        },
        False,
    ),
    "document": (
        "A controlled document: a runbook, an architecture description, a service design.",
        {"document_version": _attr(S), "review_due": _attr(D)},
        False,
    ),
    "supplier service": (
        "A service a supplier delivers to the provider: WAN links, colocation, vendor support.",
        {"contract_reference": _attr(S), "support_hours": _attr(S)},
        True,
    ),
}


@transaction.atomic
def ensure_default_types(*, actor: Any = None) -> dict[str, CIType]:
    """Create the default CI types that are missing (by name); existing ones are left as they are."""
    existing = {t.name: t for t in CIType.objects.filter(name__in=list(DEFAULT_TYPES))}
    for name, (description, schema, _controlled) in DEFAULT_TYPES.items():
        if name not in existing:
            existing[name] = core_services.record_create(
                model=CIType,
                data={"name": name, "description": description, "attribute_schema": schema},
                actor=actor,
            )
    return existing


def ci_type_update(
    *, actor: Any, instance: CIType, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> CIType:
    """Change a CI type. A new schema must still fit the attributes its CIs carry."""
    with transaction.atomic():
        ci_type = core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)
        if "attribute_schema" in data:
            from .models import attribute_errors

            for ci in ci_type.items.only("id", "reference", "attributes").iterator():
                errors = attribute_errors(ci_type.attribute_schema, ci.attributes)
                if errors:
                    raise ValidationError(
                        {
                            "attribute_schema": [
                                _("%(ci)s no longer fits: %(errors)s")
                                % {"ci": ci.reference, "errors": "; ".join(errors)}
                            ]
                        }
                    )
        return ci_type


DEFAULT_CONTROLLED_TYPES = frozenset(
    name for name, (_d, _s, controlled) in DEFAULT_TYPES.items() if controlled
)


def ci_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> ConfigurationItem:
    data = dict(data)
    data.pop("change", None)  # registering a CI is not a change to a controlled one
    return core_services.record_create(model=ConfigurationItem, data=data, actor=actor, m2m=m2m)


def ci_update(
    *,
    actor: Any,
    instance: ConfigurationItem,
    data: dict[str, Any],
    m2m: dict[str, Any] | None = None,
    change: Any = None,
) -> ConfigurationItem:
    data = dict(data)
    change = data.pop("change", None) or change
    control.require_authorised(actor, [instance], change)
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def ci_delete(*, actor: Any, instance: ConfigurationItem) -> None:
    """Delete a CI; its relationships go first, each with its own change-log entry."""
    control.require_authorised(actor, [instance])
    for relationship in CIRelationship.objects.filter(Q(source=instance) | Q(target=instance)):
        core_services.record_delete(instance=relationship, actor=actor)
    core_services.record_delete(instance=instance, actor=actor)


def relationship_create(
    *, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> CIRelationship:
    data = dict(data)
    control.require_authorised(actor, [data.get("source"), data.get("target")], data.pop("change", None))
    return core_services.record_create(model=CIRelationship, data=data, actor=actor, m2m=m2m)


def relationship_update(
    *, actor: Any, instance: CIRelationship, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> CIRelationship:
    data = dict(data)
    change = data.pop("change", None)
    ends = [instance.source, instance.target, data.get("source"), data.get("target")]
    control.require_authorised(actor, ends, change)
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


def relationship_delete(*, actor: Any, instance: CIRelationship) -> None:
    control.require_authorised(actor, [instance.source, instance.target])
    core_services.record_delete(instance=instance, actor=actor)


# --- baselines ---------------------------------------------------------------------------------------------


def _source_of(source: Any) -> dict[str, Any]:
    """`source` as stored: a record (e.g. a deployment), an `("app.model", id)` pair, or None."""
    if source is None:
        return {"source_type": "", "source_id": None}
    if isinstance(source, tuple | list):
        object_type, object_id = source
        return {"source_type": str(object_type), "source_id": int(object_id)}
    return {"source_type": f"{source._meta.app_label}.{source._meta.model_name}", "source_id": source.pk}


@transaction.atomic
def baseline_create(
    *,
    actor: Any,
    name: str,
    cis: Any,
    purpose: str = "",
    source: Any = None,
    scope: str = Baseline.Scope.CIS,
    scope_id: int | None = None,
) -> Baseline:
    """Freeze the CIs `cis` (CIs or ids) as they are now into a new baseline, one snapshot row per CI,
    with its relationships. `source` links what caused it (a release, a deployment, an audit)."""
    ids = list(dict.fromkeys(getattr(c, "pk", c) for c in cis))
    if not ids:
        raise ValidationError({"cis": _("A baseline needs at least one configuration item.")})
    snaps = baselines.snapshots(ids)
    unknown = [i for i in ids if i not in snaps]
    if unknown:
        raise ValidationError({"cis": _("No CI with id(s) %(ids)s.") % {"ids": ", ".join(map(str, unknown))}})
    baseline = core_services.record_create(
        model=Baseline,
        data={"name": name, "purpose": purpose, "scope": scope, "scope_id": scope_id},
        derived={"item_count": len(snaps), **_source_of(source)},
        actor=actor,
    )
    BaselineItem.objects.bulk_create(
        [
            BaselineItem(
                baseline=baseline, ci_pk=pk, reference=snap["reference"], name=snap["name"], data=snap
            )
            for pk, snap in snaps.items()
        ],
        batch_size=1000,
    )
    return baseline


def baseline_for_scope(
    *, actor: Any, name: str, scope: str, scope_id: int, purpose: str = "", source: Any = None
) -> Baseline:
    """A baseline of a service (its CI and everything it depends on), of a CI type or of a customer's
    CIs."""
    ids = baselines.scope_cis(scope, scope_id)
    return baseline_create(
        actor=actor, name=name, cis=ids, purpose=purpose, source=source, scope=scope, scope_id=scope_id
    )


def baseline_for_cis(
    *, actor: Any, name: str, cis: Any, purpose: str = "", source: Any = None, with_dependencies: bool = True
) -> Baseline:
    """A baseline of the given CIs and, unless told otherwise, everything they depend on (what a release
    touches and the stack under it)."""
    ids = [getattr(c, "pk", c) for c in cis]
    if with_dependencies:
        ids = [*ids, *(dep for pk in list(ids) for dep in selectors.walk(pk, upstream=True))]
    return baseline_create(actor=actor, name=name, cis=ids, purpose=purpose, source=source)


def baseline_delete(*, actor: Any, instance: Baseline) -> None:
    """Baselines are evidence: they are never changed and only a configuration manager may remove one."""
    core_services.record_delete(instance=instance, actor=actor)


def baseline_update(*, actor: Any, instance: Baseline, data: dict[str, Any], m2m: Any = None) -> Baseline:
    """Only the name and purpose of a baseline may be corrected (resources.BaselineResource); its content is
    frozen."""
    return core_services.record_update(instance=instance, data=data, actor=actor)
