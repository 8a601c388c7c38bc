"""Reads of change management that need thought: the active policy, who may read the schedule, the
customers a change affects, the major-impact criteria, the schedule of change with its conflicts, and trends.

Conflict detection for a window runs a fixed number of queries whatever the number of changes: the changes,
their CIs, one recursive walk of the CMDB from all changed CIs at once, the services and customers behind
them, and the blackout windows. Pairs are then found in memory through a CI -> changes index.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.catalog.models import Service
from servitium.cmdb.models import CIRelationship, ConfigurationItem
from servitium.core import permissions
from servitium.parties.models import Organization

from . import lifecycle as L
from .models import ALWAYS_MAJOR_TYPES, BlackoutWindow, Category, Change, ChangePolicy


def active_policy() -> ChangePolicy | None:
    return ChangePolicy.objects.filter(active=True).select_related("cab", "emergency_board").first()


def schedule_readable(user: Any) -> bool:
    """May this user read the schedule of change (the API resource, the calendar, the CAB view, the feed)?
    Whoever may read changes: the declaration keeps them to the provider's staff with a change role (or a
    role reading change management)."""
    return permissions.has_permission(user, permissions.VIEW, Change)


def affected_customers(change: Change) -> QuerySet[Organization]:
    """The customers served by the change's CIs or its services (derived, never entered)."""
    cis = change.affected_cis.values("pk")
    services = change.affected_services.values("pk")
    return Organization.objects.filter(Q(cis__in=cis) | Q(services__in=services)).distinct().order_by("name")


def suggested_services(ci_ids: list[int]) -> list[Service]:
    """The services a change to these CIs affects, from the CMDB's impact analysis (to pre-fill the form)."""
    from servitium.cmdb import selectors as cmdb_selectors

    found: dict[int, Service] = {}
    for ci in ConfigurationItem.objects.filter(pk__in=ci_ids):
        for service in cmdb_selectors.impact(ci).services:
            found[service.pk] = service
    return sorted(found.values(), key=lambda s: s.name)


def major_reasons(change: Change, policy: ChangePolicy | None = None) -> list[str]:
    """Why, under the policy's criteria, this change has potentially major impact (empty: it does not)."""
    policy = policy if policy is not None else active_policy()
    reasons = []
    if change.change_type in ALWAYS_MAJOR_TYPES:
        reasons.append(_("it is a %(type)s") % {"type": change.get_change_type_display()})
    if policy is not None and change.pk is not None:
        threshold = policy.major_customer_threshold
        if threshold:
            count = affected_customers(change).count()
            if count >= threshold:
                reasons.append(
                    _("it affects %(n)d customers (the policy's threshold is %(t)d)")
                    % {"n": count, "t": threshold}
                )
        if policy.major_on_high_risk and change.risk_level == Change.Risk.HIGH:
            reasons.append(_("its risk is high"))
    return reasons


# --- schedule of change and conflicts ---------------------------------------------------------------------


@dataclass
class Conflict:
    kind: str  # "ci" (same CI), "dependency" (CIs on one dependency chain) or "blackout"
    change: int
    other: int | None  # the other change (None for blackouts)
    blackout: int | None
    cis: list[int]
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "change": self.change,
            "other_change": self.other,
            "blackout_window": self.blackout,
            "cis": self.cis,
            "message": self.message,
        }


@dataclass(slots=True)
class Planned:
    """A change as the schedule shows it (plain values: thousands of them are read at once)."""

    FIELDS: ClassVar[tuple[str, ...]] = (
        "id",
        "reference",
        "title",
        "category",
        "status",
        "planned_start",
        "planned_end",
    )
    id: int
    reference: str
    title: str
    category: str
    status: str
    planned_start: dt.datetime
    planned_end: dt.datetime

    @property
    def pk(self) -> int:
        return self.id

    def get_absolute_url(self) -> str:
        return reverse("changes:change_detail", args=[self.id])


@dataclass
class Schedule:
    start: dt.datetime
    end: dt.datetime
    changes: list[Planned]
    blackouts: list[BlackoutWindow]
    conflicts: list[Conflict] = field(default_factory=list)

    def conflicts_of(self, change_id: int) -> list[Conflict]:
        return [c for c in self.conflicts if change_id in (c.change, c.other)]

    @property
    def conflicting_ids(self) -> set[int]:
        return {i for c in self.conflicts for i in (c.change, c.other) if i is not None}


