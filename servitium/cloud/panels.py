"""What the cloud app shows on pages besides its records' own (registered in apps.ready): the way to the
CSV upload above the usage list, and a service's subscriptions on the service's page."""

from __future__ import annotations

from typing import Any

from servitium.core import permissions
from servitium.core.panels import LIST, register_panel

from .models import Subscription, UsageRecord


def usage_upload(obj: Any, user: Any) -> dict[str, Any] | None:
    if not permissions.has_permission(user, permissions.ADD, UsageRecord):
        return None
    return {}


def service_subscriptions(obj: Any, user: Any) -> dict[str, Any] | None:
    if obj is None or not permissions.has_permission(user, permissions.VIEW, Subscription):
        return None
    found = list(
        permissions.restrict(
            Subscription.objects.filter(offering__service=obj).select_related("customer", "offering"), user
        ).order_by("-start", "-id")[:20]
    )
    return {"subscriptions": found} if found else None


def register() -> None:
    register_panel("cloud.usagerecord", "cloud/_usage_upload.html", usage_upload, page=LIST)
    register_panel("catalog.service", "cloud/_service_subscriptions.html", service_subscriptions, order=75)
