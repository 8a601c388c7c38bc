"""Sending one delivery: the payload, its HMAC-SHA256 signature, the POST (with a timeout), and retries
with exponential backoff through the task queue.

The receiver checks `X-Servitium-Signature: t=<unix time>,v1=<hex>`, the HMAC-SHA256 of
`<t>.<body>` under the subscription's secret (docs/api.md "Outbound webhooks"), and uses
`X-Servitium-Event-Id` to recognise a delivery it has already taken (a retry after a lost answer).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from servitium.core import changelog
from servitium.core.declaration import resource_for
from servitium.core.jobs import as_job
from servitium.core.models import ChangeRecord
from servitium.core.outbound import Announcement

from . import cache
from .models import PING, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)
EXCERPT = 500
MAX_DELAY_S = 6 * 3600
USER_AGENT = "Servitium-Webhooks/1"


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _absolute(path: str) -> str:
    return f"{settings.WEBHOOK_BASE_URL.rstrip('/')}{path}" if path else ""


def summary(instance: Any) -> dict[str, Any]:
    """The record's stored fields of its API representation (related records by id; many-to-many sets,
    write-only and change-log-excluded fields left out): compact, and nothing the API would not show."""
    resource = resource_for(type(instance))
    hidden = {*resource.write_only, *getattr(instance, "changelog_exclude", ()), "password"}
    data: dict[str, Any] = {"id": instance.pk}
    for name in resource.representation():
        field = resource.model_field(name)
        if name in hidden or field is None or not field.concrete or field.primary_key:
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, FieldFile):
            value = value.name or None
        elif isinstance(value, bytes | memoryview):
            continue
        data[name] = value
    return data


def payload(found: Announcement) -> dict[str, Any]:
    instance = found.instance
    try:
        api = reverse(f"api:{instance._meta.model_name}-detail", args=[instance.pk])
    except NoReverseMatch:
        api = ""
    page = instance.get_absolute_url() if hasattr(instance, "get_absolute_url") else ""
    return {
        "event": found.event,
        "record_type": found.object_type,
        "id": instance.pk,
        "reference": getattr(instance, "reference", "") or str(instance)[:200],
        "url": _absolute(page),
        "api_url": _absolute(api),
        "occurred_at": found.occurred_at,
        "actor": found.actor_name,
        "data": summary(instance),
        "details": found.details,
    }


def payload_for_ping(subscription: WebhookSubscription, actor: Any, event_id: Any) -> str:
    return dumps(
        {
            "event_id": str(event_id),
            "event": PING,
            "record_type": subscription.object_type(),
            "id": subscription.pk,
            "reference": subscription.description,
            "url": _absolute(subscription.get_absolute_url()),
            "api_url": "",
            "occurred_at": timezone.now(),
            "actor": actor.get_username() if getattr(actor, "is_authenticated", False) else "",
            "data": {"message": "Servitium test delivery"},
            "details": {},
        }
    )


def queue(rows: list[WebhookDelivery]) -> None:
    """Hand the deliveries to the task queue (at once in immediate mode, as in tests)."""
    for row in rows:
        deliver_task(row.pk)


@db_task(name="DeliverWebhook")
@as_job
def deliver_task(delivery_id: int) -> str:
    return attempt(delivery_id)


def backoff(attempts: int) -> dt.timedelta:
    """The wait before the next try after `attempts` failed ones: the base, doubled each time, capped."""
    return dt.timedelta(seconds=min(settings.WEBHOOK_RETRY_BASE_S * 2 ** (attempts - 1), MAX_DELAY_S))


@dataclass
class Outcome:
    ok: bool
    status_code: int | None = None
    excerpt: str = ""
    error: str = ""
    duration_ms: int = 0


def attempt(delivery_id: int, now: dt.datetime | None = None) -> str:
    """Try one pending delivery once; schedule the next try or give up. Returns the resulting state."""
    row = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if row is None or row.state != WebhookDelivery.State.PENDING:
        return "gone"
    subscription, ping = row.subscription, row.event == PING
    if not subscription.active and not ping:
        row.state, row.error = WebhookDelivery.State.FAILED, "the subscription is disabled"
        row.finished_at, row.next_retry_at = timezone.now(), None
        row.save()
        return row.state
    outcome = post(subscription, row, row.body.encode())
    now = now or timezone.now()
    row.attempts += 1
    row.status_code, row.duration_ms = outcome.status_code, outcome.duration_ms
    row.response_excerpt, row.error = outcome.excerpt[:EXCERPT], outcome.error[:EXCERPT]
    if outcome.ok:
        row.state, row.finished_at, row.next_retry_at = WebhookDelivery.State.DELIVERED, now, None
        row.save()
        if not ping:
            delivered(subscription.pk)
        return row.state
    limit = 1 if ping else max(settings.WEBHOOK_ATTEMPTS, 1)
    if row.attempts < limit:
        row.next_retry_at = now + backoff(row.attempts)
        row.save()
        deliver_task.schedule(args=(row.pk,), eta=row.next_retry_at)
        return "retrying"
    row.state, row.finished_at, row.next_retry_at = WebhookDelivery.State.FAILED, now, None
    row.save()
    if not ping:
        problem = outcome.error or f"HTTP {outcome.status_code}"
        delivery_failed(subscription.pk, problem)
    return row.state


def post(subscription: WebhookSubscription, row: WebhookDelivery, body: bytes) -> Outcome:
    import urllib.error  # here: every process imports this module, few send anything
    import urllib.request

    if not subscription.target_url.startswith(("https://", "http://")):
        return Outcome(False, error="the target URL is not http(s)")
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        subscription.target_url,
        data=body,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Servitium-Event": row.event,
            "X-Servitium-Event-Id": str(row.event_id),
            "X-Servitium-Signature": f"t={timestamp},v1={sign(subscription.secret, timestamp, body)}",
        },
        method="POST",
    )
    opener = urllib.request.build_opener(_no_redirect_handler())  # a redirect would turn the POST into a GET
    started = time.monotonic()
    try:
        with opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_S) as response:
            excerpt = response.read(EXCERPT).decode("utf-8", "replace")
            code = response.status
    except urllib.error.HTTPError as exc:  # an answer outside 2xx
        excerpt = (exc.read(EXCERPT) or b"").decode("utf-8", "replace") if exc.fp else ""
        return Outcome(False, exc.code, excerpt, f"HTTP {exc.code}", _ms(started))
    except (urllib.error.URLError, OSError, ValueError) as exc:  # refused, unreachable, timed out
        reason = getattr(exc, "reason", exc)
        logger.info("webhook %s to %s failed: %s", row.event_id, subscription.target_url, reason)
        return Outcome(False, None, "", str(reason) or type(exc).__name__, _ms(started))
    return Outcome(
        200 <= code < 300, code, excerpt, "" if 200 <= code < 300 else f"HTTP {code}", _ms(started)
    )


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _no_redirect_handler():
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            return None  # the 3xx answer is the outcome

    return NoRedirect


def delivered(subscription_id: int) -> None:
    WebhookSubscription.objects.filter(pk=subscription_id, consecutive_failures__gt=0).update(
        consecutive_failures=0
    )


@transaction.atomic
def delivery_failed(subscription_id: int, error: str) -> bool:
    """Count a delivery given up on; the subscription is switched off (with its reason in the change log)
    after SERVITIUM_WEBHOOK_DISABLE_AFTER of them in a row. Returns whether it was switched off now."""
    WebhookSubscription.objects.filter(pk=subscription_id).update(
        consecutive_failures=models.F("consecutive_failures") + 1
    )
    subscription = WebhookSubscription.objects.select_for_update().filter(pk=subscription_id).first()
    limit = settings.WEBHOOK_DISABLE_AFTER
    if subscription is None or not subscription.active or limit <= 0:
        return False
    if subscription.consecutive_failures < limit:
        return False
    reason = _("Disabled after %(n)d consecutive failed deliveries; the last: %(error)s") % {
        "n": subscription.consecutive_failures,
        "error": error,
    }
    before = changelog.snapshot(subscription)
    subscription.active = False
    subscription.disabled_reason = reason[:500]
    subscription.save(update_fields=["active", "disabled_reason", "updated"])
    changelog.record(
        subscription, action=ChangeRecord.Action.UPDATE, actor=None, before=before, message=reason
    )
    cache.forget()
    transaction.on_commit(cache.forget)
    return True
