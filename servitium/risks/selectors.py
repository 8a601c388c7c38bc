"""Reads of risk management: the active matrix, the heat map, the figures of the review input and the
SMS home tile. Every read that reaches a user goes through `restrict()`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from servitium.core import permissions

from .models import Risk, RiskAction, RiskMatrix

# The matrix used until the provider configures its own: 5 x 5, four bands, treatment above 9.
DEFAULT_MATRIX: dict[str, Any] = {
    "name": "Standard 5 x 5",
    "description": "Likelihood times impact on five levels each (created automatically; adjust as needed).",
    "likelihood_levels": [
        {"value": 1, "label": "Rare"},
        {"value": 2, "label": "Unlikely"},
        {"value": 3, "label": "Possible"},
        {"value": 4, "label": "Likely"},
        {"value": 5, "label": "Almost certain"},
    ],
    "impact_levels": [
        {"value": 1, "label": "Negligible"},
        {"value": 2, "label": "Minor"},
        {"value": 3, "label": "Moderate"},
        {"value": 4, "label": "Major"},
        {"value": 5, "label": "Severe"},
    ],
    "bands": [
        {"name": "low", "label": "Low", "min_score": 1, "colour": "success"},
        {"name": "medium", "label": "Medium", "min_score": 5, "colour": "warning"},
        {"name": "high", "label": "High", "min_score": 10, "colour": "danger"},
        {"name": "critical", "label": "Critical", "min_score": 17, "colour": "dark"},
    ],
    "appetite": 9,
    "acceptance_criteria": (
        "Low and medium risks (score up to 9) may be accepted by the risk owner with a reason; high and "
        "critical risks are treated, or accepted only by top management."
    ),
    "approach": (
        "Risks and opportunities are identified in process reviews, changes and supplier reviews, scored "
        "on this matrix, treated by their owners and reviewed at least every 90 days."
    ),
    "review_interval_days": 90,
    "active": True,
}


def active_matrix() -> RiskMatrix:
    """The active matrix; the default one (not stored) while none is."""
    found = RiskMatrix.objects.filter(active=True).first()
    return found if found is not None else RiskMatrix(**DEFAULT_MATRIX)


def band_choices() -> list[tuple[str, str]]:
    matrix = active_matrix()
    return [(band["name"], band["label"]) for band in matrix.bands]


def open_risks(user: Any = None) -> QuerySet:
    queryset = Risk.objects.exclude(status=Risk.Status.CLOSED)
    return queryset if user is None else permissions.restrict(queryset, user)


@dataclass
class Cell:
    likelihood: int
    impact: int
    score: int
    band: dict[str, Any]
    count: int
    url: str


def heat_map(user: Any, *, residual: bool = False, base_url: str = "") -> dict[str, Any]:
    """Counts of open risks per likelihood and impact (inherent, or residual), highest likelihood first,
    each cell coloured by its band and linking to the list filtered to it."""
    matrix = active_matrix()
    l_field, i_field = ("residual_likelihood", "residual_impact") if residual else ("likelihood", "impact")
    counts = {
        (row[l_field], row[i_field]): row["n"]
        for row in open_risks(user)
        .filter(**{f"{l_field}__isnull": False})
        .values(l_field, i_field)
        .annotate(n=Count("id"))
    }
    rows = []
    for level in reversed(matrix.likelihood_levels):
        cells = []
        for impact in matrix.impact_levels:
            score = level["value"] * impact["value"]
            url = f"{base_url}?{l_field}={level['value']}&{i_field}={impact['value']}&open=true"
            count = counts.get((level["value"], impact["value"]), 0)
            cells.append(Cell(level["value"], impact["value"], score, matrix.band_for(score), count, url))
        rows.append({"level": level, "cells": cells})
    unassessed = open_risks(user).filter(**{f"{l_field}__isnull": True}).count()
    return {
        "matrix": matrix,
        "rows": rows,
        "impact_levels": matrix.impact_levels,
        "residual": residual,
        "unassessed": unassessed,
        "total": sum(counts.values()),
    }


def overdue_reviews(queryset: QuerySet, today: dt.date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return queryset.exclude(status=Risk.Status.CLOSED).filter(review_date__lt=today)


def overdue_actions(queryset: QuerySet, today: dt.date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return queryset.filter(status__in=RiskAction.OPEN, due_date__lt=today)


def above_appetite_untreated(queryset: QuerySet, matrix: RiskMatrix | None = None) -> QuerySet:
    """Open risks (not opportunities) scoring above the appetite that have no treatment decided yet."""
    matrix = matrix or active_matrix()
    return queryset.filter(
        kind=Risk.Kind.RISK,
        score__gt=matrix.appetite,
        status__in=(Risk.Status.IDENTIFIED, Risk.Status.ASSESSED),
    )


def review_figures(start: dt.date, end: dt.date, user: Any) -> dict[str, Any]:
    """The review input: open risks by band, new and closed in the period, overdue reviews and actions."""
    matrix = active_matrix()
    risks = permissions.restrict(Risk.objects.all(), user)
    actions = permissions.restrict(RiskAction.objects.all(), user)
    open_ = risks.exclude(status=Risk.Status.CLOSED)
    by_band = dict(open_.values_list("band").annotate(n=Count("id")).values_list("band", "n"))
    bands = [{**band, "count": by_band.get(band["name"], 0)} for band in matrix.bands]
    new = risks.filter(created__date__gte=start, created__date__lte=end)
    closed = risks.filter(closed_at__date__gte=start, closed_at__date__lte=end)
    kinds = open_.aggregate(
        risks=Count("id", filter=Q(kind=Risk.Kind.RISK)),
        opportunities=Count("id", filter=Q(kind=Risk.Kind.OPPORTUNITY)),
        unassessed=Count("id", filter=Q(score__isnull=True)),
    )
    late_actions = overdue_actions(actions, end)
    return {
        "bands": bands,
        "open": open_.count(),
        **kinds,
        "new": new.count(),
        "closed": closed.count(),
        "overdue_reviews": list(overdue_reviews(risks, end).select_related("owner")[:20]),
        "overdue_review_count": overdue_reviews(risks, end).count(),
        "overdue_actions": list(late_actions.select_related("risk", "owner")[:20]),
        "overdue_action_count": late_actions.count(),
        "untreated": list(above_appetite_untreated(open_, matrix)[:20]),
        "appetite": matrix.appetite,
        "start": start,
        "end": end,
    }
