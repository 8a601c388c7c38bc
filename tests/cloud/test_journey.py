"""The cloud lifecycle through the API alone: a new customer is onboarded onto an offering (the checklist
done by provider and customer users, the customer's acceptance, the subscription live), raises a resource
request beyond its quota (held for a cloud manager) and one within it (fulfilled, with its cost); a
customer user of another organization sees none of it, not even a name; then it terminates: the
subscription ends only once the exit handed the customer an export of its data, which verifies against its
manifest, holds every one of its tickets and no record of another customer. Bad input is a 400 naming the
field, never a 500."""

from __future__ import annotations

from decimal import Decimal

from servitium.catalog.models import Service
from servitium.cloud.models import OnboardingTask, ResourceRequest, Subscription, SubscriptionQuota
from servitium.core.models import ChangeRecord
from tests import factories
from tests.agreements.test_agreements import agreed
from tests.base import client
from tests.cloud.conftest import offering, template

PASSWORD = "correct-horse-battery-9"


def _ok(response, code=200):
    assert response.status_code == code, response.content
    return response.json()


def _user(admin_api, username, org, roles):
    body = {"username": username, "password": PASSWORD, "organization": org, "roles": roles}
    made = _ok(admin_api.post("/api/v1/users/", body, format="json"), 201)
    from servitium.parties.models import User

    return User.objects.get(pk=made["id"])


