"""Conformity checks evidenced by problem management (2011 8.2; 2018 8.6.3)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core.checks import CheckResult, register

from .models import KnownError, Problem
from .selectors import effectiveness


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
