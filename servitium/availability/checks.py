"""Conformity checks evidenced by availability and continuity records (2011 6.3; 2018 8.7.1, 8.7.2).

Each is bound to the leaf obligations it shows: availability targets agreed for live services, measured
and compared with them, major incidents recorded as outages and unplanned outages investigated; an
approved availability plan naming the risks to availability; continuity risks assessed in the risk
register; continuity requirements set, covered by approved plans holding what a plan
must hold, tested at planned intervals and reviewed after tests, and deficiencies acted on; plans revised
after approval only under an approved change.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.changes.revisions import revisions_tally
from servitium.core.checks import CheckResult, record_rule, register, tally

from . import selectors
from .models import AvailabilityPlan, ContinuityPlan, ContinuityRequirement, Outage, PlanStatus

RISK_REVIEW_DAYS = 365  # a risk assessment older than this is no longer current
REVIEW_GRACE_DAYS = 30  # a plan is reviewed within this many days of a test or an invocation
INVESTIGATION_GRACE_DAYS = 14
RETEST_GRACE_DAYS = 90  # a plan is tested again within this many days of a major change to its services


def _live_services():
    from servitium.catalog.models import Service

    return Service.objects.filter(status=Service.Status.LIVE)


def _agreed_target():
    from servitium.agreements.models import ServiceTarget

    return Exists(
        ServiceTarget.objects.filter(
            metric="availability", agreement__status="agreed", agreement__service=OuterRef("pk")
        )
    )


@register(
    "availability.targets_agreed",
    requirements=["iso20000-1:2018#8.7.1.s2", "iso20000-1:2011#6.3.1.s2", "iso20000-1:2011#6.3.1.c"],
    title=_("Every live service has an availability target in an agreed service level agreement"),
)
def targets_agreed() -> CheckResult:
    services = _live_services().annotate(target=_agreed_target())
    counted = tally(services, Q(target=True))
    return CheckResult.from_counts(
        total=counted.total,
        good=counted.good,
        met=_("All %(n)d live services have an agreed availability target.") % {"n": counted.total},
        not_met=_("%(bad)d of %(n)d live services have no agreed availability target: %(list)s.")
        % {
            "bad": counted.total - counted.good,
            "n": counted.total,
            "list": ", ".join(str(s) for s in counted.gaps[:10]),
        },
        none=_("No live services."),
        evidence=counted.evidence,
        gaps=counted.gaps,
    )


@register(
    "availability.measured_against_target",
    requirements=["iso20000-1:2018#8.7.1.s3", "iso20000-1:2011#6.3.3.s1"],
    title=_("Availability of services with a target is measured each month and compared with the target"),
)
def measured_against_target() -> CheckResult:
    """Last month's availability, on each service's calendar: a service whose calendar gives no service
    time cannot be measured; services that missed their target are named (the comparison is the
    evidence, a miss is for the service review to act on)."""
    today = timezone.localdate()
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    services = list(_live_services().annotate(target=_agreed_target()).filter(target=True))
    figures = {
        f.service_id: f for f in selectors.measure([s.pk for s in services], first, today.replace(day=1))
    }
    good = [s for s in services if figures[s.pk].availability is not None]
    missed = [figures[s.pk].service for s in good if figures[s.pk].met is False]
    return CheckResult.from_counts(
        total=len(services),
        good=len(good),
        met=_("All %(n)d services with a target were measured for %(m)s; %(k)d missed it%(list)s.")
        % {
            "n": len(services),
            "m": first.strftime("%Y-%m"),
            "k": len(missed),
            "list": f" ({', '.join(missed)})" if missed else "",
        },
        not_met=_("%(bad)d of %(n)d services with a target have no service time to measure in %(m)s.")
        % {"bad": len(services) - len(good), "n": len(services), "m": first.strftime("%Y-%m")},
        none=_("No live service has an availability target to measure against."),
        evidence=good[:20],
        gaps=[s for s in services if s not in good][:20],
        figures={"missed": len(missed)},
    )


@register(
    "availability.major_incidents_recorded",
    requirements=["iso20000-1:2018#8.7.1.s3", "iso20000-1:2011#6.3.3.s1"],
    title=_("Major incidents of the last twelve months are recorded as outages of their service"),
)
def major_incidents_recorded() -> CheckResult:
    from servitium.incidents.models import Incident

    since = timezone.now() - dt.timedelta(days=365)
    majors = Incident.objects.filter(is_major=True, service__isnull=False, created__gte=since)
    recorded = Exists(Outage.objects.filter(incident=OuterRef("pk"), service=OuterRef("service")))
    counted = tally(majors.annotate(recorded=recorded), Q(recorded=True))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d major incidents are recorded as outages."),
        not_met=_("%(bad)d of %(n)d major incidents have no outage (run the outage sync)."),
        none=_("No major incidents in the last twelve months."),
    )


@register(
    "availability.unplanned_outages_investigated",
    requirements=["iso20000-1:2018#8.7.1.s4", "iso20000-1:2011#6.3.3.s2"],
    title=_("Unplanned outages are investigated (marked so, or their major incident has its review)"),
)
def unplanned_outages_investigated() -> CheckResult:
    now = timezone.now()
    outages = Outage.objects.filter(
        kind=Outage.Kind.UNPLANNED,
        end__lt=now - dt.timedelta(days=INVESTIGATION_GRACE_DAYS),
        end__gte=now - dt.timedelta(days=365),
    )
    counted = tally(outages, Q(investigated=True) | Q(incident__review__isnull=False))
    return CheckResult.from_counts(
        total=counted.total,
        good=counted.good,
        met=_("All %(n)d unplanned outages of the last year were investigated.") % {"n": counted.total},
        not_met=_("%(bad)d of %(n)d unplanned outages of the last year were not investigated: %(list)s.")
        % {
            "bad": counted.total - counted.good,
            "n": counted.total,
            "list": ", ".join(str(o) for o in counted.gaps[:10]),
        },
        none=_("No unplanned outage ended in the last year."),
        evidence=counted.evidence,
        gaps=counted.gaps,
    )


@register(
    "availability.risks_assessed",
    requirements=["iso20000-1:2018#8.7.1.s1", "iso20000-1:2011#6.3.1.s1"],
    title=_(
        "The risks to each live service's availability are written in an approved availability plan kept "
        "under review"
    ),
)
def availability_risks_assessed() -> CheckResult:
    today = timezone.localdate()
    current = AvailabilityPlan.objects.filter(status=PlanStatus.APPROVED).exclude(risks="")
    current = current.filter(Q(next_review_due__isnull=True) | Q(next_review_due__gte=today))
    provider_wide = current.filter(service__isnull=True).exists()
    services = _live_services().annotate(own=Exists(current.filter(service=OuterRef("pk"))))
    counted = tally(services, Q(pk__isnull=False) if provider_wide else Q(own=True))
    return CheckResult.from_counts(
        total=counted.total,
        good=counted.good,
        met=_("The risks to the availability of all %(n)d live services are assessed in a current plan.")
        % {"n": counted.total},
        not_met=_(
            "%(bad)d of %(n)d live services have no approved availability plan, reviewed on time, that "
            "names the risks to their availability: %(list)s."
        )
        % {
            "bad": counted.total - counted.good,
            "n": counted.total,
            "list": ", ".join(str(s) for s in counted.gaps[:10]),
        },
        none=_("No live services."),
        evidence=counted.evidence,
        gaps=counted.gaps,
    )


@register(
    "continuity.risks_assessed",
    requirements=["iso20000-1:2018#8.7.2.s1", "iso20000-1:2011#6.3.1.s1"],
    title=_(
        "Each service with continuity requirements has its risks assessed in the risk register within the "
        "last year"
    ),
)
def continuity_risks_assessed() -> CheckResult:
    from servitium.risks.models import Risk

    since = timezone.now() - dt.timedelta(days=RISK_REVIEW_DAYS)
    assessed = (
        Risk.objects.filter(services=OuterRef("service"), kind=Risk.Kind.RISK)
        .exclude(status__in=(Risk.Status.IDENTIFIED, Risk.Status.CLOSED))
        .filter(Q(last_reviewed__gte=since.date()) | Q(created__gte=since))
    )
    requirements = ContinuityRequirement.objects.select_related("service").annotate(risk=Exists(assessed))
    counted = tally(requirements, Q(risk=True))
    return CheckResult.from_counts(
        total=counted.total,
        good=counted.good,
        met=_("All %(n)d services with continuity requirements have their risks assessed this year.")
        % {"n": counted.total},
        not_met=_(
            "%(bad)d of %(n)d services with continuity requirements have no risk assessed in the register "
            "in the last year: %(list)s."
        )
        % {
            "bad": counted.total - counted.good,
            "n": counted.total,
            "list": ", ".join(str(s) for s in counted.gaps[:10]),
        },
        none=_("No service has continuity requirements yet."),
        evidence=[r.service for r in counted.evidence],
        gaps=[r.service for r in counted.gaps],
    )


record_rule(
    "availability.plan_approved",
    requirements=["iso20000-1:2011#6.3.2.s1", "iso20000-1:2011#6.3.2.s4"],
    title=_("An approved availability plan states the availability requirements and targets"),
    model="availability.AvailabilityPlan",
    where=lambda: Q(status=PlanStatus.APPROVED) & ~Q(requirements_and_targets=""),
)


@register(
    "continuity.requirements_set",
    requirements=["iso20000-1:2018#8.7.2.s2", "iso20000-1:2011#6.3.1.s2"],
    title=_("Every live service has continuity requirements (RTO, RPO, priority)"),
)
def requirements_set() -> CheckResult:
    services = _live_services().annotate(
        req=Exists(ContinuityRequirement.objects.filter(service=OuterRef("pk")))
    )
    counted = tally(services, Q(req=True))
    return CheckResult.from_counts(
        total=counted.total,
        good=counted.good,
        met=_("All %(n)d live services have continuity requirements.") % {"n": counted.total},
        not_met=_("%(bad)d of %(n)d live services have no continuity requirements: %(list)s.")
        % {
            "bad": counted.total - counted.good,
            "n": counted.total,
            "list": ", ".join(str(s) for s in counted.gaps[:10]),
        },
        none=_("No live services."),
        evidence=counted.evidence,
        gaps=counted.gaps,
    )


@register(
    "continuity.plans_cover_requirements",
    requirements=["iso20000-1:2018#8.7.2.s3", "iso20000-1:2011#6.3.2.s1"],
    title=_("Every service with continuity requirements is covered by an approved continuity plan"),
)
def plans_cover_requirements() -> CheckResult:
    covered = ContinuityPlan.objects.filter(status=PlanStatus.APPROVED, services=OuterRef("service"))
    requirements = ContinuityRequirement.objects.annotate(covered=Exists(covered))
    counted = tally(requirements, Q(covered=True))
    return CheckResult.from_counts(
        total=counted.total,
        good=counted.good,
        met=_("All %(n)d services with continuity requirements are covered by an approved plan.")
        % {"n": counted.total},
        not_met=_("%(bad)d of %(n)d services with continuity requirements have no approved plan: %(list)s.")
        % {
            "bad": counted.total - counted.good,
            "n": counted.total,
            "list": ", ".join(str(r) for r in counted.gaps[:10]),
        },
        none=_("No continuity requirements are recorded."),
        evidence=counted.evidence,
        gaps=counted.gaps,
    )


record_rule(
    "continuity.plan_contents",
    requirements=[
        "iso20000-1:2018#8.7.2.s3",
        "iso20000-1:2011#6.3.2.a",
        "iso20000-1:2011#6.3.2.c",
        "iso20000-1:2011#6.3.2.d",
    ],
    title=_(
        "Approved continuity plans hold the invocation steps, recovery requirements and return to normal"
    ),
    model="availability.ContinuityPlan",
    where={"status": PlanStatus.APPROVED},
    every=~Q(invocation_steps="") & ~Q(recovery_requirements="") & ~Q(return_to_normal=""),
)
record_rule(
    "continuity.availability_when_invoked",
    requirements=["iso20000-1:2011#6.3.2.b"],
    title=_("Continuity requirements state the availability target while the plan is invoked"),
    model="availability.ContinuityRequirement",
    every={"availability_when_invoked__isnull": False},
)


def _late(plans, due, today) -> list:
    return [p for p in plans if getattr(p, due) is not None and getattr(p, due) < today]


@register(
    "continuity.plans_tested_on_time",
    requirements=["iso20000-1:2018#8.7.2.s5", "iso20000-1:2011#6.3.3.s3"],
    title=_("Approved continuity plans are tested within their test interval"),
)
def plans_tested_on_time() -> CheckResult:
    today = timezone.localdate()
    plans = list(ContinuityPlan.objects.filter(status=PlanStatus.APPROVED).order_by("reference"))
    late = _late(plans, "next_test_due", today)
    return CheckResult.from_counts(
        total=len(plans),
        good=len(plans) - len(late),
        met=_("All %(n)d approved continuity plans were tested within their interval.") % {"n": len(plans)},
        not_met=_("%(bad)d of %(n)d approved continuity plans are overdue for a test: %(list)s.")
        % {
            "bad": len(late),
            "n": len(plans),
            "list": ", ".join(f"{p} (due {p.next_test_due})" for p in late[:10]),
        },
        none=_("No approved continuity plans."),
        evidence=[p for p in plans if p not in late][:20],
        gaps=late[:20],
    )


@register(
    "continuity.retested_after_major_change",
    requirements=["iso20000-1:2018#8.7.2.s5", "iso20000-1:2011#6.3.3.s4"],
    title=_("Continuity plans are tested again after a major change to their services"),
)
def retested_after_major_change() -> CheckResult:
    """A plan falls short when a major change to one of its services ended more than 90 days ago, within
    the last year, and no test of the plan came after it."""
    from servitium.changes.models import Category, Change

    now = timezone.now()
    window = (now - dt.timedelta(days=365), now - dt.timedelta(days=RETEST_GRACE_DAYS))
    plans = list(ContinuityPlan.objects.filter(status=PlanStatus.APPROVED).order_by("reference"))
    concerned, late = [], []
    for plan in plans:
        ended = (
            Change.objects.filter(
                category=Category.MAJOR,
                affected_services__in=plan.services.all(),
                actual_end__range=window,
            )
            .order_by("-actual_end")
            .values_list("actual_end", "reference")
            .first()
        )
        if ended is None:
            continue
        concerned.append(plan)
        if not plan.tests.filter(tested_on__gte=timezone.localdate(ended[0])).exists():
            late.append((plan, ended[1]))
    return CheckResult.from_counts(
        total=len(concerned),
        good=len(concerned) - len(late),
        met=_("All %(n)d continuity plans whose services went through a major change were tested again.")
        % {"n": len(concerned)},
        not_met=_("%(bad)d of %(n)d continuity plans were not tested again after a major change: %(list)s.")
        % {
            "bad": len(late),
            "n": len(concerned),
            "list": ", ".join(f"{plan} (after {change})" for plan, change in late[:10]),
        },
        none=_("No major change to the services of an approved continuity plan in the last year."),
        evidence=[p for p in concerned if p not in {plan for plan, _c in late}][:20],
        gaps=[plan for plan, _c in late][:20],
    )


@register(
    "continuity.reviewed_after_tests",
    requirements=["iso20000-1:2018#8.7.2.s6", "iso20000-1:2011#6.3.3.s5"],
    title=_("Continuity plans are reviewed after each test and invocation, and at their review interval"),
)
def reviewed_after_tests() -> CheckResult:
    """A plan falls short when a test or an invocation more than 30 days old has no review after it, or
    when its review interval has passed."""
    from django.db.models import Max

    today = timezone.localdate()
    cutoff = today - dt.timedelta(days=REVIEW_GRACE_DAYS)
    plans = list(
        ContinuityPlan.objects.filter(status=PlanStatus.APPROVED)
        .annotate(last_invoked=Max("invocations__started_at"))
        .order_by("reference")
    )

    def short(plan) -> bool:
        events = [plan.last_tested, plan.last_invoked.date() if plan.last_invoked else None]
        for event in filter(None, events):
            if event < cutoff and (plan.last_reviewed is None or plan.last_reviewed < event):
                return True
        return plan.next_review_due is not None and plan.next_review_due < today

    gaps = [p for p in plans if short(p)]
    return CheckResult.from_counts(
        total=len(plans),
        good=len(plans) - len(gaps),
        met=_("All %(n)d approved continuity plans were reviewed after their tests and invocations.")
        % {"n": len(plans)},
        not_met=_("%(bad)d of %(n)d approved continuity plans wait for a review: %(list)s.")
        % {"bad": len(gaps), "n": len(plans), "list": ", ".join(str(p) for p in gaps[:10])},
        none=_("No approved continuity plans."),
        evidence=[p for p in plans if p not in gaps][:20],
        gaps=gaps[:20],
    )


record_rule(
    "continuity.deficiencies_acted_on",
    requirements=["iso20000-1:2018#8.7.2.s6", "iso20000-1:2011#6.3.3.s6"],
    title=_("Continuity tests that failed or partly passed record their findings and actions"),
    model="availability.ContinuityTest",
    where={"result__in": ["failed", "partly"]},
    every=~Q(findings="") & ~Q(actions=[]),
)


@register(
    "availability.plan_revisions_under_change",
    requirements=["iso20000-1:2011#6.3.2.s2"],
    title=_("Each revision of an approved availability or continuity plan is made under an approved change"),
)
def plan_revisions_under_change() -> CheckResult:
    both = revisions_tally(
        AvailabilityPlan.objects.filter(status=PlanStatus.APPROVED),
        ContinuityPlan.objects.filter(status=PlanStatus.APPROVED),
    )
    return CheckResult.from_tally(
        both,
        met=_(
            "All %(n)d revised availability and continuity plans name the approved change of their revision."
        ),
        not_met=_("%(bad)d of %(n)d revised availability and continuity plans name no approved change."),
        none=_("No approved availability or continuity plan has been revised yet."),
    )


for _field, _leaf, _title in (
    (
        "access_rights",
        "iso20000-1:2011#6.3.1.a",
        _("The availability requirements of every live service cover access rights"),
    ),
    (
        "response_times",
        "iso20000-1:2011#6.3.1.b",
        _("The availability requirements of every live service cover response times"),
    ),
):
    record_rule(
        f"availability.requirements_cover_{_field}",
        requirements=[_leaf],
        title=_title,
        model="availability.AvailabilityRequirement",
        where={"service__status": "live"},
        every=~Q(**{_field: ""}),
    )