def _chains(ci_ids: QuerySet) -> dict[int, set[int]]:
    """For every CI in `ci_ids` (a subquery of ids), the CIs it depends on, directly or transitively, in one
    recursive query. `connects_to` links count both ways, as in the CMDB's impact analysis."""
    rel = connection.ops.quote_name(CIRelationship._meta.db_table)
    seed_sql, seed_params = ci_ids.query.sql_with_params()
    # Identifiers only come from the code; values are parameters.
    sql = f"""
        WITH RECURSIVE edges(from_id, to_id) AS (
            SELECT source_id, target_id FROM {rel}
            UNION ALL
            SELECT target_id, source_id FROM {rel} WHERE kind = %s
        ),
        reached(origin, id) AS (
            SELECT seed.configurationitem_id, seed.configurationitem_id FROM ({seed_sql}) AS seed
            UNION
            SELECT reached.origin, edges.to_id FROM edges JOIN reached ON edges.from_id = reached.id
        )
        SELECT origin, id FROM reached WHERE origin <> id
    """  # noqa: S608
    chains: dict[int, set[int]] = defaultdict(set)
    with connection.cursor() as cursor:
        cursor.execute(sql, [CIRelationship.Kind.CONNECTS_TO, *seed_params])
        for origin, reached in cursor.fetchall():
            chains[origin].add(reached)
    return chains


