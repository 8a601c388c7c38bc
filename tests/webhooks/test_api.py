"""Webhook subscriptions as a record type: the generated API and UI suites, administrators only, the
secret kept out of the representation and the change log, and bad input answered 400 by field."""

from __future__ import annotations

import json

from servitium.core.models import ChangeRecord
from servitium.webhooks.models import WebhookSubscription
from tests.base import RecordAPISuite, RecordUISuite, browser, client, sent_to_portal
from tests.webhooks.conftest import subscribe

URL = "/api/v1/webhook-subscriptions/"


def valid(**extra):
    return {
        "description": "Chat bridge",
        "target_url": "https://chat.example.com/hook",
        "record_types": ["incidents.incident"],
        "events": ["created", "transition"],
        **extra,
    }


class TestWebhookSubscriptionAPI(RecordAPISuite):
    endpoint = "webhook-subscriptions"
    model = WebhookSubscription
    foreign_roles = ["incident-manager", "auditor"]
    customer_visible = False

    def make(self, ctx):
        return subscribe("https://hooks.example.com/servitium")

    def create_payload(self, ctx):
        return valid()

    def invalid_payload(self, ctx):
        return valid(target_url="ftp://example.com/hook")

    def update_payload(self, ctx):
        return {"description": "Renamed bridge", "events": ["created", "comment"]}


class TestWebhookSubscriptionPages(RecordUISuite):
    model = WebhookSubscription

    def make(self, ctx):
        return subscribe("https://hooks.example.com/servitium")


def test_bad_input_answers_400_naming_the_field(ctx):
    api = client(ctx.admin)
    for field, value in (
        ("target_url", "ftp://example.com/x"),
        ("target_url", "not a url"),
        ("target_url", "javascript:alert(1)"),
        ("record_types", ["no.such"]),
        ("record_types", []),
        ("events", ["exploded"]),
        ("events", []),
    ):
        response = api.post(URL, valid(**{field: value}), format="json")
        assert response.status_code == 400, (field, value, response.content)
        assert field in response.json(), (field, value, response.json())
    assert not WebhookSubscription.objects.exists()


def test_the_secret_is_generated_for_administrators_only_and_never_logged(ctx):
    made = client(ctx.admin).post(URL, valid(), format="json")
    assert made.status_code == 201 and "secret" not in made.json()
    subscription = WebhookSubscription.objects.get()
    assert len(subscription.secret) == 64
    secret_url = f"{URL}{subscription.pk}/secret/"
    assert client(ctx.admin).get(secret_url).json() == {"secret": subscription.secret}
    assert client(ctx.auditor).get(f"{URL}{subscription.pk}/").status_code == 200
    assert client(ctx.auditor).get(secret_url).status_code == 403
    rotated = client(ctx.admin).post(secret_url).json()["secret"]
    assert rotated != subscription.secret and len(rotated) == 64
    logged = json.dumps(
        list(
            ChangeRecord.objects.filter(object_type="webhooks.webhooksubscription").values_list(
                "changes", "message"
            )
        )
    )
    assert subscription.secret not in logged and rotated not in logged


def test_customers_neither_see_nor_create_subscriptions(ctx):
    subscription = subscribe("https://hooks.example.com/servitium")
    api = client(ctx.customer_a)
    assert api.get(URL).json()["results"] == []
    assert api.get(f"{URL}{subscription.pk}/").status_code == 404
    assert api.get(f"{URL}{subscription.pk}/secret/").status_code == 404
    assert api.post(f"{URL}{subscription.pk}/test/").status_code == 404
    assert api.post(URL, valid(), format="json").status_code == 403
    assert sent_to_portal(browser(ctx.customer_a).get("/webhooks/subscriptions/new/"))
    assert sent_to_portal(browser(ctx.customer_a).get(subscription.get_absolute_url()))
    assert WebhookSubscription.objects.count() == 1


def test_switching_a_disabled_subscription_on_again_starts_afresh(ctx):
    subscription = subscribe("https://hooks.example.com/servitium")
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        active=False, consecutive_failures=5, disabled_reason="Disabled after 5"
    )
    response = client(ctx.admin).patch(f"{URL}{subscription.pk}/", {"active": True}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["consecutive_failures"], response.json()["disabled_reason"]) == (0, "")


def test_the_form_creates_a_subscription(ctx):
    page = browser(ctx.admin)
    response = page.post(
        "/webhooks/subscriptions/new/",
        {
            "description": "Form bridge",
            "target_url": "https://form.example.com/hook",
            "record_types": ["incidents.incident", "problems.problem"],
            "events": ["created", "breach"],
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    made = WebhookSubscription.objects.get(description="Form bridge")
    assert made.record_types == ["incidents.incident", "problems.problem"] and made.events == [
        "created",
        "breach",
    ]
    bad = page.post(
        "/webhooks/subscriptions/new/",
        {
            "description": "Bad",
            "target_url": "ftp://x.example.com",
            "record_types": ["incidents.incident"],
            "events": ["created"],
        },
    )
    assert bad.status_code in (200, 400) and "target_url" in bad.context["form"].errors
