"""What documented information shows elsewhere: its tile on the SMS home page and its input to the
management review pack (registered in apps.ready)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servitium.core import permissions
from servitium.core.panels import LIST, register_panel
from servitium.core.reviewinputs import register_review_input

from . import selectors
from .models import Document, DocumentVersion


def sms_home_tile(obj: Any, user: Any) -> dict[str, Any] | None:
    """Counts that matter and what needs attention; shown to those who may read the SMS records."""
    if not permissions.area_allows(user, "sms", permissions.VIEW):
        return None
    return selectors.overview()


def policy_for_review(period_start: dt.date, period_end: dt.date, user: Any) -> dict[str, Any] | None:
    """The policy's standing and how far the documents that ask for it have been acknowledged."""
    if not permissions.area_allows(user, "sms", permissions.VIEW):
        return None
    policy = selectors.sms_policy()
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(period_start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period_end, dt.time.max))
    return {
        "policy": policy,
        "policy_version": policy.current_version if policy else None,
        "policy_review_overdue": bool(policy and policy.next_review and policy.next_review < today),
        "standings": [selectors.acknowledgement_standing(d) for d in selectors.documents_to_acknowledge()],
        "changed": DocumentVersion.objects.filter(effective_at__range=(start, end)).count(),
        "review_overdue": Document.objects.filter(next_review__lt=today).count(),
    }


def register() -> None:
    register_panel("sms.home", "documents/_sms_home_panel.html", sms_home_tile, page=LIST, order=20)
    register_review_input(
        "documents",
        _("Service management policy and awareness"),
        policy_for_review,
        topics=("policy_objectives",),
        template="documents/_review_input.html",
        order=20,
    )
