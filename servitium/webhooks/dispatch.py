"""The listener core.outbound calls after a commit: one delivery per matching active subscription."""

from __future__ import annotations

from servitium.core.outbound import Announcement

from . import delivery
from .models import WebhookDelivery, WebhookSubscription


def deliver(found: Announcement) -> None:
    """One delivery per active subscription that asked for this event of this record type, queued."""
    matching = [
        s
        for s in WebhookSubscription.objects.filter(active=True)
        if found.object_type in (s.record_types or ()) and found.event in (s.events or ())
    ]
    if not matching:
        return
    data = delivery.payload(found)
    made = [
        WebhookDelivery(
            subscription=s, event=found.event, object_type=found.object_type, object_id=found.instance.pk
        )
        for s in matching
    ]
    for row in made:  # each delivery has its own event id, in the body and in a header
        row.body = delivery.dumps({"event_id": str(row.event_id), **data})
        row.save(force_insert=True)
    delivery.queue(made)
