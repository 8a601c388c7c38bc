"""The REST resources of the cloud lifecycle: generated suites for each record type."""

from __future__ import annotations

import datetime as dt

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
from tests.base import RecordAPISuite, client
from tests.cloud.conftest import live, offering, quota, subscription, template


class CloudSuite(RecordAPISuite):
    writer_roles = ["cloud-agent"]
    foreign_roles = ["capacity-manager", "incident-manager"]
    deletable = False  # agents do not delete


class TestSubscriptionAPI(CloudSuite):
    endpoint = "subscriptions"
    model = Subscription

    def make(self, ctx):
        return subscription(ctx.org_a)

    def create_payload(self, ctx):
        offer = offering()
        return {
            "customer": ctx.org_a.pk,
            "offering": offer.pk,
            "options": [offer.options.first().pk],
            "start": "2026-05-01",
            "tenant_identifier": "tenant-a",
            "account_identifiers": ["a-prod", "a-test"],
        }

    def invalid_payload(self, ctx):
        offer, other = offering(), offering()
        return {
            "customer": ctx.org_a.pk,
            "offering": offer.pk,
            "options": [other.options.first().pk],
            "start": "2026-05-01",
        }

    def update_payload(self, ctx):
        return {"notes": "Moved to the Dublin region", "tenant_identifier": "tenant-a2"}


class TestQuotaAPI(CloudSuite):
    endpoint = "subscription-quotas"
    model = SubscriptionQuota

    def make(self, ctx):
        return quota(subscription(ctx.org_a), resource=factories.unique("vCPU"))

    def create_payload(self, ctx):
        return {
            "subscription": subscription(ctx.org_a).pk,
            "resource": "RAM",
            "unit": "GB",
            "limit": "64",
            "unit_price": "2.50",
        }

    def invalid_payload(self, ctx):
        return {"subscription": subscription(ctx.org_a).pk, "resource": "RAM", "limit": "-1"}

    def update_payload(self, ctx):
        return {"limit": "32.0000", "unit_price": "12.00"}


class TestTemplateAPI(CloudSuite):
    endpoint = "onboarding-templates"
    model = OnboardingTemplate
    customer_visible = False

    def make(self, ctx):
        return template(offering())

    def create_payload(self, ctx):
        return {"offering": offering().pk, "name": "Standard onboarding"}

    def invalid_payload(self, ctx):
        return {"offering": 10**9, "name": ""}

    def update_payload(self, ctx):
        return {"description": "Five steps"}


class TestTemplateTaskAPI(CloudSuite):
    endpoint = "onboarding-template-tasks"
    model = OnboardingTemplateTask
    customer_visible = False

    def make(self, ctx):
        return template(offering()).tasks.first()

    def create_payload(self, ctx):
        return {
            "template": template(offering(), steps=()).pk,
            "title": "Migrate data",
            "kind": "data_migration",
            "party": "provider",
            "due_offset_days": 10,
        }

    def invalid_payload(self, ctx):
        return {
            "template": template(offering(), steps=()).pk,
            "title": "x",
            "kind": "magic",
            "due_offset_days": -3,
        }

    def update_payload(self, ctx):
        return {"due_offset_days": 12, "title": "Migrate the data"}


def onboarding(ctx):
    sub = subscription(ctx.org_a, template(offering()).offering)
    return services.subscription_transition(actor=None, instance=sub, transition="start_onboarding")


class TestOnboardingTaskAPI(CloudSuite):
    endpoint = "onboarding-tasks"
    model = OnboardingTask

    def make(self, ctx):
        return onboarding(ctx).tasks.filter(party="provider").first()

    def create_payload(self, ctx):
        return {
            "subscription": onboarding(ctx).pk,
            "title": "Connect the VPN",
            "kind": "integrations",
            "party": "provider",
            "due_on": str(timezone.localdate() + dt.timedelta(days=4)),
        }

    def invalid_payload(self, ctx):
        return {"subscription": onboarding(ctx).pk, "title": "", "kind": "nothing"}

    def update_payload(self, ctx):
        return {"note": "Waiting for the customer's firewall rule", "due_on": "2026-12-24"}


class TestResourceRequestAPI(CloudSuite):
    endpoint = "resource-requests"
    model = ResourceRequest

    def make(self, ctx):
        sub = live(ctx.org_a)
        quota(sub)
        return services.request_create(
            actor=None,
            data={"subscription": sub, "resource": "vCPU", "change": 4, "justification": "Peak sales"},
        )

    def create_payload(self, ctx):
        sub = live(ctx.org_a)
        quota(sub)
        return {"subscription": sub.pk, "resource": "vCPU", "change": "2", "justification": "Batch jobs"}

    def invalid_payload(self, ctx):
        sub = live(ctx.org_a)
        return {"subscription": sub.pk, "resource": "vCPU", "change": "0", "justification": ""}

    def update_payload(self, ctx):
        return {"justification": "Peak sales in December"}

    def test_customer_of_the_organization(self, ctx):
        # Customers raise requests (tests/cloud/test_journey.py); they may not edit them.
        obj = self.make(ctx)
        api = client(ctx.customer_a)
        assert api.get(self.url(obj)).status_code == 200
        assert api.patch(self.url(obj), self.update_payload(ctx), format="json").status_code == 403


class TestUsageRecordAPI(CloudSuite):
    endpoint = "usage-records"
    model = UsageRecord

    def make(self, ctx):
        sub = live(ctx.org_a)
        return services.usage_record(
            actor=None,
            rows=[
                {
                    "subscription": sub.pk,
                    "resource": "vCPU",
                    "period_start": "2026-01-01",
                    "period_end": "2026-01-31",
                    "quantity": "7",
                }
            ],
            subscriptions=[sub],
        )[0]

    def create_payload(self, ctx):
        return {
            "subscription": live(ctx.org_a).pk,
            "resource": "vCPU",
            "period_start": "2026-02-01",
            "period_end": "2026-02-28",
            "quantity": "9.5",
            "source": "meter",
        }

    def invalid_payload(self, ctx):
        return {
            "subscription": live(ctx.org_a).pk,
            "resource": "vCPU",
            "period_start": "2026-02-28",
            "period_end": "2026-02-01",
            "quantity": "-1",
        }

    def update_payload(self, ctx):
        return {"quantity": "8.0000", "note": "Corrected from the meter"}
