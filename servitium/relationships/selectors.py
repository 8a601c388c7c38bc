"""Satisfaction analysis per service and per customer."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count

from servitium.core import permissions

from .models import Survey, SurveyInvitation, SurveyResponse


def survey_analysis(survey: Survey, responses=None, invitations=None) -> dict[str, Any]:
    """Counts, mean scores and the distribution of rounded scores, overall, per service and per customer,
    over the given responses and invitations (those the reader may see; all of the survey's by default)."""
    responses = responses if responses is not None else SurveyResponse.objects.filter(survey=survey)
    invitations = invitations if invitations is not None else SurveyInvitation.objects.filter(survey=survey)
    invited = invitations.count()
    answered = invitations.filter(responded=True).count()

    def group(field: str, label: str) -> list[dict[str, Any]]:
        rows = (
            responses.values(field, label)
            .annotate(responses=Count("id"), mean_score=Avg("score"))
            .order_by(label)
        )
        return [
            {
                "id": r[field],
                "name": r[label] or "—",
                "responses": r["responses"],
                "mean_score": _round(r["mean_score"]),
            }
            for r in rows
        ]

    # Scores are means of 1-5 answers; bucket them by rounding half up (4.5 counts as 5, as people expect).
    scores = responses.values_list("score", flat=True)
    distribution = Counter(int(Decimal(s).to_integral_value(rounding=ROUND_HALF_UP)) for s in scores)
    overall = responses.aggregate(n=Count("id"), mean=Avg("score"))
    return {
        "responses": overall["n"],
        "mean_score": _round(overall["mean"]),
        "distribution": {str(k): distribution.get(k, 0) for k in range(1, 6)},
        "invited": invited,
        "response_rate": round(answered / invited, 3) if invited else None,
        "by_service": group("service_id", "service__name"),
        "by_customer": group("customer_id", "customer__name"),
        "low_scores": responses.filter(score__lt=survey.low_score_threshold).count(),
    }


def _round(value) -> float | None:
    return None if value is None else round(float(value), 2)


def survey_analysis_for(survey: Survey, user: Any) -> dict[str, Any]:
    """The analysis over what `user` may see: a customer user gets its own organization's responses and
    response rate, never another customer's."""
    return survey_analysis(
        survey,
        permissions.restrict(SurveyResponse.objects.filter(survey=survey), user),
        permissions.restrict(SurveyInvitation.objects.filter(survey=survey), user),
    )
