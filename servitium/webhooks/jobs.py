"""Periodic work of the webhooks app: the delivery log keeps SERVITIUM_WEBHOOK_KEEP_DAYS of history."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from huey import crontab

from servitium.core.jobs import as_job, periodic

from .models import WebhookDelivery

logger = logging.getLogger(__name__)


@periodic(crontab(minute="25", hour="3"), name="PruneWebhookDeliveries", every=dt.timedelta(days=1))
@as_job
def prune_webhook_deliveries(now=None) -> int:
    """Forget finished deliveries older than the kept period (pending ones stay until they finish)."""
    days = settings.WEBHOOK_KEEP_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _rows = (
        WebhookDelivery.objects.filter(created__lt=cutoff)
        .exclude(state=WebhookDelivery.State.PENDING)
        .delete()
    )
    if deleted:
        logger.info("pruned %d webhook deliveries older than %d days", deleted, days)
    return deleted