def test_a_new_customer_is_onboarded_requests_resources_and_stays_private(
    ctx, django_capture_on_commit_callbacks
):
    admin = client(ctx.admin)
    # The provider's side of the catalogue: an offering with its onboarding template, on a live service.
    offer = template(offering("Elastic Compute")).offering
    service = offer.service
    # A new customer, its user and the provider's cloud staff.
    elm = _ok(
        admin.post(
            "/api/v1/organizations/", {"name": "Elm Test Analytics", "kind": "customer"}, format="json"
        ),
        201,
    )
    lena = _user(admin, "lena_t", elm["id"], ["customer"])
    manager = _user(admin, "cm_t", ctx.provider.pk, ["cloud-manager"])
    agent = _user(admin, "ca_t", ctx.provider.pk, ["cloud-agent"])
    from servitium.parties.models import Organization

    agreement = agreed(Organization.objects.get(pk=elm["id"]), service)
    staff, customer, other = client(manager), client(lena), client(ctx.customer_b)

    # S07: the subscription under its agreement, with the options chosen and its quotas.
    sub = _ok(
        staff.post(
            "/api/v1/subscriptions/",
            {
                "customer": elm["id"],
                "offering": offer.pk,
                "options": [offer.options.get(name="M").pk],
                "agreement": agreement.pk,
                "start": "2026-03-01",
                "tenant_identifier": "elm-tenant",
                "account_identifiers": ["elm-prod", "elm-dev"],
            },
            format="json",
        ),
        201,
    )
    assert sub["status"] == "ordered" and sub["reference"].startswith("SUB")
    url = f"/api/v1/subscriptions/{sub['id']}/"
    for resource, unit, limit, allocated, price in (
        ("vCPU", "cores", "16", "8", "12.50"),
        ("Storage", "TB", "4", "2", "30"),
    ):
        _ok(
            staff.post(
                "/api/v1/subscription-quotas/",
                {
                    "subscription": sub["id"],
                    "resource": resource,
                    "unit": unit,
                    "limit": limit,
                    "allocated": allocated,
                    "unit_price": price,
                },
                format="json",
            ),
            201,
        )
    assert _ok(staff.get(url))["monthly_cost"] == "160.00"

    # S08: onboarding lays out the checklist; provider and customer users work through it.
    sub = _ok(staff.post(f"{url}transitions/", {"transition": "start_onboarding"}, format="json"))
    assert sub["status"] == "onboarding"
    tasks = _ok(customer.get("/api/v1/onboarding-tasks/", {"subscription": sub["id"]}))["results"]
    kinds = {t["kind"]: t for t in tasks}
    assert set(kinds) == {"accounts", "training", "acceptance"}
    assert all(t["due_on"] for t in tasks)
    going_live = staff.post(f"{url}transitions/", {"transition": "go_live"}, format="json")
    assert going_live.status_code == 409 and "not complete" in going_live.json()["detail"]
    provider_task, training, acceptance = kinds["accounts"], kinds["training"], kinds["acceptance"]
    assert (
        customer.post(
            f"/api/v1/onboarding-tasks/{provider_task['id']}/complete/", {}, format="json"
        ).status_code
        == 403
    )
    early = customer.post(f"/api/v1/onboarding-tasks/{acceptance['id']}/complete/", {}, format="json")
    assert early.status_code == 409
    assert (
        staff.post(f"/api/v1/onboarding-tasks/{acceptance['id']}/complete/", {}, format="json").status_code
        == 409
    )
    _ok(
        client(agent).post(
            f"/api/v1/onboarding-tasks/{provider_task['id']}/complete/",
            {"note": "Accounts made"},
            format="json",
        )
    )
    done = _ok(
        customer.post(
            f"/api/v1/onboarding-tasks/{training['id']}/complete/", {"note": "Admins trained"}, format="json"
        )
    )
    assert done["done_by"] == lena.pk and done["done_at"]
    _ok(
        customer.post(
            f"/api/v1/onboarding-tasks/{acceptance['id']}/complete/", {"note": "We accept"}, format="json"
        )
    )
    sub = _ok(staff.get(url))
    assert sub["accepted_by"] == lena.pk and sub["accepted_at"]
    assert not service.customers.filter(pk=elm["id"]).exists()
    sub = _ok(staff.post(f"{url}transitions/", {"transition": "go_live"}, format="json"))
    assert sub["status"] == "live" and sub["live_on"]
    assert Service.objects.get(pk=service.pk).customers.filter(pk=elm["id"]).exists()
    assert ChangeRecord.objects.filter(
        object_type="catalog.service", object_id=service.pk, action="update"
    ).exists()

    # S11: beyond the quota -> held for a cloud manager; within it -> approved at once and fulfilled.
    big = _ok(
        customer.post(
            "/api/v1/resource-requests/",
            {
                "subscription": sub["id"],
                "resource": "vCPU",
                "change": "20",
                "justification": "Quarter-end models",
            },
            format="json",
        ),
        201,
    )
    assert big["status"] == "pending" and big["within_quota"] is False and big["requested_by"] == lena.pk
    small = _ok(
        customer.post(
            "/api/v1/resource-requests/",
            {
                "subscription": sub["id"],
                "resource": "Storage",
                "change": "1",
                "justification": "New data set",
            },
            format="json",
        ),
        201,
    )
    assert small["status"] == "approved" and small["within_quota"] is True
    big_url, small_url = (
        f"/api/v1/resource-requests/{big['id']}/",
        f"/api/v1/resource-requests/{small['id']}/",
    )
    assert (
        customer.post(f"{big_url}transitions/", {"transition": "approve"}, format="json").status_code == 403
    )
    assert (
        client(agent).post(f"{big_url}transitions/", {"transition": "approve"}, format="json").status_code
        == 403
    )
    assert _ok(customer.get(big_url))["status"] == "pending"
    fulfilled = _ok(
        client(agent).post(
            f"{small_url}transitions/",
            {"transition": "fulfil", "unit_cost": "30", "allocation_note": "vol-881"},
            format="json",
        )
    )
    assert fulfilled["status"] == "fulfilled" and fulfilled["total_cost"] == "30.00"
    assert fulfilled["allocated_quantity"] == "1.0000" and fulfilled["fulfilled_by"] == agent.pk
    storage = SubscriptionQuota.objects.get(subscription_id=sub["id"], resource="Storage")
    assert storage.allocated == Decimal("3")
    profile = _ok(customer.get(f"{url}cost-profile/"))
    assert profile["monthly_cost"] == "190.00" and profile["fulfilled"][0]["reference"] == small["reference"]

    # Another customer's user sees none of it: not the records, not their names.
    for path in (
        url,
        big_url,
        f"/api/v1/onboarding-tasks/{training['id']}/",
        f"{url}cost-profile/",
        f"{url}usage/",
    ):
        assert other.get(path).status_code == 404, path
    for endpoint in (
        "subscriptions",
        "subscription-quotas",
        "onboarding-tasks",
        "resource-requests",
        "usage-records",
    ):
        listed = _ok(other.get(f"/api/v1/{endpoint}/"))
        assert listed["count"] == 0, endpoint
    assert _ok(other.get("/api/v1/subscriptions/", {"search": "Elm"}))["count"] == 0
    refused = other.post(
        "/api/v1/resource-requests/",
        {"subscription": sub["id"], "resource": "vCPU", "change": "1", "justification": "x"},
        format="json",
    )
    assert refused.status_code == 400 and "subscription" in refused.json()
    assert "Elm" not in refused.content.decode()
    assert (
        other.post(f"/api/v1/onboarding-tasks/{training['id']}/complete/", {}, format="json").status_code
        == 404
    )
    assert (
        ResourceRequest.objects.count() == 2
        and OnboardingTask.objects.filter(done_at__isnull=False).count() == 3
    )
    assert Subscription.objects.get(pk=sub["id"]).status == "live"

    _terminate(ctx, admin, staff, customer, other, sub, elm, django_capture_on_commit_callbacks)


