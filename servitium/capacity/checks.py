"""Conformity checks evidenced by capacity and demand management (2011 6.5; 2018 8.4.2, 8.4.3).

Each is bound to the leaf obligations it shows: every live service has an approved capacity plan in force
giving current and forecast capacity and demand for the four kinds of resource, with the effect of the
agreed requirements, timescales, thresholds and costs of the changes it needs, kept current by reviews;
capacity is measured and within its thresholds; demand is recorded per customer with a forecast; each
customer has agreed the volumes it expects for each service it receives; a revised plan names the approved
change it was revised under.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.changes.revisions import revisions_tally
from servitium.core.checks import CheckResult, record_rule, register, tally

from .models import CapacityMetric, CapacityPlan, CapacityPlanLine, Demand, Measurement, ResourceType

MONITORED_WITHIN_DAYS = 7  # a live service counts as monitored with a reading this recent
DEMAND_WITHIN_DAYS = 400  # demand recorded for a period starting this recently counts as current


def _in_force(today: dt.date | None = None) -> Q:
    today = today or timezone.localdate()
    return Q(status=CapacityPlan.Status.APPROVED, period_start__lte=today, period_end__gte=today)


def _live_services():
    from servitium.catalog.models import Service

    return Service.objects.filter(status="live")


@register(
    "capacity.live_services_planned",
    requirements=["iso20000-1:2018#8.4.3.a", "iso20000-1:2011#6.5.s2"],
    title=_("Every live service has an approved capacity plan in force giving current and forecast capacity"),
)
def live_services_planned() -> CheckResult:
    plans = CapacityPlan.objects.filter(_in_force(), service=OuterRef("pk"), lines__isnull=False)
    services = _live_services().annotate(planned=Exists(plans))
    counted = tally(services, Q(planned=True))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d live services have an approved capacity plan in force."),
        not_met=_("%(bad)d of %(n)d live services have no approved capacity plan in force."),
        none=_("No live services."),
    )


@register(
    "capacity.plans_cover_resource_types",
    requirements=["iso20000-1:2018#8.4.3.s1", "iso20000-1:2011#6.5.s2"],
    title=_("Capacity plans in force cover human, technical, information and financial resources"),
)
def plans_cover_resource_types() -> CheckResult:
    plans = CapacityPlan.objects.filter(_in_force()).annotate(
        kinds=Count("lines__resource_type", distinct=True)
    )
    counted = tally(plans, Q(kinds=len(ResourceType.values)))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d plans in force cover the four kinds of resource."),
        not_met=_("%(bad)d of %(n)d plans in force leave out a kind of resource."),
        none=_("No capacity plan is in force."),
    )


record_rule(
    "capacity.plans_give_demand",
    requirements=["iso20000-1:2018#8.4.3.a", "iso20000-1:2011#6.5.a"],
    title=_("Capacity plans in force give current and forecast demand, in words and figures"),
    model="capacity.CapacityPlan",
    where=lambda: _in_force(),
    every=~Q(current_demand="")
    & ~Q(forecast_demand="")
    & Q(current_demand_figure__isnull=False, forecast_demand_figure__isnull=False),
)
record_rule(
    "capacity.plans_state_requirements_impact",
    requirements=["iso20000-1:2018#8.4.3.b", "iso20000-1:2011#6.5.b"],
    title=_(
        "Capacity plans in force state how agreed availability, continuity and service levels affect capacity"
    ),
    model="capacity.CapacityPlan",
    where=lambda: _in_force(),
    every=~Q(requirements_impact=""),
)
record_rule(
    "capacity.plans_consider_external_change",
    requirements=["iso20000-1:2011#6.5.d"],
    title=_("Capacity plans in force consider legal, contractual and organizational changes"),
    model="capacity.CapacityPlan",
    where=lambda: _in_force(),
    every=~Q(external_changes=""),
)
record_rule(
    "capacity.plans_consider_new_technology",
    requirements=["iso20000-1:2011#6.5.e"],
    title=_("Capacity plans in force consider new technologies and techniques"),
    model="capacity.CapacityPlan",
    where=lambda: _in_force(),
    every=~Q(new_technology=""),
)
record_rule(
    "capacity.plans_state_predictive_analysis",
    requirements=["iso20000-1:2011#6.5.f"],
    title=_("Capacity plans in force state or point to how demand and use are predicted"),
    model="capacity.CapacityPlan",
    where=lambda: _in_force(),
    every=~Q(predictive_analysis=""),
)


@register(
    "capacity.gaps_have_timescale_and_cost",
    requirements=["iso20000-1:2018#8.4.3.c", "iso20000-1:2011#6.5.c"],
    title=_("Resource gaps in plans in force have a dated, costed action, and the plans their thresholds"),
)
def gaps_have_timescale_and_cost() -> CheckResult:
    from django.db.models import F

    lines = CapacityPlanLine.objects.filter(
        plan__in=CapacityPlan.objects.filter(_in_force()), forecast_need__gt=F("current_capacity")
    )
    good = ~Q(action="") & Q(needed_by__isnull=False, cost__isnull=False) & ~Q(plan__upgrades="")
    counted = tally(lines, good)
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d resource gaps have a dated, costed action."),
        not_met=_("%(bad)d of %(n)d resource gaps lack an action, a date, a cost or the plan's thresholds."),
        none=_("No plan in force shows a resource gap."),
    )


@register(
    "capacity.plans_reviewed_on_schedule",
    requirements=["iso20000-1:2018#8.4.3.s1", "iso20000-1:2011#6.5.s2"],
    title=_("Approved capacity plans are reviewed by their review date"),
)
def plans_reviewed_on_schedule() -> CheckResult:
    plans = CapacityPlan.objects.filter(status=CapacityPlan.Status.APPROVED)
    counted = tally(plans, Q(next_review__gte=timezone.localdate()))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d approved plans are within their review date."),
        not_met=_("%(bad)d of %(n)d approved plans are past their review date or have none."),
        none=_("No approved capacity plan."),
    )


@register(
    "capacity.live_services_monitored",
    requirements=["iso20000-1:2018#8.4.3.s3", "iso20000-1:2011#6.5.s4"],
    title=_("The capacity of every live service is measured against thresholds"),
)
def live_services_monitored() -> CheckResult:
    since = timezone.now() - dt.timedelta(days=MONITORED_WITHIN_DAYS)
    recent = Measurement.objects.filter(
        Q(metric__service=OuterRef("pk")) | Q(metric__ci__service=OuterRef("pk")), measured_at__gte=since
    )
    services = _live_services().annotate(measured=Exists(recent))
    counted = tally(services, Q(measured=True))
    return CheckResult.from_counts(
        total=counted.total,
        good=counted.good,
        met=_("All %(n)d live services have capacity measured in the last %(d)d days.")
        % {"n": counted.total, "d": MONITORED_WITHIN_DAYS},
        not_met=_("%(bad)d of %(n)d live services have no capacity measurement in the last %(d)d days.")
        % {"bad": counted.total - counted.good, "n": counted.total, "d": MONITORED_WITHIN_DAYS},
        none=_("No live services."),
        evidence=counted.evidence,
        gaps=counted.gaps,
        figures={"days": MONITORED_WITHIN_DAYS},
    )


@register(
    "capacity.capacity_sufficient",
    requirements=["iso20000-1:2018#8.4.3.s2", "iso20000-1:2011#6.5.s5"],
    title=_("Measured capacity is within its critical thresholds"),
)
def capacity_sufficient() -> CheckResult:
    metrics = CapacityMetric.objects.exclude(state=CapacityMetric.State.UNKNOWN)
    counted = tally(metrics, ~Q(state=CapacityMetric.State.CRITICAL))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d measured capacity metrics are within their critical threshold."),
        not_met=_("%(bad)d of %(n)d capacity metrics are beyond their critical threshold."),
        none=_("No capacity metric is measured."),
    )


def _customer_services():
    """(customer, live service) pairs: the services each customer receives."""
    from servitium.catalog.models import Service

    return Service.customers.through.objects.filter(
        service__status="live", organization__kind__in=("customer", "internal")
    ).select_related("service", "organization")


def _customer_pairs(good_pairs: set[tuple[int, int]], *, met: str, not_met: str) -> CheckResult:
    """Each (customer, live service) pair judged by whether it is among `good_pairs`; the messages may name
    %(n)d, %(bad)d and %(list)s (the first ten pairs falling short)."""
    pairs = list(_customer_services())
    good = [p for p in pairs if (p.organization_id, p.service_id) in good_pairs]
    missing = [p for p in pairs if (p.organization_id, p.service_id) not in good_pairs]
    words = {
        "n": len(pairs),
        "bad": len(missing),
        "list": "; ".join(f"{p.organization.name} / {p.service.name}" for p in missing[:10]),
    }
    return CheckResult.from_counts(
        total=len(pairs),
        good=len(good),
        met=met % words,
        not_met=not_met % words,
        none=_("No customer receives a live service."),
        evidence=[p.service for p in good[:20]],
        gaps=[p.service for p in missing[:20]],
    )


@register(
    "capacity.demand_determined",
    requirements=["iso20000-1:2018#8.4.2.s1", "iso20000-1:2011#6.5.a"],
    title=_("Demand for each live service is recorded per customer with a forecast"),
)
def demand_determined() -> CheckResult:
    since = timezone.localdate() - dt.timedelta(days=DEMAND_WITHIN_DAYS)
    # Requests counted as demand carry their own count as the next period's forecast: that shows consumption
    # (demand_monitored), not a forecast anyone determined, so it does not meet this one.
    known = set(
        Demand.objects.filter(period_start__gte=since, forecast__isnull=False)
        .exclude(source=Demand.Source.REQUESTS)
        .values_list("customer_id", "service_id")
    )
    return _customer_pairs(
        known,
        met=_("All %(n)d customer and service pairs have demand recorded with a forecast."),
        not_met=_(
            "%(bad)d of %(n)d customer and service pairs have no recent demand with a forecast: %(list)s."
        ),
    )


record_rule(
    "capacity.demand_monitored",
    requirements=["iso20000-1:2018#8.4.2.s2"],
    title=_("Demand and consumption of the services are measured (a measured period in the last 100 days)"),
    model="capacity.Demand",
    where=lambda: Q(period_end__gte=timezone.localdate() - dt.timedelta(days=100), measured__isnull=False),
)


@register(
    "capacity.requirements_agreed",
    requirements=["iso20000-1:2011#6.5.s1"],
    title=_("Each customer has agreed the volumes it expects for every live service it receives"),
)
def requirements_agreed() -> CheckResult:
    """The agreed SLA (or internal agreement) of each customer and service states expected volumes in its
    workload characteristics: the capacity and performance the provider has agreed to carry."""
    from servitium.agreements.models import ServiceLevelAgreement

    today = timezone.localdate()
    agreed = ServiceLevelAgreement.objects.filter(status=ServiceLevelAgreement.Status.AGREED).exclude(
        valid_until__lt=today
    )
    stated = {
        (a.customer_id, a.service_id)
        for a in agreed.only("customer_id", "service_id", "workload")
        if (a.workload or {}).get("expected_volumes")
    }
    return _customer_pairs(
        stated,
        met=_("All %(n)d customer and service pairs have agreed expected volumes."),
        not_met=_(
            "%(bad)d of %(n)d customer and service pairs have no agreement in force stating expected "
            "volumes: %(list)s."
        ),
    )


@register(
    "capacity.revisions_under_change",
    requirements=["iso20000-1:2011#6.5.s3"],
    title=_("Each revision of an approved capacity plan is made under an approved change"),
)
def revisions_under_change() -> CheckResult:
    counted = revisions_tally(CapacityPlan.objects.filter(status=CapacityPlan.Status.APPROVED))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d revised capacity plans name the approved change they were revised under."),
        not_met=_("%(bad)d of %(n)d revised capacity plans name no approved change for their revision."),
        none=_("No approved capacity plan has been revised yet."),
    )
