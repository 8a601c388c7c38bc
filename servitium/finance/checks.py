"""Conformity checks evidenced by budgeting and accounting (2011 6.4; 2018 8.4.1).

Each is bound to the leaf obligations it shows: live services have an approved budget for the year
(approved by a second person), their costs are accounted for (direct and apportioned), the kinds of cost
the 2011 edition names are recorded, indirect costs are shared by a rule, actual cost is kept within budget,
and changes carry their cost.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.catalog.models import Service
from servitium.core.checks import MET, NOT_MET, CheckResult, Evidence, record_rule, register, shared, tally

from . import selectors
from .models import ApportionmentRule, Budget, CostItem

Y18, Y11 = "iso20000-1:2018#", "iso20000-1:2011#"


def _year() -> int:
    return timezone.localdate().year


def _year_costs(year: int) -> dict[int, dict[str, Decimal]]:
    """Every service's costs of the year, summed once per assessment (two checks read them)."""
    return shared(
        ("finance.service_costs", year), lambda: selectors.service_costs(selectors.Period.year(year))
    )


def _last_year() -> Q:
    return Q(date__gte=timezone.localdate() - dt.timedelta(days=365))


for category, leaf, title in (
    (("assets", "licences"), "6.4.a.1", _("Assets and licences used for the services are accounted for")),
    (("shared",), "6.4.a.2", _("Resources shared between services are accounted for")),
    (("overheads",), "6.4.a.3", _("Overheads are accounted for")),
    (("external",), "6.4.a.5", _("Externally supplied services are accounted for")),
    (("personnel",), "6.4.a.6", _("Staff costs are accounted for")),
    (("facilities",), "6.4.a.7", _("Facilities are accounted for")),
):
    record_rule(
        f"finance.{category[0]}_costs_recorded",
        requirements=[Y11 + leaf],
        title=title,
        model="finance.CostItem",
        where=lambda category=category: Q(category__in=category) & _last_year(),
    )


@register(
    "finance.live_services_budgeted",
    # A budget per live service is how funds are allocated to the services (2011 4.5.3.a as well).
    requirements=[Y18 + "8.4.1.s1", Y18 + "8.4.1.s2", Y11 + "6.4.s2", Y11 + "4.5.3.a"],
    title=_("Every live service has an approved budget for this year"),
)
def live_services_budgeted() -> CheckResult:
    year = _year()
    approved = Budget.objects.filter(year=year, status="approved").values("service")
    counted = tally(Service.objects.filter(status=Service.Status.LIVE), Q(pk__in=approved))
    return CheckResult.from_counts(
        total=counted.total,
        good=counted.good,
        met=_("All %(n)d live services have an approved budget for %(y)d.") % {"n": counted.total, "y": year},
        not_met=_("%(bad)d of %(n)d live services have no approved budget for %(y)d.")
        % {"bad": counted.total - counted.good, "n": counted.total, "y": year},
        none=_("No service is live."),
        evidence=counted.evidence,
        gaps=counted.gaps,
    )


@register(
    "finance.budgets_approved_by_a_second_person",
    requirements=[Y11 + "6.4.c"],
    title=_("This year's budgets are approved by someone other than their author"),
)
def budgets_approved_by_a_second_person() -> CheckResult:
    budgets = Budget.objects.filter(year=_year())
    second = Q(status="approved") & (Q(author__isnull=True) | ~Q(approved_by=F("author")))
    counted = tally(budgets, second)
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d budgets of this year are approved by a second person."),
        not_met=_("%(bad)d of %(n)d budgets of this year are not approved yet."),
        none=_("No budget is recorded for this year."),
    )


