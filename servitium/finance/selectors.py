"""Reads of budgeting and accounting: sharing money out exactly (largest remainder, to the cent), the
apportionment of an indirect cost to services and customers, the cost of each service in a period (direct
plus apportioned), budget against actual, the cost of changes and requests, what a customer is charged,
and the financial resources of a service (for the capacity view).

A period is [start, end): `Period(dt.date(2026, 1, 1), dt.date(2027, 1, 1))` is the year 2026.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from servitium.catalog.models import Service
from servitium.core import permissions

from .models import CENT, ApportionmentRule, Budget, ChargeRule, CostItem, currency

ZERO = Decimal("0.00")


# --- periods ----------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # the first day after the period

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year + 1, 1, 1))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        end = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
        return cls(dt.date(year, month, 1), end)

    def months(self) -> list[tuple[int, int]]:
        """The calendar months the period touches."""
        found, day = [], dt.date(self.start.year, self.start.month, 1)
        while day < self.end:
            found.append((day.year, day.month))
            day = dt.date(day.year + 1, 1, 1) if day.month == 12 else dt.date(day.year, day.month + 1, 1)
        return found

    def __str__(self) -> str:
        months = self.months()
        if len(months) == 12 and self.start.month == 1 and self.start.day == 1 and self.end.day == 1:
            return str(self.start.year)
        if len(months) == 1 and self.start.day == 1 and self.end.day == 1:
            return f"{self.start:%Y-%m}"
        return f"{self.start.isoformat()} – {(self.end - dt.timedelta(days=1)).isoformat()}"


def period_of(item: CostItem) -> Period:
    """The month a cost was spent in: the period its rule's counts are taken over."""
    return Period.month(item.date.year, item.date.month)


# --- exact sharing ----------------------------------------


def split(amount: Decimal, weights: Sequence[Any]) -> list[Decimal]:
    """`amount` shared in proportion to `weights` (non-negative numbers, not all zero), rounded to the
    cent by the largest-remainder method: each part is its exact quota rounded down, and the cents left
    over go one each to the parts with the largest remainders (the earlier part first on a tie). The parts
    always add up to `amount` exactly, and none is negative."""
    cents = int((Decimal(amount) / CENT).to_integral_value())
    if Decimal(cents) * CENT != Decimal(amount):
        raise ValueError("amount has more than two decimal places")
    exact = [Fraction(Decimal(str(w))) for w in weights]
    if not exact or any(w < 0 for w in exact) or sum(exact) == 0:
        raise ValueError("weights must be non-negative and not all zero")
    if cents < 0:
        return [-part for part in split(-Decimal(amount), weights)]
    total = sum(exact)
    quotas = [Fraction(cents) * w / total for w in exact]
    parts = [int(q) for q in quotas]  # floor: quotas are non-negative
    left = cents - sum(parts)
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return [Decimal(p) * CENT for p in parts]


# --- apportionment ----------------------------------------


@dataclass
class Apportionment:
    """An amount shared out: per service, and per customer of each service (customer None: the service
    has no customers, so its part stays with the provider)."""

    amount: Decimal
    services: dict[int, Decimal] = field(default_factory=dict)
    weights: dict[int, Any] = field(default_factory=dict)
    customers: dict[int, dict[int | None, Decimal]] = field(default_factory=dict)

    def per_customer(self) -> dict[int | None, Decimal]:
        found: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
        for parts in self.customers.values():
            for customer, value in parts.items():
                found[customer] += value
        return dict(found)


def rule_services(rule: ApportionmentRule) -> list[int]:
    """The services a rule shares among, in a stable order."""
    if rule.kind == ApportionmentRule.Kind.FIXED:
        return sorted(int(s["service"]) for s in rule.shares)
    chosen = sorted(rule.services.values_list("pk", flat=True))
    if chosen:
        return chosen
    return sorted(Service.objects.filter(status=Service.Status.LIVE).values_list("pk", flat=True))


