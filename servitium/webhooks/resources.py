"""What webhook subscriptions show and who writes them: administrators only (the administration area);
auditors read them. The secret is not part of the representation (see api.py `secret`)."""

from __future__ import annotations

from servitium.core.declaration import Access, Resource

from .models import WebhookSubscription

SUBSCRIPTION_WRITES = ("description", "target_url", "record_types", "events", "active")


class WebhookSubscriptionResource(Resource):
    model = WebhookSubscription
    area = "administration"
    fields = (*SUBSCRIPTION_WRITES, "consecutive_failures", "disabled_reason")
    staff = Access(
        create=SUBSCRIPTION_WRITES, required=("description", "target_url", "record_types", "events")
    )
    filters = ("active",)
    list_filters = ("active",)
    search = ("description", "target_url")
    orderings = ("description", "target_url", "active", "consecutive_failures")
    ordering = ("description",)
    columns = ("description", "target_url", "active", "consecutive_failures")
