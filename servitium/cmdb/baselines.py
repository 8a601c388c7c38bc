"""Baselines: which CIs a scope covers, what one CI looks like frozen (its snapshot), and the differences
between two snapshots (two baselines, or a baseline and the records as they are now).

A snapshot is plain JSON so it survives later changes to the CI, its type or the people it names:
`{"name", "ci_type", "status", "version", "owner", "location", "service", "customers", "master_copies",
"attributes", "relationships": [{"kind", "target", "target_name"}]}`; related records are kept by name
(and the target CI by reference), since that is what a reader compares.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import CIRelationship, CIType, ConfigurationItem
from .records import Baseline

COMPARED = (
    "name",
    "ci_type",
    "status",
    "version",
    "owner",
    "location",
    "service",
    "customers",
    "master_copies",
)


def scope_cis(scope: str, scope_id: int | None) -> list[int]:
    """Ids of the CIs a baseline (or audit) scope covers now. `service`: the service CI and everything it
    depends on, transitively."""
    from .selectors import walk

    if scope == Baseline.Scope.SERVICE:
        if not ConfigurationItem.objects.filter(pk=scope_id).exists():
            raise ValidationError({"scope_id": _("No CI with id %(id)s.") % {"id": scope_id}})
        return [scope_id, *walk(scope_id, upstream=True)]
    if scope == Baseline.Scope.CI_TYPE:
        if not CIType.objects.filter(pk=scope_id).exists():
            raise ValidationError({"scope_id": _("No CI type with id %(id)s.") % {"id": scope_id}})
        return list(ConfigurationItem.objects.filter(ci_type=scope_id).values_list("pk", flat=True))
    if scope == Baseline.Scope.CUSTOMER:
        return list(ConfigurationItem.objects.filter(customers=scope_id).values_list("pk", flat=True))
    raise ValidationError({"scope": _("Unknown scope %(s)r.") % {"s": scope}})


def snapshots(ci_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The snapshot of each CI, keyed by CI id, in a fixed number of queries whatever the count."""
    ids = list(dict.fromkeys(ci_ids))
    result: dict[int, dict[str, Any]] = {}
    items = (
        ConfigurationItem.objects.filter(pk__in=ids)
        .select_related("ci_type", "owner", "location", "service")
        .prefetch_related("customers", "master_copies")
    )
    for ci in items.iterator(chunk_size=2000):
        result[ci.pk] = {
            "reference": ci.reference,
            "name": ci.name,
            "ci_type": ci.ci_type.name,
            "status": ci.status,
            "version": ci.version,
            "owner": ci.owner.name if ci.owner else None,
            "location": ci.location.name if ci.location else None,
            "service": ci.service.name if ci.service else None,
            "customers": sorted(o.name for o in ci.customers.all()),
            "master_copies": sorted(str(m) for m in ci.master_copies.all()),
            "attributes": dict(sorted((ci.attributes or {}).items())),
            "relationships": [],
        }
    relations = (
        CIRelationship.objects.filter(source__in=list(result))
        .order_by("source_id", "kind", "target__reference")
        .values_list("source_id", "kind", "target__reference", "target__name")
    )
    for source, kind, target, target_name in relations.iterator(chunk_size=5000):
        result[source]["relationships"].append({"kind": kind, "target": target, "target_name": target_name})
    return result


def _relations(snaps: dict[int, dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {
        (snap["reference"], rel["kind"], rel["target"])
        for snap in snaps.values()
        for rel in snap["relationships"]
    }


def _field_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    changes = {}
    for name in COMPARED:
        if before.get(name) != after.get(name):
            changes[name] = {"before": before.get(name), "after": after.get(name)}
    old, new = before.get("attributes") or {}, after.get("attributes") or {}
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            changes[f"attributes.{key}"] = {"before": old.get(key), "after": new.get(key)}
    return changes


def _summary(ci_id: int, snap: dict[str, Any]) -> dict[str, Any]:
    return {"ci": ci_id, "reference": snap["reference"], "name": snap["name"], "ci_type": snap["ci_type"]}


def diff(before: dict[int, dict[str, Any]], after: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """What changed from one set of snapshots to another: CIs added, removed and changed (field by field,
    attributes one by one), and relationships added and removed (as source reference, kind, target
    reference)."""
    changed = []
    for ci_id in sorted(set(before) & set(after), key=lambda i: (after[i]["name"], i)):
        fields = _field_changes(before[ci_id], after[ci_id])
        if fields:
            changed.append({**_summary(ci_id, after[ci_id]), "fields": fields})
    old_rel, new_rel = _relations(before), _relations(after)

    def rel_rows(rows: set[tuple[str, str, str]]) -> list[dict[str, str]]:
        return [{"source": s, "kind": k, "target": t} for s, k, t in sorted(rows)]

    return {
        "added": [
            _summary(i, after[i]) for i in sorted(set(after) - set(before), key=lambda i: after[i]["name"])
        ],
        "removed": [
            _summary(i, before[i]) for i in sorted(set(before) - set(after), key=lambda i: before[i]["name"])
        ],
        "changed": changed,
        "relationships": {"added": rel_rows(new_rel - old_rel), "removed": rel_rows(old_rel - new_rel)},
    }


def stored(baseline: Baseline) -> dict[int, dict[str, Any]]:
    """A baseline's snapshots as taken."""
    return {item.ci_pk: item.data for item in baseline.items.all().iterator(chunk_size=2000)}


def current(baseline: Baseline) -> dict[int, dict[str, Any]]:
    """The same scope as the baseline, as the records are now: for a service, type or customer the scope is
    worked out again (so new CIs show as added); chosen CIs are the same CIs (deleted ones as removed)."""
    if baseline.scope == Baseline.Scope.CIS:
        ids = list(baseline.items.values_list("ci_pk", flat=True))
    else:
        try:
            ids = scope_cis(baseline.scope, baseline.scope_id)
        except ValidationError:  # the scope's record is gone: nothing of it is left now
            ids = []
    return snapshots(ids)
