"""Reads of configuration management that need thought: impact analysis (what is affected when a CI fails)
and dependencies (what a CI relies on), both transitive and cycle-safe; the licence positions (2018 8.2.5);
and the service map around one CI.

Each walk of the graph is one recursive query (`WITH RECURSIVE ... UNION`, which drops rows already
reached, so cycles end; see `walk_sql`); the results then pass through `permissions.restrict` for the
reader. The walk itself sees the whole graph: a reader is told about the CIs, services and customers it
may see, even when the path to them crosses CIs it may not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from servitium.catalog.models import Service
from servitium.core import permissions
from servitium.parties.models import Organization

from .models import CIRelationship, ConfigurationItem


@dataclass
class Reach:
    """The CIs reached from one CI (itself excluded), with the services and customers behind them."""

    ci: ConfigurationItem
    cis: QuerySet[ConfigurationItem]
    services: QuerySet[Service]
    customers: QuerySet[Organization]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ci": {"id": self.ci.pk, "reference": self.ci.reference, "name": self.ci.name},
            "cis": [
                {
                    "id": ci.pk,
                    "reference": ci.reference,
                    "name": ci.name,
                    "ci_type": ci.ci_type.name,
                    "status": ci.status,
                }
                for ci in self.cis
            ],
            "services": [{"id": s.pk, "name": s.name} for s in self.services],
            "customers": [{"id": o.pk, "name": o.name} for o in self.customers],
        }


def walk_sql(start: int, *, upstream: bool) -> tuple[str, list[Any]]:
    """The recursive query of every CI reachable from `start` (`start` included), and its parameters.

    Downstream (impact): follow each relationship from target back to its source. Upstream (dependencies):
    from source to target. `connects_to` is followed both ways in either walk. Each step joins the CIs just
    reached to the relationships through the indexes on source and target (an OR join, so that the
    recursive term names `reached` once), and `UNION` drops what was already reached, so cycles end.
    """
    rel = connection.ops.quote_name(CIRelationship._meta.db_table)
    near, far = ("target_id", "source_id") if not upstream else ("source_id", "target_id")
    # Identifiers only come from the code (table and column names); values are parameters.
    sql = f"""
        WITH RECURSIVE reached(id) AS (
            SELECT CAST(%s AS BIGINT)
            UNION
            SELECT CASE WHEN r.{near} = reached.id THEN r.{far} ELSE r.{near} END
            FROM {rel} r JOIN reached
              ON r.{near} = reached.id OR (r.{far} = reached.id AND r.kind = %s)
        )
        SELECT id FROM reached
    """  # noqa: S608
    return sql, [start, CIRelationship.Kind.CONNECTS_TO]


def walk(start: int, *, upstream: bool) -> list[int]:
    """Ids of every CI reachable from `start` (excluded), in one query."""
    sql, params = walk_sql(start, upstream=upstream)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall() if row[0] != start]


# Up to this many CIs reached, the next queries name them one parameter each; past it, PostgreSQL gets them
# as one array parameter (it caps parameters at 65,535) and SQLite repeats the walk as a subquery.
INLINE_IDS = 2000


def _reach(ci: ConfigurationItem, user: Any, *, upstream: bool) -> Reach:
    ids = walk(ci.pk, upstream=upstream)
    if len(ids) < INLINE_IDS:
        reached: Any = ids
        scope: Any = [ci.pk, *ids]  # the CI's own services and customers are affected too
    elif connection.vendor == "postgresql":  # one array parameter, whatever the count
        scope = RawSQL("SELECT unnest(%s::bigint[])", [[ci.pk, *ids]])  # noqa: S611
        reached = RawSQL("SELECT unnest(%s::bigint[])", [ids])  # noqa: S611
    else:
        sql, params = walk_sql(ci.pk, upstream=upstream)
        # Only identifiers from the code are formatted in; values stay parameters.
        scope = RawSQL(sql, params)  # noqa: S611
        reached = RawSQL(f"SELECT id FROM ({sql}) walk WHERE id <> %s", [*params, ci.pk])  # noqa: S608, S611
    cis = ConfigurationItem.objects.filter(pk__in=reached).select_related("ci_type").order_by("name", "id")
    # Semi-joins (`pk IN (SELECT ...)`) rather than joins through the many-to-many tables: no DISTINCT,
    # and each side uses its own index (an OR across two joined tables could not).
    service_ids = ConfigurationItem.objects.filter(pk__in=scope, service__isnull=False).values("service_id")
    services = Service.objects.filter(pk__in=service_ids)
    ci_customers = ConfigurationItem.customers.through.objects.filter(configurationitem_id__in=scope)
    served = Q(pk__in=ci_customers.values("organization_id"))
    if not upstream:  # the customers of an affected service are affected too
        service_customers = Service.customers.through.objects.filter(service_id__in=service_ids)
        served |= Q(pk__in=service_customers.values("organization_id"))
    customers = Organization.objects.filter(served)
    if user is not None:
        cis = permissions.restrict(cis, user)
        services = permissions.restrict(services, user)
        customers = permissions.restrict(customers, user)
    return Reach(ci, cis, services.order_by("name"), customers.order_by("name"))


def impact(ci: ConfigurationItem, user: Any = None) -> Reach:
    """What is affected when `ci` fails: every CI that runs on, depends on, is part of or is provided by it,
    transitively (and whatever is connected to those), the catalogue services of these CIs and of `ci`,
    and the customers they serve. `user=None` is the system's unrestricted view."""
    return _reach(ci, user, upstream=False)


