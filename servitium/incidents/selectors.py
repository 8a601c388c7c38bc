"""Reads of incident management that need thought: queues, breaching-soon, security-incident analysis."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, QuerySet

from .models import Incident


def security_analysis(queryset: QuerySet[Incident], since: dt.date | None, until: dt.date | None) -> dict:
    """Volume, type, risk and impact of security incidents (2011 6.6.3; 2018 8.7.3.3), aggregated in SQL
    over the tickets the reader may see."""
    qs = queryset.filter(is_security=True)
    if since:
        qs = qs.filter(created__date__gte=since)
    if until:
        qs = qs.filter(created__date__lte=until)
    taken = ExpressionWrapper(F("resolved_at") - F("created"), output_field=DurationField())

    def grouped(field: str) -> list[dict[str, Any]]:
        rows = qs.order_by().values(field).annotate(count=Count("id"), mean=Avg(taken)).order_by(field)
        return [
            {
                "value": row[field],
                "count": row["count"],
                "mean_hours_to_resolve": round(row["mean"].total_seconds() / 3600, 1)
                if row["mean"]
                else None,
            }
            for row in rows
        ]

    return {
        "total": qs.count(),
        "by_type": grouped("security_category"),
        "by_risk": grouped("security_risk"),
        "by_impact": grouped("impact"),
    }