def _local_days(first: dt.date, after: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants from the start of `first` to the start of `after`, in the current time zone: a range
    on the timestamp itself, which its index serves (`created__date` casts every row instead)."""
    start, end = (timezone.make_aware(dt.datetime.combine(d, dt.time.min)) for d in (first, after))
    return start, end


def _by_weight(amount: Decimal, weights: dict[int, Any]) -> dict[int, Decimal]:
    """`amount` shared among the weighted services, equally when every weight is zero."""
    ids = sorted(weights)
    values = [weights[i] for i in ids]
    if sum(Decimal(str(v)) for v in values) == 0:
        values = [1] * len(ids)
    return dict(zip(ids, split(amount, values), strict=True))


def ticket_volumes(months: Iterable[dt.date]) -> dict[dt.date, dict[int, int]]:
    """Tickets opened per service in each of these months (local time), in one query over the span: what
    apportionment by ticket volume weighs a month's costs by."""
    from django.db.models.functions import TruncMonth

    from servitium.incidents.models import Incident

    months = sorted(set(months))
    if not months:
        return {}
    first, last = months[0], months[-1]
    start, end = _local_days(first, Period.month(last.year, last.month).end)
    found: dict[dt.date, dict[int, int]] = {m: {} for m in months}
    rows = (
        Incident.objects.filter(service__isnull=False, created__gte=start, created__lt=end)
        .annotate(m=TruncMonth("created", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values_list("m", "service")
        .annotate(n=Count("id"))
    )
    for month, service_id, n in rows:
        day = month.date() if isinstance(month, dt.datetime) else month
        if day in found:
            found[day][service_id] = n
    return found


def rule_weights(
    rule: ApportionmentRule, period: Period, *, volumes: dict[int, int] | None = None
) -> dict[int, Any]:
    """Each service's weight under the rule in the period: its percent, or its number of customers,
    of configuration items (not retired), or of tickets opened in the period (`volumes`: those counts
    for the period's month, when the caller has read them for many months at once)."""
    from servitium.cmdb.models import ConfigurationItem
    from servitium.incidents.models import Incident

    ids = rule_services(rule)
    if rule.kind == ApportionmentRule.Kind.FIXED:
        return {int(s["service"]): Decimal(str(s["percent"])) for s in rule.shares}
    if rule.kind == ApportionmentRule.Kind.CUSTOMERS:
        counts = dict(
            Service.objects.filter(pk__in=ids)
            .annotate(n=Count("customers", filter=Q(customers__kind="customer"), distinct=True))
            .values_list("pk", "n")
        )
    elif rule.kind == ApportionmentRule.Kind.CIS:
        counts = dict(
            ConfigurationItem.objects.filter(service__in=ids)
            .exclude(status=ConfigurationItem.Status.RETIRED)
            .values("service")
            .annotate(n=Count("id"))
            .values_list("service", "n")
        )
    elif volumes is not None:
        counts = volumes  # the weights below take the rule's services from it
    else:
        start, end = _local_days(period.start, period.end)
        counts = dict(
            Incident.objects.filter(service__in=ids, created__gte=start, created__lt=end)
            .values("service")
            .annotate(n=Count("id"))
            .values_list("service", "n")
        )
    return {pk: counts.get(pk, 0) for pk in ids}


def service_customers(service_ids: Iterable[int]) -> dict[int, list[int]]:
    """The customers (subscribers in the catalogue) of each service, in id order."""
    through = Service.customers.through
    found: dict[int, list[int]] = {pk: [] for pk in service_ids}
    rows = through.objects.filter(service_id__in=list(found), organization__kind="customer").values_list(
        "service_id", "organization_id"
    )
    for service_id, organization_id in sorted(rows):
        found[service_id].append(organization_id)
    return found


def share_to_customers(amounts: dict[int, Decimal]) -> dict[int, dict[int | None, Decimal]]:
    """Each service's amount shared equally among its customers (largest remainder); a service without
    customers keeps its amount under None."""
    customers = service_customers(amounts)
    result: dict[int, dict[int | None, Decimal]] = {}
    for service_id, value in amounts.items():
        subscribers = customers.get(service_id) or []
        if not subscribers:
            result[service_id] = {None: value}
        else:
            result[service_id] = dict(zip(subscribers, split(value, [1] * len(subscribers)), strict=True))
    return result


def apportion(cost_item: CostItem, period: Period | None = None) -> Apportionment:
    """The cost item's amount per service and per customer. A direct cost goes wholly to its service; an
    indirect one is shared by its rule's weights in `period` (default: the month of the cost), equally
    among the rule's services when every weight is zero. Every part is in cents and the parts add up
    to the amount exactly."""
    amount = Decimal(cost_item.amount).quantize(CENT)
    if cost_item.allocation == CostItem.Allocation.DIRECT:
        services = {cost_item.service_id: amount}
        weights: dict[int, Any] = {cost_item.service_id: 1}
    else:
        weights = rule_weights(cost_item.rule, period or period_of(cost_item))
        if not weights:
            return Apportionment(amount=amount, customers={})
        services = _by_weight(amount, weights)
    return Apportionment(
        amount=amount, services=services, weights=weights, customers=share_to_customers(services)
    )


# --- costs of services ----------------------------------------


def items_in(period: Period, queryset=None):
    queryset = CostItem.objects.all() if queryset is None else queryset
    return queryset.filter(date__gte=period.start, date__lt=period.end)


def service_costs(
    period: Period, *, service_ids: Iterable[int] | None = None
) -> dict[int, dict[str, Decimal]]:
    """Per service: its direct costs, its part of the indirect costs (each apportioned in the month it was
    spent), and the total, in the period."""
    wanted = set(service_ids) if service_ids is not None else None
    found: dict[int, dict[str, Decimal]] = defaultdict(
        lambda: {"direct": ZERO, "indirect": ZERO, "total": ZERO}
    )
    direct = items_in(period).filter(allocation=CostItem.Allocation.DIRECT)
    if wanted is not None:
        direct = direct.filter(service__in=wanted)
    for service_id, value in direct.values("service").annotate(v=Sum("amount")).values_list("service", "v"):
        found[service_id]["direct"] += Decimal(value).quantize(CENT)
    indirect = list(items_in(period).filter(allocation=CostItem.Allocation.INDIRECT).select_related("rule"))
    volumes = ticket_volumes(
        period_of(i).start for i in indirect if i.rule_id and i.rule.kind == ApportionmentRule.Kind.TICKETS
    )
    cache: dict[tuple[int, dt.date], dict[int, Any]] = {}
    for item in indirect:
        month = period_of(item)
        key = (item.rule_id, month.start)
        if key not in cache:
            cache[key] = rule_weights(item.rule, month, volumes=volumes.get(month.start))
        weights = cache[key]
        if not weights:
            continue
        for service_id, part in _by_weight(item.amount, weights).items():
            if wanted is None or service_id in wanted:
                found[service_id]["indirect"] += part
    for row in found.values():
        row["total"] = row["direct"] + row["indirect"]
    return dict(found)


def budgeted(period: Period, *, service_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """The approved budget of each service for the period: for every month the period touches, the
    month's own budget if one is approved, otherwise a twelfth of the year's (a part month counts whole)."""
    years = sorted({y for y, _m in period.months()})
    budgets = Budget.objects.filter(year__in=years, status="approved")
    if service_ids is not None:
        budgets = budgets.filter(service__in=list(service_ids))
    yearly: dict[tuple[int, int], Decimal] = {}
    monthly: dict[tuple[int, int, int], Decimal] = {}
    for service_id, year, month, total in budgets.values_list("service", "year", "month", "total"):
        if month is None:
            yearly[(service_id, year)] = total
        else:
            monthly[(service_id, year, month)] = total
    services = {k[0] for k in yearly} | {k[0] for k in monthly}
    found: dict[int, Decimal] = {}
    for service_id in services:
        value = ZERO
        for year, month in period.months():
            if (service_id, year, month) in monthly:
                value += monthly[(service_id, year, month)]
            elif (service_id, year) in yearly:
                value += split(yearly[(service_id, year)], [1] * 12)[month - 1]
        found[service_id] = value
    return found


@dataclass(frozen=True)
class Variance:
    service_id: int
    service: str
    budget: Decimal | None
    direct: Decimal
    indirect: Decimal
    actual: Decimal
    variance: Decimal | None  # budget - actual: negative when overspent
    overspent: bool
    used_percent: Decimal | None


def budget_vs_actual(
    period: Period,
    user: Any = None,
    *,
    service_ids: Iterable[int] | None = None,
    costs: dict[int, dict[str, Decimal]] | None = None,
) -> list[Variance]:
    """Budget against actual (direct + apportioned indirect) per service in the period, for the services
    the user may see (all of them for the system); a service over its budget is flagged overspent."""
    services = Service.objects.all()
    if user is not None:
        services = permissions.restrict(services, user)
    if service_ids is not None:
        services = services.filter(pk__in=list(service_ids))
    names = dict(services.values_list("pk", "name"))
    if costs is None:  # `costs`: every service's costs of the period, when the caller has them already
        costs = service_costs(period, service_ids=list(names))
    budgets = budgeted(period, service_ids=list(names))
    rows = []
    for service_id in sorted(names, key=lambda pk: names[pk]):
        cost = costs.get(service_id, {"direct": ZERO, "indirect": ZERO, "total": ZERO})
        budget = budgets.get(service_id)
        if budget is None and cost["total"] == 0:
            continue
        variance = None if budget is None else budget - cost["total"]
        used = None if not budget else (cost["total"] * 100 / budget).quantize(Decimal("0.1"))
        rows.append(
            Variance(
                service_id,
                names[service_id],
                budget,
                cost["direct"],
                cost["indirect"],
                cost["total"],
                variance,
                bool(budget is not None and cost["total"] > budget),
                used,
            )
        )
    return rows


def customer_costs(
    period: Period, customer_id: int, *, service_ids: Iterable[int] | None = None
) -> dict[int, Decimal]:
    """The customer's share of each service it receives in the period: the service's cost (direct plus
    apportioned) shared equally among the service's customers, to the cent by largest remainder."""
    received = Service.objects.filter(customers=customer_id)
    if service_ids is not None:
        received = received.filter(pk__in=list(service_ids))
    ids = list(received.values_list("pk", flat=True))
    costs = service_costs(period, service_ids=ids)
    shares = share_to_customers({pk: costs.get(pk, {"total": ZERO})["total"] for pk in ids})
    return {pk: parts.get(customer_id, ZERO) for pk, parts in shares.items()}


def _cents(value: Any) -> Decimal:
    """A database sum as money (SQLite sums decimals as floats)."""
    return ZERO if value is None else Decimal(value).quantize(CENT)


# --- changes and requests ----------------------------------------


def cost_of_change(change: Any) -> Decimal:
    """What has been spent on a change (its linked cost items)."""
    return _cents(CostItem.objects.filter(change=change).aggregate(v=Sum("amount"))["v"])


def cost_of_request(request: Any) -> Decimal:
    """What has been spent on a resource or service request (its linked cost items)."""
    return _cents(CostItem.objects.filter(request=request).aggregate(v=Sum("amount"))["v"])


def linked_costs(period: Period, user: Any = None) -> dict[str, list[dict[str, Any]]]:
    """The cost items spent on changes and on service requests in the period, totalled per record."""
    items = items_in(period)
    if user is not None:
        items = permissions.restrict(items, user)
    found: dict[str, list[dict[str, Any]]] = {"changes": [], "requests": []}
    for key, field_name, label in (
        ("changes", "change", "change__reference"),
        ("requests", "request", "request__reference"),
    ):
        rows = (
            items.filter(**{f"{field_name}__isnull": False})
            .values(field_name, label)
            .annotate(total=Sum("amount"), count=Count("id"))
            .order_by(label)
        )
        found[key] = [
            {"id": r[field_name], "reference": r[label], "total": _cents(r["total"]), "count": r["count"]}
            for r in rows
        ]
    return found


# --- charging ----------------------------------------


def charges(customer_id: int, period: Period) -> list[dict[str, Any]]:
    """What the customer is charged in the period: one line per active charge rule of each service it
    receives, its monthly price times the months the period touches."""
    months = len(period.months())
    rules = (
        ChargeRule.objects.filter(active=True, service__customers=customer_id)
        .select_related("service", "offering")
        .order_by("service__name", "description", "pk")
    )
    lines = []
    for rule in rules:
        amount = (rule.monthly_price * months).quantize(CENT)
        lines.append(
            {
                "service": rule.service_id,
                "service_name": rule.service.name,
                "rule": rule.pk,
                "description": rule.description,
                "offering": rule.offering.name if rule.offering_id else "",
                "quantity": months,
                "unit_price": str(rule.monthly_price),
                "amount": str(amount),
            }
        )
    return lines


# --- for other processes ----------------------------------------


def financial_resources(service: Service | int, period: Period) -> dict[str, Any]:
    """The financial resources of a service in a period, for its capacity plan: approved budget, actual
    cost (direct and apportioned), what is left, and the budget per cost category."""
    service_id = service if isinstance(service, int) else service.pk
    row = next(iter(budget_vs_actual(period, service_ids=[service_id])), None)
    by_category: dict[str, Decimal] = defaultdict(lambda: ZERO)
    years = {y for y, _m in period.months()}
    for budget in Budget.objects.filter(
        service=service_id, year__in=years, status="approved", month__isnull=True
    ):
        for category, value in budget.amounts().items():
            by_category[category] += value
    return {
        "service": service_id,
        "period": str(period),
        "currency": currency(),
        "budget": row.budget if row else None,
        "actual": row.actual if row else ZERO,
        "direct": row.direct if row else ZERO,
        "indirect": row.indirect if row else ZERO,
        "remaining": row.variance if row else None,
        "overspent": row.overspent if row else False,
        "budget_by_category": dict(by_category),
    }


def review_figures(start: dt.date, end: dt.date, user: Any) -> dict[str, Any]:
    """For the management review (adequacy of resources): budget against actual over the review period,
    and the services over budget."""
    rows = budget_vs_actual(Period(start, end), user)
    return {
        "rows": rows,
        "overspent": [r for r in rows if r.overspent],
        "unbudgeted": [r for r in rows if r.budget is None],
        "currency": currency(),
        "budget": sum((r.budget or ZERO for r in rows), ZERO),
        "actual": sum((r.actual for r in rows), ZERO),
    }
