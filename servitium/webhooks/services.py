"""Writes of the webhooks app: subscriptions through the audited core services, the automatic disabling
after repeated failures, and the test delivery."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from servitium.core import changelog
from servitium.core import services as core_services
from servitium.core.models import ChangeRecord

from . import cache, delivery
from .models import PING, WebhookDelivery, WebhookSubscription

SECRET_BYTES = 32  # 64 hex characters


def _forget() -> None:
    """This process reads the subscriptions again at its next write, and again once this transaction has
    committed (a write in between would have read them before the change was visible)."""
    cache.forget()
    transaction.on_commit(cache.forget)


@transaction.atomic
def subscription_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None):
    made = core_services.create_in_transaction(
        model=WebhookSubscription,
        data=data,
        actor=actor,
        m2m=m2m,
        derived={"secret": secrets.token_hex(SECRET_BYTES)},
    )
    _forget()
    return made


@transaction.atomic
def subscription_update(
    *, actor: Any, instance: WebhookSubscription, data: dict[str, Any], m2m: dict[str, Any] | None = None
):
    derived = {}
    if data.get("active") and not instance.active:  # switched on again: start counting afresh
        derived = {"consecutive_failures": 0, "disabled_reason": ""}
    updated = core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m, derived=derived)
    _forget()
    return updated


@transaction.atomic
def subscription_delete(*, actor: Any, instance: WebhookSubscription) -> None:
    core_services.record_delete(instance=instance, actor=actor)
    _forget()


@transaction.atomic
def secret_rotate(*, actor: Any, instance: WebhookSubscription) -> WebhookSubscription:
    """A new secret (the old one stops verifying at once); the change log notes the rotation, not the key."""
    instance = WebhookSubscription.objects.select_for_update().get(pk=instance.pk)
    instance.secret = secrets.token_hex(SECRET_BYTES)
    instance.save(update_fields=["secret", "updated"])
    changelog.record(
        instance,
        action=ChangeRecord.Action.UPDATE,
        actor=actor,
        changes={"secret": ["…", "…"]},
        message=_("Secret rotated"),
    )
    return instance


def send_ping(*, actor: Any, instance: WebhookSubscription) -> WebhookDelivery:
    """Queue a `ping` to the subscription (active or not), tried once: the administrator's test button."""
    made = WebhookDelivery(subscription=instance, event=PING)
    made.body = delivery.payload_for_ping(instance, actor, made.event_id)
    made.save(force_insert=True)
    delivery.queue([made])
    made.refresh_from_db()
    return made