@register(
    "finance.live_services_costed",
    requirements=[Y18 + "8.4.1.s1", Y11 + "6.4.s1", Y11 + "6.4.b"],
    title=_("Every live service has its costs accounted for this year (direct or apportioned)"),
)
def live_services_costed() -> CheckResult:
    year = _year()
    costs = _year_costs(year)
    live = list(Service.objects.filter(status=Service.Status.LIVE).order_by("name"))
    good = [s for s in live if costs.get(s.pk, {}).get("total")]
    gaps = [s for s in live if s not in good]
    return CheckResult.from_counts(
        total=len(live),
        good=len(good),
        met=_("All %(n)d live services carry costs in %(y)d.") % {"n": len(live), "y": year},
        not_met=_("%(bad)d of %(n)d live services carry no cost in %(y)d.")
        % {"bad": len(gaps), "n": len(live), "y": year},
        none=_("No service is live."),
        evidence=good[:20],
        gaps=gaps[:20],
    )


@register(
    "finance.indirect_costs_apportioned",
    requirements=[Y11 + "6.4.b", Y11 + "6.4.a.2", Y11 + "6.4.a.3"],
    title=_("Indirect costs are shared among services by a rule that names them"),
)
def indirect_costs_apportioned() -> CheckResult:
    items = CostItem.objects.filter(_last_year(), allocation="indirect").select_related("rule")
    rules = {r.pk: r for r in ApportionmentRule.objects.filter(pk__in=items.values("rule"))}
    sharing = {pk for pk, r in rules.items() if selectors.rule_services(r)}
    counted = tally(items, Q(rule__in=sharing))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d indirect costs of the last year are apportioned to services."),
        not_met=_("%(bad)d of %(n)d indirect costs have a rule that names no service."),
        none=_("No indirect cost was recorded in the last year."),
    )


@register(
    "finance.capital_and_operating_accounted",
    requirements=[Y11 + "6.4.a.4"],
    title=_("Both capital and operating spending are accounted for"),
)
def capital_and_operating_accounted() -> CheckResult:
    recent = CostItem.objects.filter(_last_year())
    found = set(recent.values_list("expense", flat=True).distinct())
    missing = {"capital", "operating"} - found
    if missing:
        return CheckResult(
            NOT_MET,
            _("No %(kinds)s spending was recorded in the last year.")
            % {"kinds": " / ".join(sorted(missing))},
            {"kinds_recorded": len(found)},
        )
    examples = [recent.filter(expense=kind).order_by("-date").first() for kind in ("capital", "operating")]
    return CheckResult(
        MET,
        _("Capital and operating spending are both recorded."),
        {"kinds_recorded": 2},
        [Evidence.of(o) for o in examples],
    )


@register(
    "finance.costs_within_budget",
    requirements=[Y18 + "8.4.1.s3", Y11 + "6.4.s3"],
    title=_("Actual costs are monitored against budget and kept within it"),
)
def costs_within_budget() -> CheckResult:
    year = _year()
    period = selectors.Period.year(year)
    rows = [r for r in selectors.budget_vs_actual(period, costs=_year_costs(year)) if r.budget is not None]
    services = {s.pk: s for s in Service.objects.filter(pk__in=[r.service_id for r in rows])}
    over = [r for r in rows if r.overspent]
    return CheckResult.from_counts(
        total=len(rows),
        good=len(rows) - len(over),
        met=_("All %(n)d budgeted services are within budget in %(y)d.") % {"n": len(rows), "y": year},
        not_met=_("Over budget in %(y)d: %(names)s.")
        % {"y": year, "names": ", ".join(f"{r.service} ({r.actual} / {r.budget})" for r in over)},
        none=_("No service has an approved budget for this year to monitor against."),
        evidence=[services[r.service_id] for r in rows if not r.overspent][:20],
        gaps=[services[r.service_id] for r in over][:20],
    )


@register(
    "finance.changes_costed",
    requirements=[Y11 + "6.4.s4"],
    title=_("Changes of the last year state their cost, or have cost items linked to them"),
)
def changes_costed() -> CheckResult:
    from servitium.changes.models import Change

    since = timezone.now() - dt.timedelta(days=365)
    changes = Change.objects.filter(created__gte=since)
    costed = ~Q(cost="") | Q(pk__in=CostItem.objects.filter(change__isnull=False).values("change"))
    counted = tally(changes, costed)
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d changes of the last year carry cost information."),
        not_met=_("%(bad)d of %(n)d changes of the last year carry no cost information."),
        none=_("No change was raised in the last year."),
    )