def _overlap(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def _ci_conflicts(changes: dict[int, Planned], cis_of: dict[int, set[int]], chains) -> list[Conflict]:
    by_ci: dict[int, list[int]] = defaultdict(list)
    for change_id, ci_ids in cis_of.items():
        for ci in ci_ids:
            by_ci[ci].append(change_id)
    found: dict[tuple[int, int], Conflict] = {}

    def add(a: int, b: int, kind: str, cis: list[int]) -> None:
        key = (min(a, b), max(a, b))
        if a == b or key in found:
            return
        first, second = changes[key[0]], changes[key[1]]
        if not _overlap(first.planned_start, first.planned_end, second.planned_start, second.planned_end):
            return
        if kind == "ci":
            message = _("%(a)s and %(b)s change the same CI in overlapping windows.")
        else:
            message = _("%(a)s and %(b)s change CIs on one dependency chain in overlapping windows.")
        found[key] = Conflict(
            kind, key[0], key[1], None, cis, message % {"a": first.reference, "b": second.reference}
        )

    for ci, ids in by_ci.items():
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                add(a, b, "ci", [ci])
    for ci, ids in by_ci.items():
        for upstream in chains.get(ci, ()):
            for b in by_ci.get(upstream, ()):
                for a in ids:
                    add(a, b, "dependency", [ci, upstream])
    return list(found.values())


def _blackout_conflicts(changes: dict[int, Planned], blackouts: list[BlackoutWindow]) -> list[Conflict]:
    """Changes planned inside a blackout window that applies to them (all changes, or those affecting its
    services or customers). Services and customers are only looked up for changes inside some window."""
    inside = {
        window.pk: [
            c for c in changes.values() if _overlap(c.planned_start, c.planned_end, window.start, window.end)
        ]
        for window in blackouts
    }
    scoped = [w for w in blackouts if inside[w.pk] and (w.services.all() or w.customers.all())]
    candidates = sorted({c.pk for w in scoped for c in inside[w.pk]})
    services_of: dict[int, set[int]] = defaultdict(set)
    if candidates:
        link = Change.affected_services.through.objects.filter(change_id__in=candidates)
        for change_id, service_id in link.values_list("change_id", "service_id"):
            services_of[change_id].add(service_id)
    customers_of = _customers_by_change(candidates) if candidates else {}
    conflicts = []
    for window in blackouts:
        scoped_services = {s.pk for s in window.services.all()}
        scoped_customers = {o.pk for o in window.customers.all()}
        everyone = not scoped_services and not scoped_customers
        for change in inside[window.pk]:
            if (
                everyone
                or scoped_services & services_of[change.pk]
                or scoped_customers & customers_of.get(change.pk, set())
            ):
                conflicts.append(
                    Conflict(
                        "blackout",
                        change.pk,
                        None,
                        window.pk,
                        [],
                        _("%(c)s is planned inside the blackout window %(w)s.")
                        % {"c": change.reference, "w": window.name},
                    )
                )
    return conflicts


def _customers_by_change(change_ids: list[int]) -> dict[int, set[int]]:
    """Derived customers per change, in two queries (through the CIs and through the services)."""
    result: dict[int, set[int]] = defaultdict(set)
    ci_link = Change.affected_cis.through
    ci_customers = ConfigurationItem.customers.through
    rows = ci_customers.objects.filter(
        configurationitem_id__in=ci_link.objects.filter(change_id__in=change_ids).values(
            "configurationitem_id"
        )
    ).values_list("configurationitem_id", "organization_id")
    customers_of_ci: dict[int, set[int]] = defaultdict(set)
    for ci, org in rows:
        customers_of_ci[ci].add(org)
    for change_id, ci in ci_link.objects.filter(change_id__in=change_ids).values_list(
        "change_id", "configurationitem_id"
    ):
        result[change_id] |= customers_of_ci.get(ci, set())
    svc_link = Change.affected_services.through
    svc_customers = Service.customers.through
    customers_of_svc: dict[int, set[int]] = defaultdict(set)
    for svc, org in svc_customers.objects.filter(
        service_id__in=svc_link.objects.filter(change_id__in=change_ids).values("service_id")
    ).values_list("service_id", "organization_id"):
        customers_of_svc[svc].add(org)
    for change_id, svc in svc_link.objects.filter(change_id__in=change_ids).values_list(
        "change_id", "service_id"
    ):
        result[change_id] |= customers_of_svc.get(svc, set())
    return result


def schedule(
    start: dt.datetime,
    end: dt.datetime,
    *,
    changes: QuerySet[Change] | None = None,
    statuses: tuple[str, ...] = L.SCHEDULED,
) -> Schedule:
    """The schedule of change for [start, end): changes planned in the window (of the given statuses, from
    `changes` when the caller has restricted them), the blackout windows, and the conflicts between them."""
    base = changes if changes is not None else Change.objects.all()
    in_window = base.filter(status__in=statuses, planned_start__lt=end, planned_end__gt=start).order_by(
        "planned_start", "id"
    )
    rows = {row[0]: Planned(*row) for row in in_window.values_list(*Planned.FIELDS)}
    ids = in_window.values("pk")
    cis_of: dict[int, set[int]] = defaultdict(set)
    link = Change.affected_cis.through
    for change_id, ci in link.objects.filter(change_id__in=ids).values_list(
        "change_id", "configurationitem_id"
    ):
        cis_of[change_id].add(ci)
    chains = (
        _chains(link.objects.filter(change_id__in=ids).values("configurationitem_id").distinct())
        if rows
        else {}
    )
    blackouts = list(
        BlackoutWindow.objects.filter(start__lt=end, end__gt=start).prefetch_related("services", "customers")
    )
    conflicts = _ci_conflicts(rows, cis_of, chains) + _blackout_conflicts(rows, blackouts)
    return Schedule(start, end, list(rows.values()), blackouts, conflicts)


def conflicts_for(change: Change) -> list[Conflict]:
    """The conflicts of one change with the rest of the schedule over its planned window."""
    if not (change.planned_start and change.planned_end):
        return []
    statuses = tuple({*L.SCHEDULED, change.status})
    plan = schedule(change.planned_start, change.planned_end, statuses=statuses)
    return plan.conflicts_of(change.pk)


def blackouts_for(change: Change) -> list[Conflict]:
    return [c for c in conflicts_for(change) if c.kind == "blackout"]


# --- trends ----------------------------------------------------------------------------------------------


def trends(changes: QuerySet[Change], *, months: int = 12, now: dt.datetime | None = None) -> list[dict]:
    """Per month (by when the change was raised): volume, implemented, unsuccessful (failed or backed out),
    failure rate over implemented, emergency share; aggregated in SQL, months without changes included."""
    now = now or timezone.now()
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _i in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    rows = (
        changes.filter(created__gte=first)
        .annotate(month=TruncMonth("created"))
        .values("month")
        .annotate(
            total=Count("id"),
            emergency=Count("id", filter=Q(category=Category.EMERGENCY)),
            implemented=Count("id", filter=Q(actual_start__isnull=False)),
            unsuccessful=Count("id", filter=Q(outcome__in=L.UNSUCCESSFUL)),
        )
        .order_by("month")
    )
    by_month = {r["month"].strftime("%Y-%m"): r for r in rows}
    result = []
    month = first
    for _i in range(months):
        key = month.strftime("%Y-%m")
        r = by_month.get(key, {"total": 0, "emergency": 0, "implemented": 0, "unsuccessful": 0})
        result.append(
            {
                "month": key,
                "total": r["total"],
                "emergency": r["emergency"],
                "implemented": r["implemented"],
                "unsuccessful": r["unsuccessful"],
                "failure_rate": round(r["unsuccessful"] / r["implemented"], 4) if r["implemented"] else None,
                "emergency_share": round(r["emergency"] / r["total"], 4) if r["total"] else None,
            }
        )
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return result