def dependencies(ci: ConfigurationItem, user: Any = None) -> Reach:
    """What `ci` relies on, transitively: the forward direction of `impact`; the customers are those of the
    CIs reached (not of the services behind them)."""
    return _reach(ci, user, upstream=True)


def relationships(ci: ConfigurationItem, user: Any) -> tuple[QuerySet, QuerySet]:
    """The CI's direct relationships the reader may see: (outgoing, incoming)."""
    visible = permissions.restrict(CIRelationship.objects.select_related("source", "target"), user)
    return visible.filter(source=ci), visible.filter(target=ci)


# --- licences (2018 8.2.5) ---------------------------------------------------------------------------------

LICENCE_TYPE = "licence"
EXPIRY_WARNING_DAYS = 60
# Installations of a licence: the CIs that run on it or depend on it.
USAGE_KINDS = (CIRelationship.Kind.DEPENDS_ON, CIRelationship.Kind.RUNS_ON)


@dataclass
class LicencePosition:
    """A licence's contractual limit against its use, and the flags that need attention."""

    ci: ConfigurationItem
    entitlement: int | None
    metric: str
    used: int
    expires_on: dt.date | None
    contract: str

    @property
    def headroom(self) -> int | None:
        return None if self.entitlement is None else self.entitlement - self.used

    @property
    def over_use(self) -> bool:
        return self.entitlement is not None and self.used > self.entitlement

    @property
    def days_to_expiry(self) -> int | None:
        return None if self.expires_on is None else (self.expires_on - dt.date.today()).days

    @property
    def expired(self) -> bool:
        return self.days_to_expiry is not None and self.days_to_expiry < 0

    @property
    def expiring(self) -> bool:
        days = self.days_to_expiry
        return days is not None and 0 <= days <= EXPIRY_WARNING_DAYS

    @property
    def within_limits(self) -> bool:
        return not self.over_use and not self.expired

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.ci.pk,
            "reference": self.ci.reference,
            "name": self.ci.name,
            "status": self.ci.status,
            "entitlement": self.entitlement,
            "metric": self.metric,
            "used": self.used,
            "headroom": self.headroom,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "days_to_expiry": self.days_to_expiry,
            "contract": self.contract,
            "over_use": self.over_use,
            "expiring": self.expiring,
            "expired": self.expired,
        }


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def licences(user: Any = None, *, queryset: QuerySet | None = None) -> list[LicencePosition]:
    """Each licence CI (type `licence`, not retired) with entitlement (`licensed_units`), metric (`unit`),
    use and expiry. Use is the `units_in_use` attribute when recorded (e.g. named users counted by another
    tool), otherwise the number of CIs that run on or depend on the licence."""
    items = queryset if queryset is not None else ConfigurationItem.objects.all()
    items = items.filter(ci_type__name=LICENCE_TYPE).exclude(status=ConfigurationItem.Status.RETIRED)
    if user is not None:
        items = permissions.restrict(items, user)
    items = items.annotate(
        installations=Count("incoming__source", filter=Q(incoming__kind__in=USAGE_KINDS), distinct=True)
    ).order_by("name", "id")
    positions = []
    for ci in items:
        attrs = ci.attributes or {}
        units = attrs.get("licensed_units")
        counted = attrs.get("units_in_use")
        positions.append(
            LicencePosition(
                ci=ci,
                entitlement=units if isinstance(units, int) and not isinstance(units, bool) else None,
                metric=str(attrs.get("unit") or ""),
                used=counted
                if isinstance(counted, int) and not isinstance(counted, bool)
                else ci.installations,
                expires_on=_date(attrs.get("expires_on")),
                contract=str(attrs.get("contract_reference") or ""),
            )
        )
    return positions


