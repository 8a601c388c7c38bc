"""Conformity checks evidenced by problem management (2011 8.2; 2018 8.6.3)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core.checks import CheckResult, record_rule, register, tally

from .lifecycle import WORKING
from .models import KnownError, Problem
from .selectors import ESCALATE_AFTER_DAYS, effectiveness


@register(
    "problems.trends_analysed",
    requirements=[
        "iso20000-1:2011#8.2.s2",
        "iso20000-1:2018#8.6.3.s1",
    ],
    title=_("Incident data is analysed for trends: recurring incidents lead to problems"),
)
def trends_analysed() -> CheckResult:
    """Incidents of the last 90 days on a service and category that recurred five times or more should be
    covered by a problem (raised by people or proposed by the nightly trend job)."""
    from servitium.incidents.models import Incident

    since = timezone.now() - dt.timedelta(days=90)
    clusters = list(
        Incident.objects.filter(created__gte=since, kind=Incident.Kind.INCIDENT, service__isnull=False)
        .exclude(category="")
        .values("service_id", "category")
        .annotate(n=Count("id"), covered=Count("problems", distinct=True))
        .filter(n__gte=5)
        .order_by("-n")
    )
    covered = [c for c in clusters if c["covered"]]
    proposals = Problem.objects.filter(origin=Problem.Origin.PROACTIVE, created__gte=since)
    return CheckResult.from_counts(
        total=len(clusters),
        good=len(covered),
        met=_("All %(n)d recurring incident clusters of the last 90 days are covered by problems.")
        % {"n": len(clusters)},
        not_met=_("%(bad)d of %(n)d recurring incident clusters have no problem record.")
        % {"bad": len(clusters) - len(covered), "n": len(clusters)},
        none=_("No incidents recurred five times or more on one service and category in 90 days."),
        evidence=proposals[:20],
        figures={"proactive_problems_90_days": proposals.count()},
    )


@register(
    "problems.known_errors_have_workarounds",
    requirements=[
        "iso20000-1:2011#8.2.s6",
        "iso20000-1:2018#8.6.3.s4",
    ],
    title=_("Active known errors record a workaround for incident handling"),
)
def known_errors_have_workarounds() -> CheckResult:
    active = KnownError.objects.filter(status=KnownError.Status.ACTIVE)
    stats = active.aggregate(total=Count("id"), good=Count("id", filter=~Q(workaround="")))
    return CheckResult.from_counts(
        total=stats["total"],
        good=stats["good"],
        met=_("All %(n)d active known errors have a workaround.") % {"n": stats["total"]},
        not_met=_("%(bad)d of %(n)d active known errors have no workaround.")
        % {"bad": stats["total"] - stats["good"], "n": stats["total"]},
        none=_("No known errors are recorded."),
        gaps=active.filter(workaround="")[:20],
        evidence=active.exclude(workaround="")[:20],
    )


@register(
    "problems.root_causes_go_to_change",
    requirements=[
        "iso20000-1:2011#8.2.s4",
        "iso20000-1:2018#8.6.3.s3",
    ],
    title=_("Known errors older than 30 days have a request for change raised to remove the root cause"),
)
def root_causes_go_to_change() -> CheckResult:
    old = Problem.objects.filter(
        status=Problem.Status.KNOWN_ERROR, updated__lt=timezone.now() - dt.timedelta(days=30)
    )
    stats = old.aggregate(total=Count("id"), good=Count("id", filter=~Q(change_reference="")))
    return CheckResult.from_counts(
        total=stats["total"],
        good=stats["good"],
        met=_("Every long-standing known error has its request for change."),
        not_met=_("%(bad)d of %(n)d known errors older than 30 days have no request for change.")
        % {"bad": stats["total"] - stats["good"], "n": stats["total"]},
        none=_("No problem has waited as a known error for more than 30 days."),
        gaps=old.filter(change_reference="")[:20],
        evidence=old.exclude(change_reference="")[:20],
    )


@register(
    "problems.resolution_effective",
    requirements=[
        "iso20000-1:2011#8.2.s8",
        "iso20000-1:2018#8.6.3.s6",
    ],
    title=_("Problem resolution is effective: resolved problems' incidents do not come back within 30 days"),
)
def resolution_effective() -> CheckResult:
    figures = effectiveness(since=(timezone.now() - dt.timedelta(days=180)).date())
    recurring = Problem.objects.filter(pk__in=[p["id"] for p in figures["recurring_problems"]])
    return CheckResult.from_counts(
        total=figures["resolved"],
        good=figures["without_recurrence"],
        met=_("None of the %(n)d problems resolved in 180 days saw their incidents return.")
        % {"n": figures["resolved"]},
        not_met=_("%(bad)d of %(n)d problems resolved in 180 days saw their incidents return.")
        % {"bad": figures["recurred"], "n": figures["resolved"]},
        none=_("No problem was resolved in the last 180 days; effectiveness cannot be shown."),
        gaps=recurring[:20],
        figures={"effectiveness": figures["effectiveness"]},
    )


P = Problem.Status
record_rule(
    "problems.recorded_and_classified",
    requirements=["iso20000-1:2018#8.6.3.a", "iso20000-1:2018#8.6.3.b"],
    title=_("Every problem names the service, category or configuration item it concerns, with a priority"),
    model="problems.Problem",
    where=~Q(status=P.CANCELLED),
    every=(Q(service__isnull=False) | ~Q(category="") | ~Q(affected_ci_name="")) & Q(priority__isnull=False),
)
record_rule(
    "problems.root_causes_recorded",
    requirements=["iso20000-1:2018#8.6.3.s2"],
    title=_("Every problem past investigation records its root cause"),
    model="problems.Problem",
    where={"status__in": [P.ROOT_CAUSE_KNOWN, P.KNOWN_ERROR, P.RESOLVED, P.CLOSED]},
    every=~Q(root_cause=""),
)
record_rule(
    "problems.known_errors_recorded",
    requirements=["iso20000-1:2011#8.2.s5"],
    title=_("Every problem in the known-error state has its known error recorded"),
    model="problems.Problem",
    where={"status": P.KNOWN_ERROR},
    every=Q(known_errors__isnull=False),
)
record_rule(
    "problems.resolved_problems_closed",
    requirements=["iso20000-1:2018#8.6.3.d", "iso20000-1:2018#8.6.3.e"],
    title=_("Resolved problems are closed within 60 days of their resolution (time enough to see it hold)"),
    model="problems.Problem",
    where={"status": P.RESOLVED},
    every=lambda: Q(resolved_at__gte=timezone.now() - dt.timedelta(days=60)),
)


@register(
    "problems.known_errors_available_to_service_desk",
    requirements=["iso20000-1:2011#8.2.s7", "iso20000-1:2018#8.6.3.s5"],
    title=_("Everyone who handles incidents can read the active known errors"),
)
def known_errors_available_to_service_desk() -> CheckResult:
    """Whether the people handling incidents may read known errors is a matter of their roles; a role
    setting that hides them from the service desk is what this check catches."""
    from servitium.core.permissions import VIEW, has_permission
    from servitium.incidents.models import Incident
    from servitium.parties.models import User

    handlers = [
        user
        for user in User.objects.filter(is_active=True).order_by("username")
        if has_permission(user, "change", Incident) and not user.is_superuser
    ]
    active = KnownError.objects.filter(status=KnownError.Status.ACTIVE)
    active_count = active.count()
    if not active_count:  # nothing to make available yet
        handlers = []
    blind = [u for u in handlers if not has_permission(u, VIEW, KnownError)]
    return CheckResult.from_counts(
        total=len(handlers),
        good=len(handlers) - len(blind),
        met=_("All %(n)d people who handle incidents can read the %(ke)d active known errors.")
        % {"n": len(handlers), "ke": active_count},
        not_met=_("%(bad)d of %(n)d people who handle incidents cannot read known errors: %(names)s.")
        % {"bad": len(blind), "n": len(handlers), "names": ", ".join(u.username for u in blind[:10])},
        none=_("No active known errors are recorded, or nobody handles incidents yet."),
        evidence=active.order_by("-pk")[:20],
        figures={"active_known_errors": active_count},
    )


PREVENTIVE_WITHIN = dt.timedelta(days=60)


@register(
    "problems.preventive_action",
    requirements=["iso20000-1:2011#8.2.s3"],
    title=_("Problems found by trend analysis reach a cause and an action within 60 days"),
)
def preventive_action() -> CheckResult:
    """A trend turned into a problem is only preventive once someone found its cause and acted: known
    root cause, a known error with its workaround, a resolution, or a reasoned cancellation."""
    now = timezone.now()
    S = Problem.Status
    raised = Problem.objects.filter(
        origin=Problem.Origin.PROACTIVE,
        created__gte=now - dt.timedelta(days=365),
        created__lt=now - PREVENTIVE_WITHIN,
    )
    acted = Q(status__in=[S.ROOT_CAUSE_KNOWN, S.KNOWN_ERROR, S.RESOLVED, S.CLOSED, S.CANCELLED])
    return CheckResult.from_tally(
        tally(raised, acted),
        met=_("All %(n)d problems raised from trends in the last year reached a cause and an action."),
        not_met=_("%(bad)d of %(n)d problems raised from trends are still without a cause after 60 days."),
        none=_("No problem raised from trend analysis is older than 60 days."),
    )


def _past_escalation_deadline() -> Q:
    """Open problems of a priority with an escalation deadline (selectors.ESCALATE_AFTER_DAYS) past it."""
    now = timezone.now()
    past = Q()
    for priority, days in ESCALATE_AFTER_DAYS.items():
        past |= Q(priority=priority, created__lt=now - dt.timedelta(days=days))
    return Q(status__in=list(WORKING)) & past


record_rule(
    "problems.escalated_when_needed",
    requirements=["iso20000-1:2018#8.6.3.c"],
    title=_(
        "Every open problem of priority 1 or 2 still unresolved past its deadline (14 and 30 days) was "
        "escalated to management"
    ),
    model="problems.Problem",
    where=_past_escalation_deadline,
    every=Q(escalation_level__gte=1),
)
