"""Reads of the webhooks app."""

from __future__ import annotations

from .models import WebhookDelivery, WebhookSubscription

RECENT = 50


def recent_deliveries(subscription: WebhookSubscription, limit: int = RECENT) -> list[WebhookDelivery]:
    """The subscription's last deliveries, newest first (the caller has checked it may see it)."""
    return list(WebhookDelivery.objects.filter(subscription=subscription).order_by("-created", "-id")[:limit])
