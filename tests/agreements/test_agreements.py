"""Service level management through the API: agreements, targets, reviews, performance, tenancy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from servitium.agreements import services
from servitium.agreements.measures import Measurement, register_measure, unregister_measure
from servitium.agreements.models import ServiceLevelAgreement, ServiceReview, ServiceTarget, TargetPerformance
from servitium.agreements.selectors import sla_targets_for
from servitium.core import services as core_services
from servitium.core.models import ChangeRecord, ServiceHoursCalendar
from tests import factories
from tests.base import RecordAPISuite, RecordUISuite, browser, client, sent_to_portal

WORKLOAD = {
    "expected_volumes": [{"measure": "incidents per month", "value": 20}],
    "peak_periods": ["month end"],
}
EXCEPTIONS = [{"kind": "planned_maintenance", "description": "Sundays 02:00-04:00"}]


def calendar():
    return ServiceHoursCalendar.objects.get_or_create(
        name="Office", defaults={"time_zone": "Europe/Berlin", "weekly_hours": {"mon": [["09:00", "17:00"]]}}
    )[0]


def draft(customer, service=None, **extra):
    service = service or factories.service(factories.unique(f"Svc for {customer.name}"), customers=[customer])
    data = {
        "customer": customer,
        "service": service,
        "title": "Email SLA",
        "calendar": calendar(),
        "valid_from": dt.date(2026, 1, 1),
        "workload": WORKLOAD,
        "exceptions": EXCEPTIONS,
        **extra,
    }
    return services.agreement_create(actor=None, data=data)


def agreed(customer, service=None, resolution_p1=8 * 3600):
    """An SLA signed for the customer by one of its people, with a resolution target, agreed today."""
    signatory = factories.person(factories.unique("Signatory"), customer)
    agreement = draft(customer, service, customer_signatory=signatory)
    services.target_create(
        actor=None,
        data={
            "agreement": agreement,
            "metric": "resolution_time",
            "priority": 1,
            "target_value": resolution_p1,
        },
    )
    return services.agreement_transition(actor=None, instance=agreement, transition="agree")


class TestAgreementAPI(RecordAPISuite):
    endpoint = "slas"
    model = ServiceLevelAgreement
    writer_roles = ["service-level-manager"]
    foreign_roles = ["catalog-manager", "parties-manager"]

    def make(self, ctx):
        return draft(ctx.org_a)

    def create_payload(self, ctx):
        svc = factories.service(factories.unique("Backup"), customers=[ctx.org_a])
        return {"customer": ctx.org_a.pk, "service": svc.pk, "title": "Backup SLA"}

    def invalid_payload(self, ctx):
        svc = factories.service(factories.unique("Storage"), customers=[ctx.org_a])
        return {
            "customer": ctx.provider.pk,
            "service": svc.pk,
            "title": "Wrong party",
            "exceptions": [{"kind": "x"}],
        }

    def update_payload(self, ctx):
        return {"scope": "Mailboxes for all staff"}


class TestInternalAgreementAPI(RecordAPISuite):
    """The same record type through its second endpoint: the kind follows from the endpoint."""

    endpoint = "internal-agreements"
    model = ServiceLevelAgreement
    writer_roles = ["service-level-manager"]
    foreign_roles = ["catalog-manager", "parties-manager"]

    def make(self, ctx):
        return draft(ctx.org_a, kind="internal")

    def create_payload(self, ctx):
        svc = factories.service(factories.unique("Desk"), customers=[ctx.org_a])
        return {"customer": ctx.org_a.pk, "service": svc.pk, "title": "Desk OLA"}

    def invalid_payload(self, ctx):
        svc = factories.service(factories.unique("Desk"), customers=[ctx.org_a])
        return {"customer": ctx.provider.pk, "service": svc.pk, "title": "Wrong party"}

    def update_payload(self, ctx):
        return {"scope": "First-line support for finance"}


class TestTargetAPI(RecordAPISuite):
    endpoint = "sla-targets"
    model = ServiceTarget
    writer_roles = ["service-level-manager"]
    foreign_roles = ["catalog-manager"]

    def make(self, ctx):
        return services.target_create(
            actor=None,
            data={
                "agreement": draft(ctx.org_a),
                "metric": "availability",
                "target_value": "99.5",
                "description": "Mailboxes reachable",
            },
        )

    def create_payload(self, ctx):
        return {
            "agreement": draft(ctx.org_a, factories.service(factories.unique("Other"))).pk,
            "metric": "response_time",
            "priority": 2,
            "target_value": "1800",
        }

    def invalid_payload(self, ctx):
        return {
            "agreement": draft(ctx.org_a, factories.service(factories.unique("Third"))).pk,
            "metric": "availability",
            "target_value": "150",
        }

    def update_payload(self, ctx):
        return {"description": "Measured monthly"}


class TestReviewAPI(RecordAPISuite):
    endpoint = "service-reviews"
    model = ServiceReview
    writer_roles = ["service-level-manager"]
    foreign_roles = ["catalog-manager"]

    def make(self, ctx):
        return services.review_create(
            actor=None, data={"agreement": draft(ctx.org_a), "scheduled_for": dt.date(2026, 12, 1)}
        )

    def create_payload(self, ctx):
        return {
            "agreement": draft(ctx.org_a, factories.service(factories.unique("R"))).pk,
            "scheduled_for": "2026-12-15",
        }

    def invalid_payload(self, ctx):
        return {
            "agreement": draft(ctx.org_a, factories.service(factories.unique("R2"))).pk,
            "scheduled_for": "2026-12-15",
            "actions": [{"owner": "nobody"}],
        }

    def update_payload(self, ctx):
        return {"performance_discussed": "All targets met"}


def test_agree_is_refused_naming_what_is_missing_then_succeeds(ctx):
    """The issue's walk-through, through the API alone."""
    api = client(ctx.admin)
    cal = calendar()
    base = api.post(
        "/api/v1/services/", {"name": "Compute", "customers": [ctx.org_a.pk]}, format="json"
    ).json()
    svc = api.post(
        "/api/v1/services/",
        {"name": "Database", "customers": [ctx.org_a.pk], "depends_on": [base["id"]]},
        format="json",
    ).json()
    sla = api.post(
        "/api/v1/slas/",
        {
            "customer": ctx.org_a.pk,
            "service": svc["id"],
            "title": "DB SLA",
            "calendar": cal.pk,
            "valid_from": "2026-01-01",
            "workload": WORKLOAD,
        },
        format="json",
    ).json()
    api.post(
        "/api/v1/sla-targets/",
        {"agreement": sla["id"], "metric": "resolution_time", "priority": 1, "target_value": 28800},
        format="json",
    )
    refused = api.post(f"/api/v1/slas/{sla['id']}/transitions/", {"transition": "agree"}, format="json")
    assert refused.status_code == 409
    assert "exception" in refused.json()["detail"]
    assert "target" not in refused.json()["detail"]
    assert ServiceLevelAgreement.objects.get(pk=sla["id"]).status == "draft"
    api.patch(f"/api/v1/slas/{sla['id']}/", {"exceptions": EXCEPTIONS}, format="json")
    done = api.post(f"/api/v1/slas/{sla['id']}/transitions/", {"transition": "agree"}, format="json")
    assert done.status_code == 200, done.json()
    body = done.json()
    assert body["status"] == "agreed" and body["agreed_on"] == timezone.localdate().isoformat()
    assert body["next_review_due"] == (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    assert [t["display_value"] for t in body["targets"]] == ["8 h"]


def test_agreed_terms_and_targets_are_frozen(ctx):
    sla = agreed(ctx.org_a)
    api = client(ctx.admin)
    assert api.patch(f"/api/v1/slas/{sla.pk}/", {"exceptions": []}, format="json").status_code == 409
    target = sla.targets.get()
    assert (
        api.patch(f"/api/v1/sla-targets/{target.pk}/", {"target_value": 99999}, format="json").status_code
        == 409
    )
    assert api.patch(f"/api/v1/slas/{sla.pk}/", {"scope": "clarified"}, format="json").status_code == 200


def test_only_one_agreed_sla_per_customer_and_service(ctx):
    first = agreed(ctx.org_a)
    second = draft(ctx.org_a, first.service)
    services.target_create(
        actor=None, data={"agreement": second, "metric": "availability", "target_value": "99"}
    )
    response = client(ctx.admin).post(
        f"/api/v1/slas/{second.pk}/transitions/", {"transition": "agree"}, format="json"
    )
    assert response.status_code == 409 and first.reference in response.json()["detail"]


def test_internal_agreements_are_separate(ctx):
    finance = factories.organization("Finance", "internal")
    api = client(ctx.admin)
    svc = factories.service("Desk", customers=[finance])
    created = api.post(
        "/api/v1/internal-agreements/",
        {"customer": finance.pk, "service": svc.pk, "title": "OLA"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["kind"] == "internal"
    assert "/internal-agreements/" in created.json()["url"]
    assert api.get("/api/v1/slas/").json()["count"] == 0
    wrong = api.post(
        "/api/v1/slas/", {"customer": finance.pk, "service": svc.pk, "title": "x"}, format="json"
    )
    assert wrong.status_code == 400 and "customer" in wrong.json()


def test_holding_a_review_moves_the_next_review(ctx):
    sla = agreed(ctx.org_a)
    review = services.review_create(
        actor=None, data={"agreement": sla, "scheduled_for": dt.date(2026, 11, 1)}
    )
    api = client(ctx.admin)
    missing = api.post(
        f"/api/v1/service-reviews/{review.pk}/transitions/", {"transition": "hold"}, format="json"
    )
    assert missing.status_code == 400 and "performance_discussed" in missing.json()
    held = api.post(
        f"/api/v1/service-reviews/{review.pk}/transitions/",
        {"transition": "hold", "held_on": "2026-11-02", "performance_discussed": "P1 targets met"},
        format="json",
    )
    assert held.status_code == 200 and held.json()["status"] == "held"
    sla.refresh_from_db()
    assert sla.next_review_due == dt.date(2026, 11, 2) + dt.timedelta(days=90)


def test_overdue_review_check(ctx):
    from servitium.core.checks import REGISTRY

    sla = agreed(ctx.org_a)
    assert REGISTRY["agreements.reviews_on_time"].run().status == "met"
    core_services.record_update(
        instance=sla, data={"next_review_due": timezone.localdate() - dt.timedelta(days=1)}, actor=None
    )
    result = REGISTRY["agreements.reviews_on_time"].run()
    assert result.status == "not_met" and sla.reference in result.message


def test_coverage_check_follows_the_records(ctx):
    from servitium.core.checks import REGISTRY

    svc = factories.service("Mail", customers=[ctx.org_a, ctx.org_b])
    check = REGISTRY["agreements.live_services_have_agreed_slas"]
    assert check.run().status == "not_met"
    agreed(ctx.org_a, svc)
    assert check.run().status == "partly_met"
    agreed(ctx.org_b, svc)
    assert check.run().status == "met"


def test_each_customers_catalogue_is_agreed_both_ways(ctx):
    """2011 6.1.s2: a customer's catalogue is agreed when the live services it receives are exactly those
    of its agreed SLAs, signed and dated; what is missing is named per customer."""
    from servitium.core.checks import REGISTRY

    check = REGISTRY["agreements.catalogue_agreed_per_customer"]
    assert check.run().status == "not_applicable"
    mail = factories.service("Mail", customers=[ctx.org_a])
    backup = factories.service("Backup", customers=[ctx.org_a])
    agreed(ctx.org_a, mail)
    result = check.run()
    assert result.status == "not_met" and "receives without agreement: Backup" in result.message
    assert [g.object_id for g in result.gaps] == [ctx.org_a.pk]
    sla = agreed(ctx.org_a, backup)
    assert check.run().status == "met", check.run().message
    # The customer stops receiving Backup, but its SLA is still in force: the catalogue drifted.
    backup.customers.remove(ctx.org_a)
    assert "agreed but not received: Backup" in check.run().message
    backup.customers.add(ctx.org_a)
    ServiceLevelAgreement.objects.filter(pk=sla.pk).update(customer_signatory=None)
    result = check.run()
    assert result.status == "not_met" and "without signatory or date" in result.message


@pytest.fixture
def custom_measure():
    @register_measure("custom:tickets_per_agent")
    def measure(target, start, end):
        return Measurement(Decimal("7"), samples=3, note="test measure")

    yield
    unregister_measure("custom:tickets_per_agent")


def test_performance_job_uses_registered_measures(ctx, custom_measure):
    sla = draft(ctx.org_a)
    custom = services.target_create(
        actor=None,
        data={
            "agreement": sla,
            "metric": "custom",
            "name": "tickets_per_agent",
            "target_value": "10",
            "unit": "tickets",
        },
    )
    other = services.target_create(
        actor=None, data={"agreement": sla, "metric": "availability", "target_value": "99"}
    )
    services.agreement_transition(actor=None, instance=sla, transition="agree")
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    end = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
    assert services.performance_record(period_start=start, period_end=end) == 2
    row = TargetPerformance.objects.get(target=custom)
    assert (row.measured_value, row.samples, row.met) == (
        Decimal("7.000"),
        3,
        True,
    )  # lower is better by default
    # Availability is measured by the availability app (a registered measure): no outage, target met.
    availability = TargetPerformance.objects.get(target=other)
    assert availability.met is True and availability.measured_value == Decimal("100")
    services.performance_record(period_start=start, period_end=end)  # re-running updates, never duplicates
    assert TargetPerformance.objects.count() == 2
    rows = client(ctx.customer_a).get("/api/v1/sla-performance/").json()
    assert rows["count"] == 2
    assert client(ctx.customer_b).get("/api/v1/sla-performance/").json()["count"] == 0
    mine = client(ctx.customer_a).get("/api/v1/sla-performance/", {"target__agreement": sla.pk})
    assert mine.json()["count"] == 2
    # Another organization's agreement cannot even be named in a filter.
    theirs = client(ctx.customer_b).get("/api/v1/sla-performance/", {"target__agreement": sla.pk})
    assert theirs.status_code == 400 and "target__agreement" in theirs.json()


def test_nightly_job_expires_and_records(ctx):
    from servitium.agreements.jobs import record_service_performance

    sla = agreed(ctx.org_a)
    core_services.record_update(
        instance=sla, data={"valid_until": timezone.localdate() - dt.timedelta(days=1)}, actor=None
    )
    record_service_performance.call_local()
    sla.refresh_from_db()
    assert sla.status == "expired"
    entry = ChangeRecord.objects.filter(
        object_type="agreements.servicelevelagreement", object_id=sla.pk, action="transition"
    ).latest("id")
    assert entry.context == "job" and entry.changes["status"] == ["agreed", "expired"]


def test_sla_targets_for_falls_back_to_priority_less_targets(ctx):
    sla = agreed(ctx.org_a)
    assert list(sla_targets_for(sla.service, "resolution_time", 1)) == [sla.targets.get()]
    assert list(sla_targets_for(sla.service, "resolution_time", 3)) == []
    sla = services.agreement_transition(actor=None, instance=sla, transition="reopen")
    services.target_create(
        actor=None, data={"agreement": sla, "metric": "resolution_time", "target_value": 86400}
    )
    services.agreement_transition(actor=None, instance=sla, transition="agree")
    assert [t.target_value for t in sla_targets_for(sla.service, "resolution_time", 3)] == [
        Decimal("86400.000")
    ]


def test_customers_see_only_their_agreements_in_the_portal(ctx):
    """The staff pages send customers to the portal, whose service-level page lists their own agreements."""
    mine, theirs = agreed(ctx.org_a), agreed(ctx.org_b)
    page = browser(ctx.customer_a)
    assert sent_to_portal(page.get(f"/agreements/agreements/{mine.pk}/"))
    listing = page.get("/portal/service-levels/").content.decode()
    assert mine.service.name in listing and theirs.service.name not in listing


def test_review_dates_follow_the_process_not_input(ctx):
    """The next review is due an interval after agreement and after each review held: nobody sets it (the
    review check reads it as evidence), and the meeting date is recorded by holding the review. The API
    shows them read-only; the pages refuse them by name."""
    sla = agreed(ctx.org_a)
    manager = factories.user("slm", ctx.provider, ["service-level-manager"])
    api = client(manager)
    api.patch(f"/api/v1/slas/{sla.pk}/", {"next_review_due": "2099-01-01"}, format="json")
    review = services.review_create(
        actor=None, data={"agreement": sla, "scheduled_for": dt.date(2026, 11, 1)}
    )
    api.patch(f"/api/v1/service-reviews/{review.pk}/", {"held_on": "2026-11-02"}, format="json")
    sla.refresh_from_db()
    review.refresh_from_db()
    assert sla.next_review_due == timezone.localdate() + dt.timedelta(days=90) and review.held_on is None
    page = browser(manager)
    refused = page.post(f"/agreements/reviews/{review.pk}/edit/", {"held_on": "2026-11-02"})
    assert refused.status_code == 400 and "You may not set the field held_on" in refused.content.decode()
    with pytest.raises(ValidationError) as caught:
        services.agreement_update(actor=manager, instance=sla, data={"next_review_due": dt.date(2099, 1, 1)})
    assert "next_review_due" in caught.value.message_dict


def test_kind_is_chosen_on_the_page_and_kept(ctx):
    """The UI creates either kind of agreement; afterwards the kind is part of what was agreed."""
    finance = factories.organization("Finance", "internal")
    svc = factories.service("Desk", customers=[finance])
    page = browser(factories.user("slm", ctx.provider, ["service-level-manager"]))
    form = page.get("/agreements/agreements/new/").context["form"]
    assert "kind" in form.fields and "next_review_due" not in form.fields and "pause_statuses" in form.fields
    created = page.post(
        "/agreements/agreements/new/",
        {
            "kind": "internal",
            "title": "OLA",
            "customer": finance.pk,
            "service": svc.pk,
            "review_interval_days": 90,
            "workload": "{}",
            "pause_statuses": "[]",
            "exceptions": "[]",
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    agreement = ServiceLevelAgreement.objects.get(title="OLA")
    assert agreement.kind == "internal"
    assert "kind" not in page.get(f"/agreements/agreements/{agreement.pk}/edit/").context["form"].fields
    refused = page.post(f"/agreements/agreements/{agreement.pk}/edit/", {"kind": "sla"})
    assert refused.status_code == 400 and "You may not set the field kind" in refused.content.decode()


def test_holding_a_review_from_its_page(ctx):
    sla = agreed(ctx.org_a)
    review = services.review_create(
        actor=None, data={"agreement": sla, "scheduled_for": dt.date(2026, 11, 1)}
    )
    page = browser(factories.user("slm", ctx.provider, ["service-level-manager"]))
    detail = page.get(f"/agreements/reviews/{review.pk}/")
    assert 'id="hold-review"' in detail.content.decode()
    assert [t.name for t in detail.context["transitions"]] == ["cancel"]
    page.post(
        f"/agreements/reviews/{review.pk}/",
        {"transition": "hold", "held_on": "2026-11-03", "performance_discussed": "All met"},
    )
    review.refresh_from_db()
    sla.refresh_from_db()
    assert (review.status, review.held_on, review.performance_discussed) == (
        "held",
        dt.date(2026, 11, 3),
        "All met",
    )
    assert sla.next_review_due == dt.date(2026, 11, 3) + dt.timedelta(days=90)
    assert 'id="hold-review"' not in page.get(f"/agreements/reviews/{review.pk}/").content.decode()


class TestAgreementPages(RecordUISuite):
    model = ServiceLevelAgreement
    writer_roles = ["service-level-manager"]

    def make(self, ctx):
        return draft(ctx.org_a)


class TestTargetPages(RecordUISuite):
    model = ServiceTarget
    writer_roles = ["service-level-manager"]

    def make(self, ctx):
        return services.target_create(
            actor=None,
            data={
                "agreement": draft(ctx.org_a),
                "metric": "resolution_time",
                "priority": 2,
                "target_value": 3600,
            },
        )


class TestReviewPages(RecordUISuite):
    model = ServiceReview
    writer_roles = ["service-level-manager"]

    def make(self, ctx):
        return services.review_create(
            actor=None, data={"agreement": draft(ctx.org_a), "scheduled_for": dt.date(2026, 12, 1)}
        )