# --- the service map ---------------------------------------------------------------------------------------

MAX_MAP_DEPTH = 4
MAX_MAP_NODES = 300
OPEN_INCIDENT_EXCLUDED = ("resolved", "closed")


def ci_map(ci: ConfigurationItem, user: Any, depth: int = 2) -> dict[str, Any]:
    """What `ci` depends on (positive levels) and what depends on it (negative levels), `depth` steps each
    way, as nodes and edges (`user=None`: the system's unrestricted view). Only CIs the reader may see are
    shown, and only edges between them. A node is `failed` when an open incident names it, `degraded` when
    it is in maintenance."""
    depth = max(1, min(int(depth), MAX_MAP_DEPTH))
    items = ConfigurationItem.objects.all()
    visible = (items if user is None else permissions.restrict(items, user)).values("pk")
    levels: dict[int, int] = {ci.pk: 0}
    edges: dict[int, CIRelationship] = {}
    for direction in (1, -1):
        frontier = {ci.pk}
        for step in range(1, depth + 1):
            if not frontier or len(levels) >= MAX_MAP_NODES:
                break
            near = "source__in" if direction == 1 else "target__in"
            rels = CIRelationship.objects.filter(**{near: frontier}).filter(
                source__in=visible, target__in=visible
            )
            nxt = set()
            for rel in rels.only("id", "source_id", "target_id", "kind")[: MAX_MAP_NODES * 2]:
                edges[rel.pk] = rel
                other = rel.target_id if direction == 1 else rel.source_id
                if other not in levels and len(levels) < MAX_MAP_NODES:
                    levels[other] = step * direction
                    nxt.add(other)
            frontier = nxt
    return {"ci": ci.pk, "depth": depth, **_map_nodes(levels, edges)}


def _map_nodes(levels: dict[int, int], edges: dict[int, CIRelationship]) -> dict[str, Any]:
    from django.apps import apps
    from django.db.models import Exists, OuterRef

    incident = apps.get_model("incidents", "Incident")
    open_incidents = incident.objects.filter(affected_ci=OuterRef("pk")).exclude(
        status__in=OPEN_INCIDENT_EXCLUDED
    )
    items = (
        ConfigurationItem.objects.filter(pk__in=list(levels))
        .select_related("ci_type")
        .annotate(failing=Exists(open_incidents))
        .order_by("name", "id")
    )
    nodes = []
    for item in items:
        health = "failed" if item.failing else "degraded" if item.status == "maintenance" else "ok"
        nodes.append(
            {
                "id": item.pk,
                "reference": item.reference,
                "name": item.name,
                "ci_type": item.ci_type.name,
                "status": item.status,
                "health": health,
                "level": levels[item.pk],
                "url": item.get_absolute_url(),
            }
        )
    shown = {n["id"] for n in nodes}
    links = [
        {"id": r.pk, "source": r.source_id, "target": r.target_id, "kind": r.kind}
        for r in sorted(edges.values(), key=lambda r: r.pk)
        if r.source_id in shown and r.target_id in shown
    ]
    return {"nodes": nodes, "edges": links}
