"""Deliveries to a real HTTP receiver: signed events for creation, transition and comment, retries with
backoff, the failure log and the automatic disabling, and nothing for what nobody subscribed to."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from servitium.core import services as core_services
from servitium.core.models import ChangeRecord
from servitium.incidents import services as incident_services
from servitium.webhooks import delivery
from servitium.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.base import client
from tests.incidents.conftest import BERLIN
from tests.webhooks.conftest import Receiver, closed_port_url, subscribe, verify


def raise_incident(ctx, title="Mail stuck"):
    return incident_services.incident_create(actor=None, data={"customer": ctx.org_a, "title": title})


def test_an_incident_created_through_the_api_arrives_signed(
    ctx, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client(ctx.admin).post(
            "/api/v1/incidents/", {"customer": ctx.org_a.pk, "title": "Printer on fire"}, format="json"
        )
    assert response.status_code == 201, response.json()
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert verify(subscription.secret, got["headers"], got["body"])
    assert not verify("another secret", got["headers"], got["body"])
    event = json.loads(got["body"])
    assert event["event"] == "created" and event["record_type"] == "incidents.incident"
    assert event["id"] == response.json()["id"] and event["reference"] == response.json()["reference"]
    assert event["actor"] == ctx.admin.username
    assert event["data"]["title"] == "Printer on fire" and event["api_url"].endswith(
        f"/api/v1/incidents/{event['id']}/"
    )
    assert got["headers"]["X-Servitium-Event-Id"] == event["event_id"]
    row = WebhookDelivery.objects.get()
    assert (row.state, row.attempts, row.status_code, row.response_excerpt) == ("delivered", 1, 200, "thanks")
    assert str(row.event_id) == event["event_id"] and row.duration_ms is not None


def test_transition_and_comment_events_arrive(ctx, receiver, django_capture_on_commit_callbacks):
    subscribe(receiver.url, events=("transition", "comment"))
    with django_capture_on_commit_callbacks(execute=True):
        incident = raise_incident(ctx)  # "created" was not asked for
    assert receiver.received == []
    with django_capture_on_commit_callbacks(execute=True):
        response = client(ctx.admin).post(
            f"/api/v1/incidents/{incident.pk}/transitions/", {"transition": "start_work"}, format="json"
        )
        assert response.status_code == 200, response.json()
    with django_capture_on_commit_callbacks(execute=True):
        core_services.comment_create(
            actor=ctx.admin, object_type="incidents.incident", object_id=incident.pk, body="Looking into it"
        )
    transition, comment = receiver.events()
    assert transition["event"] == "transition" and transition["id"] == incident.pk
    assert (transition["details"]["from"], transition["details"]["to"]) == ("new", "in_progress")
    assert comment["event"] == "comment" and comment["details"]["comment"]["body"] == "Looking into it"
    assert comment["actor"] == ctx.admin.username


def test_nothing_for_other_record_types_or_events(ctx, receiver, django_capture_on_commit_callbacks):
    subscribe(receiver.url, record_types=("problems.problem",), events=("created",))
    subscribe(receiver.url, record_types=("incidents.incident",), events=("deleted",))
    subscribe(receiver.url, record_types=("incidents.incident",), events=("created",), active=False)
    with django_capture_on_commit_callbacks(execute=True):
        raise_incident(ctx)
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


def test_a_rolled_back_write_sends_nothing(ctx, receiver, django_capture_on_commit_callbacks):
    from django.db import transaction

    subscribe(receiver.url)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        raise_incident(ctx)
        raise RuntimeError("abandoned")
    assert receiver.received == []


@override_settings(WEBHOOK_ATTEMPTS=3, WEBHOOK_RETRY_BASE_S=30, WEBHOOK_DISABLE_AFTER=2)
def test_a_receiver_down_is_retried_with_backoff_then_failed_and_disabled(
    ctx, django_capture_on_commit_callbacks
):
    subscription = subscribe(closed_port_url())
    HUEY.storage.flush_schedule()
    with django_capture_on_commit_callbacks(execute=True):
        raise_incident(ctx, "First")
    row = WebhookDelivery.objects.get()
    assert (row.state, row.attempts) == ("pending", 1)  # the first try ran at once (immediate mode)
    assert row.error and row.status_code is None
    waited = row.next_retry_at - timezone.now()
    assert dt.timedelta(seconds=25) < waited <= dt.timedelta(seconds=30)
    scheduled = HUEY.scheduled()
    assert [(t.name, t.args) for t in scheduled] == [("DeliverWebhook", (row.pk,))]
    # The queue's consumer runs the scheduled try at its time; here the test does, through the same task.
    assert delivery.deliver_task.call_local(row.pk) == "retrying"
    row.refresh_from_db()
    assert row.attempts == 2
    assert dt.timedelta(seconds=55) < row.next_retry_at - timezone.now() <= dt.timedelta(seconds=60)
    assert delivery.deliver_task.call_local(row.pk) == "failed"
    row.refresh_from_db()
    assert (row.state, row.attempts, row.next_retry_at) == ("failed", 3, None) and row.finished_at
    subscription.refresh_from_db()
    assert subscription.active and subscription.consecutive_failures == 1
    # A second delivery that fails every try: two in a row switch the subscription off.
    HUEY.storage.flush_schedule()
    with django_capture_on_commit_callbacks(execute=True):
        raise_incident(ctx, "Second")
    second = WebhookDelivery.objects.exclude(pk=row.pk).get()
    for _ in range(2):
        delivery.deliver_task.call_local(second.pk)
    subscription.refresh_from_db()
    assert not subscription.active and subscription.consecutive_failures == 2
    assert "2 consecutive failed deliveries" in subscription.disabled_reason
    entry = ChangeRecord.objects.filter(
        object_type="webhooks.webhooksubscription", object_id=subscription.pk, action="update"
    ).last()
    assert entry.changes["active"] == [True, False] and "consecutive failed" in entry.message
    assert "secret" not in json.dumps(entry.changes)
    # Switched off: nothing more is sent.
    with django_capture_on_commit_callbacks(execute=True):
        raise_incident(ctx, "Third")
    assert WebhookDelivery.objects.count() == 2
    HUEY.storage.flush_schedule()


def test_an_error_answer_is_logged_and_a_later_success_resets_the_count(
    ctx, django_capture_on_commit_callbacks
):
    receiver = Receiver(statuses=(503, 200))
    try:
        subscription = subscribe(receiver.url)
        WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=3)
        with django_capture_on_commit_callbacks(execute=True):
            raise_incident(ctx)
        row = WebhookDelivery.objects.get()
        assert (row.state, row.status_code, row.response_excerpt, row.error) == (
            "pending",
            503,
            "not now",
            "HTTP 503",
        )
        assert delivery.deliver_task.call_local(row.pk) == "delivered"
        subscription.refresh_from_db()
        assert subscription.consecutive_failures == 0
        first, second = receiver.received
        assert first["headers"]["X-Servitium-Event-Id"] == second["headers"]["X-Servitium-Event-Id"]
    finally:
        receiver.close()
        HUEY.storage.flush_schedule()


def test_the_test_delivery_pings(ctx, receiver):
    subscription = subscribe(receiver.url)
    response = client(ctx.admin).post(f"/api/v1/webhook-subscriptions/{subscription.pk}/test/")
    assert response.status_code == 202, response.content
    assert response.json()["state"] == "delivered" and response.json()["status_code"] == 200
    (got,) = receiver.received
    assert json.loads(got["body"])["event"] == "ping" and verify(
        subscription.secret, got["headers"], got["body"]
    )
    listed = client(ctx.admin).get(f"/api/v1/webhook-subscriptions/{subscription.pk}/deliveries/").json()
    assert [d["event"] for d in listed] == ["ping"]
    assert (
        client(ctx.auditor).post(f"/api/v1/webhook-subscriptions/{subscription.pk}/test/").status_code == 403
    )


def test_a_failed_ping_is_tried_once_and_does_not_count(ctx):
    subscription = subscribe(closed_port_url())
    body = client(ctx.admin).post(f"/api/v1/webhook-subscriptions/{subscription.pk}/test/").json()
    assert body["state"] == "failed" and body["attempts"] == 1 and body["error"]
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0


def test_the_ui_test_button_and_delivery_log(ctx, receiver):
    from tests.base import browser

    subscription = subscribe(receiver.url)
    page = browser(ctx.admin)
    answer = page.post(f"/webhooks/subscriptions/{subscription.pk}/test/", follow=True)
    assert answer.status_code == 200 and b"HTTP 200" in answer.content
    assert len(receiver.received) == 1
    detail = page.get(subscription.get_absolute_url()).content.decode()
    assert 'id="webhook-deliveries"' in detail and "ping" in detail and subscription.secret in detail
    auditor_page = browser(ctx.auditor).get(subscription.get_absolute_url()).content.decode()
    assert subscription.secret not in auditor_page and 'id="webhook-test"' not in auditor_page
    assert browser(ctx.auditor).post(f"/webhooks/subscriptions/{subscription.pk}/test/").status_code == 404


def test_an_sla_breach_and_warning_arrive(ctx, sla, receiver, django_capture_on_commit_callbacks):
    from servitium.incidents.jobs import sla_clock_check
    from servitium.incidents.models import SlaClock

    subscribe(receiver.url, events=("breach", "at_risk"))
    today = timezone.localdate()
    monday = today + dt.timedelta(days=7 + (7 - today.weekday()) % 7)
    start = dt.datetime.combine(monday, dt.time(9), tzinfo=BERLIN)
    incident = incident_services.incident_create(
        actor=None,
        data={
            "customer": ctx.org_a,
            "service": sla.service,
            "title": "Mail bounces",
            "impact": 2,
            "urgency": 2,
        },
        now=start,
    )
    clock = SlaClock.objects.get(incident=incident, metric="resolution_time")
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            sla_clock_check.call_local(clock.pk, clock.version, now=start + dt.timedelta(hours=6)) == "warned"
        )
        assert (
            sla_clock_check.call_local(clock.pk, clock.version, now=start + dt.timedelta(hours=8))
            == "breached"
        )
    warned, breached = receiver.events()
    assert (warned["event"], breached["event"]) == ("at_risk", "breach")
    assert breached["id"] == incident.pk and breached["details"]["metric"] == "resolution_time"
    assert breached["details"]["due_at"]
    HUEY.storage.flush_schedule()


def test_old_finished_deliveries_are_pruned(ctx):
    from servitium.webhooks.jobs import prune_webhook_deliveries

    subscription = subscribe("https://hooks.example.com/x")
    old, pending, recent = (
        WebhookDelivery.objects.create(subscription=subscription, event="created", body="{}", state=state)
        for state in ("delivered", "pending", "failed")
    )
    WebhookDelivery.objects.filter(pk__in=[old.pk, pending.pk]).update(
        created=timezone.now() - dt.timedelta(days=40)
    )
    assert prune_webhook_deliveries.call_local() == 1
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {pending.pk, recent.pk}


@override_settings(WEBHOOK_TIMEOUT_S=0.5)
def test_a_slow_receiver_times_out(ctx):
    receiver = Receiver(delay=2)
    try:
        subscription = subscribe(receiver.url)
        body = client(ctx.admin).post(f"/api/v1/webhook-subscriptions/{subscription.pk}/test/").json()
    finally:
        receiver.close()
    assert body["state"] == "failed" and "timed out" in body["error"], body
    assert body["duration_ms"] < 1500
