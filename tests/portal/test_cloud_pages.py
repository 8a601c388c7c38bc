"""The portal's cloud pages, as a customer of organization A uses them: its subscriptions with quotas and
use, its onboarding steps, resource requests, exit plans with their data exports and cost statements.
Each page shows A's records and never B's (B's ids answer 404, B's name is absent); each action goes
through the owning app's services and is refused with a clear message when the lifecycle does not allow
it; staff are sent to their own side."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from servitium.catalog.models import Offering
from servitium.cloud import services as cloud_services
from servitium.cloud.models import OnboardingTask, ResourceRequest, Subscription
from servitium.exits import services as exit_services
from servitium.exits.models import DataExport, ExitPlan
from servitium.finance import services as finance_services
from servitium.portal import wording
from tests import factories
from tests.cloud.conftest import live, offering, quota, subscription, template
from tests.conftest import client_for
from tests.exits.conftest import built_export, item, plan

from .conftest import browser

pytestmark = pytest.mark.django_db

B_NAME = "Suite Customer B"


def _usage(sub, rows) -> None:
    end = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    cloud_services.usage_record(
        actor=None,
        rows=[
            {
                "subscription": sub.pk,
                "resource": resource,
                "period_start": end.replace(day=1),
                "period_end": end,
                "quantity": used,
            }
            for resource, used in rows
        ],
        subscriptions=[sub],
    )


@pytest.fixture
def cloud(ctx):
    """A's subscription in onboarding (a provider step, a customer step, the acceptance) with four quotas
    used at 50 %, 90 %, 120 % and not measured; B's live subscription with its own quota and use."""
    offer_a = offering(service=factories.service("Virtual Compute", customers=[ctx.org_a]))
    offer_b = offering(service=factories.service("Bucket Storage", customers=[ctx.org_b]))
    Offering.objects.filter(pk=offer_a.pk).update(name="Compute for A")
    Offering.objects.filter(pk=offer_b.pk).update(name="Storage for B")
    offer_a.refresh_from_db()
    offer_b.refresh_from_db()
    template(offer_a)
    sub_a = subscription(ctx.org_a, offer_a)
    small = offer_a.options.get(name="S")
    cloud_services.subscription_update(actor=None, instance=sub_a, data={}, m2m={"options": [small]})
    sub_a = cloud_services.subscription_transition(actor=None, instance=sub_a, transition="start_onboarding")
    for resource, limit, allocated in (("vCPU", "10", "8"), ("RAM", "100", "90"), ("Storage", "10", "10")):
        quota(sub_a, resource=resource, limit=limit, allocated=allocated)
    quota(sub_a, resource="Seats", limit="5", allocated="1", unit="users")
    _usage(sub_a, [("vCPU", "5"), ("RAM", "90"), ("Storage", "12")])
    sub_b = live(ctx.org_b, offer_b)
    quota(sub_b, resource="Buckets", limit="4", allocated="2", unit="buckets")
    _usage(sub_b, [("Buckets", "3")])
    return SimpleNamespace(
        **vars(ctx),
        offer_a=offer_a,
        offer_b=offer_b,
        sub_a=sub_a,
        sub_b=sub_b,
        person_a=factories.person("Rita Requester", ctx.org_a, user=ctx.customer_a),
        person_b=factories.person("Bea B", ctx.org_b, user=ctx.customer_b),
        a=browser(ctx.customer_a),
        b=browser(ctx.customer_b),
    )


def _task(sub, title) -> OnboardingTask:
    return OnboardingTask.objects.get(subscription=sub, title=title)


def test_usage_colours_green_under_80_amber_to_100_red_above():
    assert [wording.usage_tone(p) for p in (0, 79.9, 80, 100, 100.1, None)] == [
        "success",
        "success",
        "warning",
        "warning",
        "danger",
        "secondary",
    ]