def _terminate(ctx, admin, staff, customer, other, sub, elm, capture):
    """S13 through the API: notice, the exit plan, the export handed over and acknowledged, the end."""
    import io
    import json
    import zipfile

    from servitium.exits.verify import verify

    exits = client(_user(admin, "exit_t", ctx.provider.pk, ["exit-manager"]))
    service = Subscription.objects.get(pk=sub["id"]).offering.service
    # Elm's tickets, raised by Lena in the portal, and one of another customer's.
    mine = [
        _ok(customer.post("/api/v1/incidents/", {"title": t, "service": service.pk}, format="json"), 201)
        for t in ("Training jobs queue for hours", "Need a bigger GPU node")
    ]
    theirs_service = factories.service(factories.unique("Freight"), customers=[ctx.org_b])
    theirs = _ok(
        other.post(
            "/api/v1/incidents/", {"title": "Zeppelin login", "service": theirs_service.pk}, format="json"
        ),
        201,
    )
    url = f"/api/v1/subscriptions/{sub['id']}/"
    ending = _ok(
        staff.post(
            f"{url}transitions/",
            {"transition": "terminate", "effective_end": "2099-01-31", "note": "Moving in-house"},
            format="json",
        )
    )
    assert ending["status"] == "terminating"
    refused = staff.post(f"{url}transitions/", {"transition": "complete_termination"}, format="json")
    assert refused.status_code == 409 and "exit plan" in refused.json()["detail"]

    contact = _ok(
        admin.post("/api/v1/people/", {"name": "Lena Test", "organization": elm["id"]}, format="json"), 201
    )
    plan = _ok(
        exits.post(
            "/api/v1/exit-plans/",
            {
                "customer": elm["id"],
                "kind": "termination",
                "subscriptions": [sub["id"]],
                "effective_end": "2099-01-31",
                "exit_terms": "Clause 14 of the agreement: data returned within 30 days, then deleted.",
                "dispose_not_before": "2099-03-01",
                "customer_contact": contact["id"],
            },
            format="json",
        ),
        201,
    )
    plan_url = f"/api/v1/exit-plans/{plan['id']}/"
    item = _ok(
        exits.post(
            "/api/v1/exit-items/",
            {
                "plan": plan["id"],
                "kind": "data",
                "action": "hand_over",
                "description": "All of Elm's records",
            },
            format="json",
        ),
        201,
    )
    _ok(
        exits.post(
            f"{plan_url}transitions/", {"transition": "agree", "agreed_by": contact["id"]}, format="json"
        )
    )
    _ok(exits.post(f"{plan_url}transitions/", {"transition": "start_handover"}, format="json"))
    refused = staff.post(f"{url}transitions/", {"transition": "complete_termination"}, format="json")
    assert refused.status_code == 409 and "acknowledged" in refused.json()["detail"]

    with capture(execute=True):
        export = _ok(
            exits.post("/api/v1/data-exports/", {"customer": elm["id"], "plan": plan["id"]}, format="json"),
            201,
        )
    export_url = f"/api/v1/data-exports/{export['id']}/"
    assert _ok(customer.get(export_url))["status"] == "ready"
    assert other.get(f"{export_url}download/").status_code == 404
    download = customer.get(f"{export_url}download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    body = b"".join(download.streaming_content)
    checked = verify(io.BytesIO(body))
    assert checked.ok, checked.problems
    archive = zipfile.ZipFile(io.BytesIO(body))
    tickets = [json.loads(line) for line in archive.read("tickets/tickets.jsonl").decode().splitlines()]
    assert {t["id"] for t in tickets} == {t["id"] for t in mine}
    for name in archive.namelist():
        content = archive.read(name)
        assert theirs["reference"].encode() not in content and b"Zeppelin" not in content, name
        assert ctx.org_b.name.encode() not in content, name

    _ok(exits.post(f"{export_url}transitions/", {"transition": "hand_over"}, format="json"))
    _ok(customer.post(f"{export_url}acknowledge/", {"note": "Downloaded and checked"}, format="json"))
    _ok(
        exits.post(
            "/api/v1/handover-records/",
            {
                "plan": plan["id"],
                "export": export["id"],
                "exit_items": [item["id"]],
                "receiving_party": "Elm Test Analytics",
                "recipient": contact["id"],
                "handed_over_at": "2026-12-01T10:00:00Z",
                "channel": "download",
            },
            format="json",
        ),
        201,
    )
    _ok(exits.post(f"{plan_url}transitions/", {"transition": "complete_handover"}, format="json"))
    ended = _ok(staff.post(f"{url}transitions/", {"transition": "complete_termination"}, format="json"))
    assert ended["status"] == "terminated" and ended["end"]


def test_bad_input_is_a_400_naming_the_field(ctx):
    manager = factories.user("cm_bad", ctx.provider, ["cloud-manager"])
    staff = client(manager)
    offer, other_offer = offering(), offering()
    elsewhere = agreed(ctx.org_b).pk
    cases = [
        (
            "/api/v1/subscriptions/",
            {"customer": ctx.org_a.pk, "offering": offer.pk, "start": "soon"},
            "start",
        ),
        (
            "/api/v1/subscriptions/",
            {"customer": ctx.provider.pk, "offering": offer.pk, "start": "2026-01-01"},
            "customer",
        ),
        (
            "/api/v1/subscriptions/",
            {
                "customer": ctx.org_a.pk,
                "offering": offer.pk,
                "start": "2026-01-01",
                "options": [other_offer.options.first().pk],
            },
            "options",
        ),
        (
            "/api/v1/subscriptions/",
            {
                "customer": ctx.org_a.pk,
                "offering": offer.pk,
                "start": "2026-01-01",
                "account_identifiers": {"a": 1},
            },
            "account_identifiers",
        ),
        (
            "/api/v1/subscriptions/",
            {"customer": ctx.org_a.pk, "offering": offer.pk, "start": "2026-01-01", "agreement": elsewhere},
            "agreement",
        ),
        (
            "/api/v1/subscriptions/",
            {"customer": ctx.org_a.pk, "offering": offer.pk, "start": "2026-01-01", "status": "live"},
            "status",
        ),
        (
            "/api/v1/subscription-quotas/",
            {"subscription": 10**12, "resource": "x", "limit": "1"},
            "subscription",
        ),
        (
            "/api/v1/resource-requests/",
            {"subscription": "abc", "resource": "x", "change": "1", "justification": "y"},
            "subscription",
        ),
        ("/api/v1/usage-records/bulk/", {"rows": "nope"}, "rows"),
        ("/api/v1/usage-records/bulk/", {"rows": [{"subscription": 1, "resource": "x"}]}, "rows"),
        ("/api/v1/usage-records/bulk/", {}, "rows"),
        ("/api/v1/onboarding-template-tasks/", {"template": None, "title": "x"}, "template"),
    ]
    before = ChangeRecord.objects.count()
    for path, body, field in cases:
        answer = staff.post(path, body, format="json")
        assert answer.status_code == 400, (path, body, answer.content)
        assert field in answer.json(), (path, field, answer.json())
    assert ChangeRecord.objects.count() == before
    # Transitions with bad or missing input.
    from tests.cloud.conftest import live, quota

    sub = live(ctx.org_a, offer)
    quota(sub)
    url = f"/api/v1/subscriptions/{sub.pk}/transitions/"
    answer = staff.post(url, {"transition": "terminate"}, format="json")
    assert answer.status_code == 400 and "effective_end" in answer.json()
    answer = staff.post(url, {"transition": "terminate", "effective_end": "31.12.2026"}, format="json")
    assert answer.status_code == 400 and "effective_end" in answer.json()
    assert staff.post(url, {"transition": "fly"}, format="json").status_code == 400
    request = (
        client(ctx.customer_a)
        .post(
            "/api/v1/resource-requests/",
            {"subscription": sub.pk, "resource": "vCPU", "change": "100", "justification": "Growth"},
            format="json",
        )
        .json()
    )
    rurl = f"/api/v1/resource-requests/{request['id']}/transitions/"
    answer = staff.post(rurl, {"transition": "reject"}, format="json")
    assert answer.status_code == 400 and "reason" in answer.json()
    _ok(staff.post(rurl, {"transition": "approve", "note": "Budget agreed"}, format="json"))
    for body, field in (
        ({"transition": "fulfil", "unit_cost": "abc"}, "unit_cost"),
        ({"transition": "fulfil", "quantity": "-3"}, "quantity"),
        ({"transition": "fulfil", "unit_cost": "-1"}, "unit_cost"),
    ):
        answer = staff.post(rurl, body, format="json")
        assert answer.status_code == 400 and field in answer.json(), answer.content
    answer = staff.post(
        "/api/v1/resource-requests/",
        {"subscription": sub.pk, "resource": "vCPU", "change": "-500", "justification": "Shrink"},
        format="json",
    )
    assert answer.status_code == 400 and "change" in answer.json()
