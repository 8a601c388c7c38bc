"""What resources and competence contribute to other pages: the SMS home tile, the review input on
resources, and a link to the resources of a service on its page (registered in apps.ready)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servitium.core import permissions
from servitium.core.panels import LIST, register_panel
from servitium.core.reviewinputs import register_review_input

from . import selectors
from .models import CompetenceRequirement, ResourceBudget


def sms_home(obj: Any, user: Any) -> dict[str, Any] | None:
    if not permissions.has_permission(user, permissions.VIEW, CompetenceRequirement):
        return None
    today = timezone.localdate()
    return selectors.review_figures(today.replace(month=1, day=1), today, user)


def resources_of_service(service: Any, user: Any) -> dict[str, Any] | None:
    if service is None or not permissions.has_permission(user, permissions.VIEW, ResourceBudget):
        return None
    return {"service": service}


def review_input(start: dt.date, end: dt.date, user: Any) -> dict[str, Any] | None:
    if not permissions.has_permission(user, permissions.VIEW, CompetenceRequirement):
        return None
    return selectors.review_figures(start, end, user)


def register() -> None:
    register_panel("sms.home", "competence/_sms_home_panel.html", sms_home, page=LIST, order=50)
    register_panel("catalog.service", "competence/_service_link.html", resources_of_service, order=70)
    register_review_input(
        "resources",
        _("Resources and competence"),
        review_input,
        topics=("resources",),
        template="competence/_review_input.html",
        order=80,
    )
