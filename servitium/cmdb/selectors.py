"""Reads of configuration management that need thought: impact analysis (what is affected when a CI fails)
and dependencies (what a CI relies on), both transitive and cycle-safe.

Each walk of the graph is one recursive query (`WITH RECURSIVE ... UNION`, which drops rows already
reached, so cycles end); the results then pass through `permissions.restrict` for the reader. The walk
itself sees the whole graph: a reader is told about the CIs, services and customers it may see, even when
the path to them crosses CIs it may not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

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


def _walk(start: int, *, upstream: bool) -> list[int]:
    """Ids of every CI reachable from `start` (excluded) in one recursive query.

    Downstream (impact): follow each relationship from target back to its source. Upstream (dependencies):
    from source to target. `connects_to` is followed both ways in either walk.
    """
    rel = connection.ops.quote_name(CIRelationship._meta.db_table)
    src, dst = ("target_id", "source_id") if not upstream else ("source_id", "target_id")
    # Identifiers only come from the code (table and column names); values are parameters.
    sql = f"""
        WITH RECURSIVE edges(from_id, to_id) AS (
            SELECT {src}, {dst} FROM {rel}
            UNION ALL
            SELECT {dst}, {src} FROM {rel} WHERE kind = %s
        ),
        reached(id) AS (
            SELECT CAST(%s AS BIGINT)
            UNION
            SELECT edges.to_id FROM edges JOIN reached ON edges.from_id = reached.id
        )
        SELECT id FROM reached WHERE id <> %s
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [CIRelationship.Kind.CONNECTS_TO, start, start])
        return [row[0] for row in cursor.fetchall()]


def _reach(ci: ConfigurationItem, user: Any, *, upstream: bool) -> Reach:
    ids = _walk(ci.pk, upstream=upstream)
    scope = [ci.pk, *ids]  # the CI's own services and customers are affected too
    cis = ConfigurationItem.objects.filter(pk__in=ids).select_related("ci_type").order_by("name", "id")
    services = Service.objects.filter(cis__in=scope).distinct()
    served = Q(cis__in=scope)
    if not upstream:  # the customers of an affected service are affected too
        served |= Q(services__in=Service.objects.filter(cis__in=scope).values("pk"))
    customers = Organization.objects.filter(served).distinct()
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
