"""What each process contributes to the management review pack (2011 4.5.4.3; 2018 9.3).

The review pack is assembled by the `reviews` app, the highest of the management-system apps; the apps
that hold the figures register an input here, so that no lower app imports the review and the pack shows
whatever is registered:

    register_review_input(
        "risks", _("Risks and opportunities"), risks_for_review,
        topics=("risks",), template="risks/_review_input.html", order=70,
    )

`context(period_start, period_end, user)` reads through the one permission path and returns the template's
context (live figures for the review period), or None when the input has nothing to show. `topics` name
the inputs the standard asks the review to consider (see `TOPICS`), so the pack can tell which required
input has nothing behind it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

# The inputs a management review considers (2018 9.3; 2011 4.5.4.3), in the order a pack presents them.
TOPICS: dict[str, Any] = {
    "previous_actions": _("Status of actions from previous management reviews"),
    "policy_objectives": _("Service management policy and objectives"),
    "context_changes": _("Changes in external and internal issues and in interested parties' needs"),
    "service_performance": _("Performance of the services and of the SMS processes"),
    "customer_feedback": _("Customer satisfaction and complaints"),
    "supplier_performance": _("Performance of external suppliers and other parties"),
    "audit_results": _("Results of audits and assessments"),
    "nonconformities": _("Nonconformities and corrective actions"),
    "risks": _("Risks and opportunities, and how effective their treatment was"),
    "resources": _("Adequacy of resources"),
    "sms_changes": _("Changes that could affect the SMS and the services"),
    "improvement": _("Opportunities for improvement"),
}


@dataclass(frozen=True)
class ReviewInput:
    key: str
    title: Any
    context: Callable[[dt.date, dt.date, Any], dict[str, Any] | None]
    topics: tuple[str, ...]
    template: str
    order: int = 100


_INPUTS: dict[str, ReviewInput] = {}


def register_review_input(
    key: str,
    title: Any,
    context: Callable[[dt.date, dt.date, Any], dict[str, Any] | None],
    *,
    topics: tuple[str, ...],
    template: str,
    order: int = 100,
) -> None:
    """Add (or replace, when its module is imported again) the review input `key`."""
    unknown = set(topics) - set(TOPICS)
    if unknown:
        raise ValueError(f"unknown review topics: {sorted(unknown)}")
    _INPUTS[key] = ReviewInput(key, title, context, tuple(topics), template, order)


def review_inputs() -> list[ReviewInput]:
    """The registered inputs in pack order."""
    return sorted(_INPUTS.values(), key=lambda i: (i.order, i.key))
