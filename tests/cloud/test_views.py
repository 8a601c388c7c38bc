"""The pages of the cloud lifecycle: generated suites, the subscription page (quotas with usage bars and
charts, the checklist with what is overdue, requests, cost), completing a task from it, and the CSV upload."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from servitium.cloud import services
from servitium.cloud.models import (
    OnboardingTask,
    OnboardingTemplate,
    OnboardingTemplateTask,
    ResourceRequest,
    Subscription,
    SubscriptionQuota,
    UsageRecord,
)
from tests import factories
from tests.base import RecordUISuite, browser, client, sent_to_portal
from tests.cloud.conftest import live, offering, quota, subscription, template


class CloudPages(RecordUISuite):
    writer_roles = ["cloud-agent"]


def _usage(sub, month="2026-01", quantity="7"):
    year, mon = (int(p) for p in month.split("-"))
    start = dt.date(year, mon, 1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return services.usage_record(
        actor=None,
        rows=[
            {
                "subscription": sub.pk,
                "resource": "vCPU",
                "period_start": start,
                "period_end": end,
                "quantity": quantity,
            }
        ],
        subscriptions=[sub],
    )[0]


class TestSubscriptionPages(CloudPages):
    model = Subscription

    def make(self, ctx):
        return subscription(ctx.org_a)


class TestQuotaPages(CloudPages):
    model = SubscriptionQuota

    def make(self, ctx):
        return quota(subscription(ctx.org_a))


class TestTemplatePages(CloudPages):
    model = OnboardingTemplate

    def make(self, ctx):
        return template(offering())


class TestTemplateTaskPages(CloudPages):
    model = OnboardingTemplateTask

    def make(self, ctx):
        return template(offering()).tasks.first()


class TestOnboardingTaskPages(CloudPages):
    model = OnboardingTask

    def make(self, ctx):
        sub = subscription(ctx.org_a, template(offering()).offering)
        sub = services.subscription_transition(actor=None, instance=sub, transition="start_onboarding")
        return sub.tasks.first()


class TestResourceRequestPages(CloudPages):
    model = ResourceRequest

    def make(self, ctx):
        sub = live(ctx.org_a)
        quota(sub)
        return services.request_create(
            actor=None, data={"subscription": sub, "resource": "vCPU", "change": 40, "justification": "Peak"}
        )


class TestUsagePages(CloudPages):
    model = UsageRecord

    def make(self, ctx):
        return _usage(live(ctx.org_a))


def test_subscription_page_shows_quotas_checklist_requests_and_cost(ctx):
    sub = subscription(ctx.org_a, template(offering()).offering)
    sub = services.subscription_transition(
        actor=None,
        instance=sub,
        transition="start_onboarding",
        today=timezone.localdate() - dt.timedelta(days=10),
    )
    quota(sub, limit="16", allocated="8", price="10.00")
    today = timezone.localdate()
    _usage(sub, month=f"{today.year}-{today.month:02d}", quantity="20")
    page = browser(ctx.admin).get(sub.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    for part in (
        "subscription-quota-bars",
        "subscription-usage-charts",
        "subscription-checklist",
        "subscription-cost",
    ):
        assert f'id="{part}"' in html
    assert "<svg" in html and "overdue" in html and "over quota" in html
    assert "80.00" in html  # 8 cores at 10.00 a month
    assert page.context["checklist"][0]["overdue"]


def test_customer_completes_its_task_from_the_subscription_page(ctx):
    sub = subscription(ctx.org_a, template(offering()).offering)
    sub = services.subscription_transition(actor=None, instance=sub, transition="start_onboarding")
    theirs = sub.tasks.get(party="customer", kind="training")
    ours = sub.tasks.get(party="provider")
    # The subscription page is a staff page (customers are sent to the portal); the customer completes its
    # own tasks through the API.
    assert sent_to_portal(browser(ctx.customer_a).get(sub.get_absolute_url()))
    api = client(ctx.customer_a)
    done = api.post(f"/api/v1/onboarding-tasks/{theirs.pk}/complete/", {"note": ""}, format="json")
    assert done.status_code == 200, done.content
    theirs.refresh_from_db()
    assert theirs.done_at is not None and theirs.done_by == ctx.customer_a
    assert api.post(
        f"/api/v1/onboarding-tasks/{ours.pk}/complete/", {"note": ""}, format="json"
    ).status_code in (
        403,
        404,
    )
    assert client(ctx.customer_b).get(f"/api/v1/subscriptions/{sub.pk}/").status_code == 404


def test_usage_upload_page_stores_all_or_names_the_line(ctx):
    sub = live(ctx.org_a)
    page = browser(factories.user("uploader", ctx.provider, ["cloud-agent"]))
    assert page.get("/cloud/usage/upload/").status_code == 200
    assert "usage-upload-link" in page.get("/cloud/usage/").content.decode()
    shown = browser(ctx.admin).get(sub.offering.service.get_absolute_url()).content.decode()
    assert 'id="service-subscriptions"' in shown and sub.reference in shown
    bad = (
        "subscription,resource,period_start,period_end,quantity\n"
        f"{sub.reference},vCPU,2026-01-01,2026-01-31,4\n"
        f"{sub.pk},RAM,2026-01-01,2026-01-31,lots\n"
    )
    answer = page.post(
        "/cloud/usage/upload/", {"file": SimpleUploadedFile("u.csv", bad.encode(), "text/csv")}
    )
    assert answer.status_code == 400 and "Line 3, quantity" in answer.content.decode()
    assert not UsageRecord.objects.exists()
    good = bad.replace("lots", "64")
    answer = page.post(
        "/cloud/usage/upload/", {"file": SimpleUploadedFile("u.csv", good.encode(), "text/csv")}
    )
    assert answer.status_code == 302 and UsageRecord.objects.count() == 2
    assert sent_to_portal(browser(ctx.customer_a).get("/cloud/usage/upload/"))


def test_customer_raises_a_request_from_the_form_for_its_own_subscriptions_only(ctx):
    mine, theirs = live(ctx.org_a), live(ctx.org_b)
    quota(mine)
    # The request form is a staff page (customers are sent to the portal); the customer asks through the API.
    assert sent_to_portal(browser(ctx.customer_a).get(f"/cloud/requests/new/?subscription={mine.pk}"))
    page = client(ctx.customer_a)
    body = {"subscription": mine.pk, "resource": "vCPU", "change": "2", "justification": "Month-end batch"}
    answer = page.post("/api/v1/resource-requests/", body, format="json")
    assert answer.status_code == 201, answer.content
    made = ResourceRequest.objects.get()
    assert made.requested_by == ctx.customer_a and made.status == "approved"
    refused = page.post("/api/v1/resource-requests/", {**body, "subscription": theirs.pk}, format="json")
    assert refused.status_code == 400 and ResourceRequest.objects.count() == 1


def test_steps_with_their_own_form_are_not_also_bare_buttons(ctx):
    """Rejecting asks for a reason and fulfilling for what was allocated in the request page's own forms;
    the header offers neither as a button that would submit without them."""
    sub = live(ctx.org_a)
    quota(sub, limit="8", allocated="8")
    ask = services.request_create(
        actor=None, data={"subscription": sub, "resource": "vCPU", "change": "4", "justification": "More"}
    )
    page = browser(ctx.admin).get(ask.get_absolute_url())
    html = page.content.decode()
    assert ask.status == "pending" and 'id="request-reject"' in html
    offered = {t.name for t in page.context["transitions"]} | {s["name"] for s in page.context["step_forms"]}
    assert "reject" not in offered and "approve" in offered
    shown = browser(ctx.admin).get(sub.get_absolute_url())
    assert 'id="subscription-terminate"' in shown.content.decode()
    assert "terminate" not in {s["name"] for s in shown.context["step_forms"]}
