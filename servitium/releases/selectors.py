"""Reads of release management: the CIs a release touches, its success, what the service desk should know,
and release trends. Callers restrict querysets for users; these functions see everything (system path)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from servitium.cmdb.models import ConfigurationItem
from servitium.incidents.models import Incident

from .lifecycle import UNSUCCESSFUL
from .models import Release, ReleasePolicy

S = Release.Status
UPCOMING = (S.PLANNED, S.BUILDING, S.ACCEPTED, S.APPROVED, S.DEPLOYING)
SERIOUS_PRIORITIES = (1, 2)


def default_policy() -> ReleasePolicy | None:
    return ReleasePolicy.objects.filter(customer__isnull=True).first()


def policy_for(customer_id: int | None) -> ReleasePolicy | None:
    """The release policy agreed with a customer, else the default one."""
    if customer_id is not None:
        own = ReleasePolicy.objects.filter(customer_id=customer_id).first()
        if own is not None:
            return own
    return default_policy()


def release_cis(release: Release) -> QuerySet[ConfigurationItem]:
    """The CIs a release touches: those its changes affect and those of its services."""
    return ConfigurationItem.objects.filter(
        Q(pk__in=release.changes.values("affected_cis")) | Q(service__in=release.services.values("pk"))
    ).distinct()


def early_life_days(release: Release) -> int:
    policy = release.policy or default_policy()
    return policy.early_life_days if policy else 14


def early_life_incidents(release: Release, *, now: dt.datetime | None = None) -> QuerySet[Incident]:
    """Incidents on the release's CIs (or, for incidents without a CI, its services) raised in the early-life
    period after deployment."""
    if release.deployed_at is None:
        return Incident.objects.none()
    end = release.deployed_at + dt.timedelta(days=early_life_days(release))
    if now is not None:
        end = min(end, now)
    on_cis = Q(affected_ci__in=release_cis(release).values("pk"))
    on_services = Q(affected_ci__isnull=True, service__in=release.services.values("pk"))
    return Incident.objects.filter(
        on_cis | on_services,
        kind=Incident.Kind.INCIDENT,
        created__gte=release.deployed_at,
        created__lt=end,
    )


def success_fields(release: Release, *, now: dt.datetime) -> dict[str, Any]:
    """How the release did: incidents in early life, and success (deployed, not rolled back, and no more
    serious incidents than the policy tolerates). Success stays open while early life is still running."""
    if release.status in UNSUCCESSFUL or release.deployed_at is None:
        return {"early_life_incidents": early_life_incidents(release, now=now).count(), "successful": False}
    incidents = early_life_incidents(release, now=now)
    counts = incidents.aggregate(
        total=Count("id"), serious=Count("id", filter=Q(priority__in=SERIOUS_PRIORITIES))
    )
    policy = release.policy or default_policy()
    tolerated = policy.max_early_life_incidents if policy else 0
    ended = now >= release.deployed_at + dt.timedelta(days=early_life_days(release))
    if counts["serious"] > tolerated:
        successful: bool | None = False
    else:
        successful = True if ended else None
    return {"early_life_incidents": counts["total"], "successful": successful}


def awaiting_measurement(now: dt.datetime) -> list[Release]:
    """Deployed releases whose success is still open and whose early life may have ended."""
    candidates = Release.objects.filter(
        status__in=(S.DEPLOYED, S.REVIEWED, S.CLOSED), successful__isnull=True, deployed_at__isnull=False
    ).select_related("policy")
    return [r for r in candidates if now >= r.deployed_at + dt.timedelta(days=early_life_days(r))]


def service_desk_view(queryset: QuerySet[Release], *, now: dt.datetime | None = None, days: int = 30):
    """What the service desk should know: releases coming in the next `days`, and those that failed, were
    rolled back or caused early-life incidents in the last `days`."""
    now = now or timezone.now()
    horizon, since = now + dt.timedelta(days=days), now - dt.timedelta(days=days)
    upcoming = queryset.filter(status__in=UPCOMING, planned_start__lte=horizon).order_by(
        "planned_start", "id"
    )
    troubled = queryset.filter(
        Q(status__in=UNSUCCESSFUL, updated__gte=since) | Q(successful=False, deployed_at__gte=since)
    ).order_by("-updated", "-id")
    return upcoming, troubled


def trends(queryset: QuerySet[Release], *, months: int, now: dt.datetime | None = None) -> list[dict]:
    """Per month the deployment started: releases deployed, failed, rolled back, and the share that
    succeeded (of those whose success is known). Aggregated in SQL."""
    now = now or timezone.now()
    since = (now - dt.timedelta(days=31 * months)).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    rows = (
        queryset.filter(deployed_at__gte=since)
        .annotate(month=TruncMonth("deployed_at"))
        .values("month")
        .annotate(
            releases=Count("id"),
            failed=Count("id", filter=Q(status=S.FAILED)),
            rolled_back=Count("id", filter=Q(status=S.ROLLED_BACK)),
            # not named like the model's `successful` field: the filter would then count the annotation
            n_successful=Count("id", filter=Q(successful=True)),
            n_unsuccessful=Count("id", filter=Q(successful=False)),
        )
        .order_by("month")
    )
    result = []
    for row in rows:
        known = row["n_successful"] + row["n_unsuccessful"]
        result.append(
            {
                "month": row["month"].date().isoformat()[:7] if row["month"] else None,
                "releases": row["releases"],
                "failed": row["failed"],
                "rolled_back": row["rolled_back"],
                "successful": row["n_successful"],
                "success_rate": round(row["n_successful"] / known, 3) if known else None,
            }
        )
    return result