def test_subscriptions_show_the_organizations_own_with_quotas_use_and_status(cloud):
    listing = cloud.a.get("/portal/cloud/")
    text = listing.content.decode()
    assert listing.status_code == 200
    assert cloud.offer_a.name in text and cloud.sub_a.reference in text and "Being set up" in text
    assert cloud.offer_b.name not in text and cloud.sub_b.reference not in text and B_NAME not in text
    page = cloud.a.get(f"/portal/cloud/{cloud.sub_a.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "size: S" in text and "size: M" not in text  # the option chosen
    # One bar per measured quota, coloured by the share used: 50 % green, 90 % amber, 120 % red.
    assert text.count('data-tone="success"') == 1 and "(50 % of the quota)" in text
    assert text.count('data-tone="warning"') == 1 and "(90 % of the quota)" in text
    assert text.count('data-tone="danger"') == 1 and "(120 % of the quota)" in text
    assert 'width="100"' in text  # the red bar is full, not wider than its track
    assert "No use measured yet." in text  # the seats
    assert "quota 10 cores · allocated 8 cores" in text
    assert "Buckets" not in text and B_NAME not in text
    # B's subscription is not found for A, and B sees its own.
    other = cloud.a.get(f"/portal/cloud/{cloud.sub_b.pk}/")
    assert other.status_code == 404 and B_NAME not in other.content.decode()
    assert cloud.offer_b.name not in other.content.decode()
    assert cloud.b.get(f"/portal/cloud/{cloud.sub_b.pk}/").status_code == 200
    assert cloud.b.get(f"/portal/cloud/{cloud.sub_a.pk}/").status_code == 404


def test_the_customer_does_its_own_onboarding_steps_and_accepts_last(cloud):
    sub, client = cloud.sub_a, cloud.a
    url = f"/portal/cloud/{sub.pk}/"
    home = client.get("/portal/").content.decode()
    assert f"{cloud.offer_a.name}: 2 onboarding steps are yours to do." in home
    assert cloud.offer_a.name not in cloud.b.get("/portal/").content.decode()
    page = client.get(url).content.decode()
    assert "Train admins" in page and "Our steps: 0 of 1 done." in page
    assert "You can accept the service once every other step is done." in page
    # The provider's step is not the customer's to do.
    ours = _task(sub, "Create accounts")
    refused = client.post(url, {"task": ours.pk})
    assert refused.status_code == 403 and "This step is ours to do, not yours." in refused.content.decode()
    # Accepting before the other steps are done is refused with the reason.
    acceptance = _task(sub, "Customer accepts the service")
    early = client.post(url, {"task": acceptance.pk})
    assert early.status_code == 409
    assert "2 other onboarding tasks are still open" in early.content.decode()
    done = client.post(url, {"task": _task(sub, "Train admins").pk, "note": "Ten admins trained"})
    assert done.status_code == 302
    trained = _task(sub, "Train admins")
    assert trained.done_by == cloud.customer_a and trained.note == "Ten admins trained"
    cloud_services.task_complete(actor=None, instance=ours)
    assert "We accept the service" in client.get(url).content.decode()
    accepted = client.post(url, {"task": acceptance.pk})
    assert accepted.status_code == 302
    sub.refresh_from_db()
    assert sub.accepted_by == cloud.customer_a and sub.accepted_at is not None
    again = client.post(url, {"task": acceptance.pk})
    assert again.status_code == 409 and "This task is done already." in again.content.decode()
    assert "onboarding steps" not in client.get("/portal/").content.decode()
    # Another organization's step or subscription is not found.
    b_task = OnboardingTask.objects.filter(subscription=cloud.sub_b).first()
    assert client.post(url, {"task": b_task.pk}).status_code == 404
    assert client.post(f"/portal/cloud/{cloud.sub_b.pk}/", {"task": b_task.pk}).status_code == 404
    assert client.post(url, {"task": "not a number"}).status_code == 404


def test_resource_requests_say_whether_they_are_within_the_quota(cloud):
    client, sub = cloud.a, cloud.sub_a
    form = client.get(f"/portal/cloud/{sub.pk}/request/")
    assert form.status_code == 200 and '<option value="vCPU">' in form.content.decode()
    within = client.post(
        f"/portal/cloud/{sub.pk}/request/",
        {"resource": "vCPU", "change": "2", "justification": "Batch"},
        follow=True,
    )
    text = within.content.decode()
    made = ResourceRequest.objects.get(change=Decimal("2"))
    assert made.status == ResourceRequest.Status.APPROVED and made.requested_by == cloud.customer_a
    assert f"Your request {made.reference} is within your quota" in text
    over = client.post(
        f"/portal/cloud/{sub.pk}/request/",
        {"resource": "vCPU", "change": "5", "justification": "Peak"},
        follow=True,
    )
    text = over.content.decode()
    held = ResourceRequest.objects.get(change=Decimal("5"))
    assert held.status == ResourceRequest.Status.PENDING
    assert f"Your request {held.reference} is over quota: it needs our approval first." in text
    listing = client.get("/portal/cloud/requests/").content.decode()
    assert "within your quota" in listing and "over quota: needs approval" in listing
    assert "Waiting for our approval" in listing and "Approved: we are setting it up" in listing
    # Nothing is asked of zero; a subscription not yet onboarding takes no requests; both say why.
    zero = client.post(
        f"/portal/cloud/{sub.pk}/request/", {"resource": "vCPU", "change": "0", "justification": "x"}
    )
    assert zero.status_code == 400 and "not zero" in zero.content.decode()
    ordered = subscription(cloud.org_a, cloud.offer_a, agreement=False)
    early = client.post(
        f"/portal/cloud/{ordered.pk}/request/", {"resource": "vCPU", "change": "1", "justification": "x"}
    )
    assert early.status_code == 400
    assert "Resources are requested for a subscription in onboarding or live." in early.content.decode()
    assert ResourceRequest.objects.count() == 2
    # B's subscription takes no request from A, and B's list does not show A's requests.
    stranger = client.post(
        f"/portal/cloud/{cloud.sub_b.pk}/request/",
        {"resource": "Buckets", "change": "1", "justification": "x"},
    )
    assert stranger.status_code == 404 and B_NAME not in stranger.content.decode()
    assert made.reference not in cloud.b.get("/portal/cloud/requests/").content.decode()


@pytest.fixture
def exit_a(cloud):
    """A's draft termination plan naming its subscription, without a customer contact yet (so not ready to
    agree); B's own plan."""
    made = plan(cloud.org_a, items=1)
    made.subscriptions.add(cloud.sub_a)
    other = plan(cloud.org_b, contact=cloud.person_b, items=1)
    return SimpleNamespace(plan=made, other=other)


def test_the_customer_agrees_its_exit_plan_once_it_is_complete(cloud, exit_a):
    client, url = cloud.a, f"/portal/exits/{exit_a.plan.pk}/"
    page = client.get(url).content.decode()
    assert exit_a.plan.reference in page and cloud.sub_a.reference in page and "Mailbox data 0" in page
    assert "We are still completing this plan." in page and "We agree this plan" not in page
    early = client.post(url, {"action": "agree"})
    assert early.status_code == 409 and "Name the customer&#x27;s contact for the exit first." in (
        early.content.decode()
    )
    assert ExitPlan.objects.get(pk=exit_a.plan.pk).status == ExitPlan.Status.DRAFT
    exit_services.plan_update(actor=None, instance=exit_a.plan, data={"customer_contact": cloud.person_a})
    assert (
        f"The exit plan {exit_a.plan.reference} is ready for you to agree."
        in client.get("/portal/").content.decode()
    )
    assert "We agree this plan" in client.get(url).content.decode()
    agreed = client.post(url, {"action": "agree"})
    assert agreed.status_code == 302
    stored = ExitPlan.objects.get(pk=exit_a.plan.pk)
    assert stored.status == ExitPlan.Status.AGREED and stored.agreed_by == cloud.person_a
    assert stored.agreed_on == timezone.localdate()
    again = client.post(url, {"action": "agree"})
    assert again.status_code == 409 and "there is nothing left to agree" in again.content.decode()
    # B's plan: not found for A, and never named on A's pages.
    assert client.get(f"/portal/exits/{exit_a.other.pk}/").status_code == 404
    assert client.post(f"/portal/exits/{exit_a.other.pk}/", {"action": "agree"}).status_code == 404
    listing = client.get("/portal/exits/").content.decode()
    assert (
        exit_a.plan.reference in listing and exit_a.other.reference not in listing and B_NAME not in listing
    )


def test_staff_record_an_agreement_but_do_not_acknowledge_for_the_customer(cloud, exit_a):
    exit_services.plan_update(actor=None, instance=exit_a.plan, data={"customer_contact": cloud.person_a})
    manager = factories.user("exit_boss", cloud.provider, ["exit-manager"])
    url = f"/api/v1/exit-plans/{exit_a.plan.pk}/transitions/"
    offered = [t["name"] for t in client_for(manager).get(url).json()]
    assert "agree" in offered and "acknowledge" not in offered
    assert client_for(manager).post(url, {"transition": "acknowledge"}, format="json").status_code == 403
    # The customer's own user may, through the API as through the portal.
    assert [t["name"] for t in client_for(cloud.customer_a).get(url).json()] == ["acknowledge"]
    done = client_for(cloud.customer_a).post(url, {"transition": "acknowledge"}, format="json")
    assert done.status_code == 200 and done.json()["agreed_by"] == cloud.person_a.pk


def test_the_customer_downloads_its_export_and_confirms_receipt_once_handed_over(cloud, exit_a):
    made = exit_a.plan
    exit_services.plan_update(actor=None, instance=made, data={"customer_contact": cloud.person_a})
    exit_services.plan_transition(
        actor=None, instance=made, transition="agree", data={"agreed_by": cloud.person_a.pk}
    )
    exit_services.plan_transition(actor=None, instance=made, transition="start_handover")
    export = built_export(cloud.org_a, made)
    other = built_export(cloud.org_b, exit_a.other)
    client, url = cloud.a, f"/portal/exits/{made.pk}/"
    page = client.get(url).content.decode()
    assert f"/api/v1/data-exports/{export.pk}/download/" in page and export.sha256 in page
    assert "We received our data" not in page and other.reference not in page
    download = client.get(f"/api/v1/data-exports/{export.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    early = client.post(url, {"export": export.pk})
    assert early.status_code == 409 and "has not been handed over to you yet" in early.content.decode()
    exit_services.handover_create(
        actor=None,
        data={
            "plan": made,
            "export": export,
            "receiving_party": cloud.org_a.name,
            "recipient": cloud.person_a,
            "handed_over_at": timezone.now(),
            "channel": "download",
        },
    )
    assert f"Your data export {export.reference} was handed over" in client.get("/portal/").content.decode()
    assert "We received our data" in client.get(url).content.decode()
    # B's export cannot be confirmed (nor found) by A, on the plan page or the exits page.
    assert client.post(url, {"export": other.pk}).status_code == 404
    assert client.post("/portal/exits/", {"export": other.pk}).status_code == 404
    assert client.get(f"/api/v1/data-exports/{other.pk}/download/").status_code == 404
    confirmed = client.post(url, {"export": export.pk})
    assert confirmed.status_code == 302
    stored = DataExport.objects.get(pk=export.pk)
    assert stored.status == DataExport.Status.ACKNOWLEDGED and stored.acknowledged_by == cloud.customer_a
    again = client.post("/portal/exits/", {"export": export.pk})
    assert again.status_code == 409 and "You confirmed receipt of" in again.content.decode()
    item(made, description="Archive of the audit logs", action="archive")  # the page lists the inventory
    assert "Archive of the audit logs" in client.get(url).content.decode()


def test_cost_statements_are_the_organizations_issued_ones(cloud):
    from tests.finance.conftest import charge

    charge(cloud.offer_a.service, "120.00", description="Compute bundle")
    charge(cloud.offer_b.service, "80.00", description="Storage bundle")
    statements = {}
    for name, org in (("a", cloud.org_a), ("b", cloud.org_b)):
        made = finance_services.statement_create(
            actor=None,
            data={"customer": org, "period_start": dt.date(2026, 3, 1), "period_end": dt.date(2026, 4, 1)},
        )
        made = finance_services.statement_transition(actor=None, instance=made, transition="approve")
        statements[name] = finance_services.statement_transition(
            actor=None, instance=made, transition="issue"
        )
    draft = finance_services.statement_create(
        actor=None,
        data={
            "customer": cloud.org_a,
            "period_start": dt.date(2026, 4, 1),
            "period_end": dt.date(2026, 5, 1),
        },
    )
    listing = cloud.a.get("/portal/statements/").content.decode()
    assert statements["a"].reference in listing and "1 Mar 2026 – 31 Mar 2026" in listing
    assert draft.reference not in listing and statements["b"].reference not in listing
    page = cloud.a.get(f"/portal/statements/{statements['a'].pk}/").content.decode()
    assert (
        "Virtual Compute: Compute bundle" in page and "120.00 EUR" in page and "1 month at 120.00 EUR" in page
    )
    assert "Storage bundle" not in page and B_NAME not in page
    for hidden in (statements["b"], draft):
        response = cloud.a.get(f"/portal/statements/{hidden.pk}/")
        assert response.status_code == 404 and B_NAME not in response.content.decode()


PAGES = ("/portal/cloud/", "/portal/cloud/requests/", "/portal/exits/", "/portal/statements/")


def test_the_menu_leads_to_the_pages_and_staff_are_not_served_them(cloud):
    home = cloud.a.get("/portal/").content.decode()
    for path in PAGES:
        assert f'href="{path}"' in home, path
        assert cloud.a.get(path).status_code == 200, path
    staff = browser(factories.user("cloud_boss", cloud.provider, ["cloud-manager"]))
    for path in (*PAGES, f"/portal/cloud/{cloud.sub_a.pk}/", f"/portal/cloud/{cloud.sub_a.pk}/request/"):
        response = staff.get(path)
        assert response.status_code == 302 and response["Location"] == "/", path
    assert staff.post(f"/portal/cloud/{cloud.sub_a.pk}/request/", {"resource": "vCPU"}).status_code == 302
    assert not ResourceRequest.objects.exists()
    assert Subscription.objects.get(pk=cloud.sub_a.pk).accepted_at is None
