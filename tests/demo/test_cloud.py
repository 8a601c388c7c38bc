"""The cloud demo: a subscription per demo customer with quotas and monthly usage, Elm Analytics' whole
journey up to its notice, Fjord Media half-way through onboarding with overdue tasks, the deliberate gaps
the checks find; the pages for staff and for Lena; and it loads twice unchanged."""

from __future__ import annotations

from django.utils import timezone

from servitium.catalog.models import Service
from servitium.cloud import demo as cloud_demo
from servitium.cloud.models import OnboardingTask, ResourceRequest, Subscription, UsageRecord
from servitium.core.checks import MET, PARTLY_MET, REGISTRY
from servitium.parties.models import Organization, User
from tests.base import browser, client


def test_the_demo_holds_the_cloud_lifecycle_with_its_gaps(db):
    subs = Subscription.objects.all()
    for name in ("Alder Logistics", "Birchwood Health", "Cedar Retail Group", "Dunmore City Council"):
        found = subs.get(customer__name=name)
        assert found.status == "live" and found.quotas.exists() and found.usage.count() >= 6, name
    elm = subs.get(customer__name="Elm Analytics")
    # Given notice, then ended once its exit handed Elm its data (the exits demo).
    assert elm.status == "terminated" and elm.notice_given_on < elm.effective_end < timezone.localdate()
    assert elm.end == elm.effective_end and elm.exit_plans.get().status in ("handed_over", "disposed")
    assert (timezone.localdate() - elm.start).days > 220
    lena = User.objects.get(username="lena")
    assert elm.accepted_by == lena and lena.person.job_title == "Head of Platform"
    assert elm.usage.values("period_start").distinct().count() >= 6
    requests = {r.within_quota: r for r in ResourceRequest.objects.filter(subscription=elm)}
    assert requests[False].status == requests[True].status == "fulfilled"
    assert requests[False].decided_by.username == "ewa" and requests[False].total_cost > 0
    assert Service.objects.get(name="Virtual Compute").customers.filter(name="Elm Analytics").exists()
    fjord = subs.get(customer__name="Fjord Media")
    assert fjord.status == "onboarding"
    today = timezone.localdate()
    tasks = OnboardingTask.objects.filter(subscription=fjord)
    assert tasks.filter(done_at__isnull=False).count() == 2
    assert tasks.filter(done_at__isnull=True, due_on__lt=today).exists()
    assert Organization.objects.filter(name="Elm Analytics", kind="customer").count() == 1
    # The deliberate gaps: Birchwood's mailboxes without an agreement, Cedar's database without last month.
    agreed = REGISTRY["cloud.subscriptions_agreed"].run()
    assert agreed.status == PARTLY_MET and [g.label for g in agreed.gaps] == [
        str(subs.get(customer__name="Birchwood Health"))
    ]
    usage = REGISTRY["cloud.usage_recorded"].run()
    assert usage.status == PARTLY_MET and [g.label for g in usage.gaps] == [
        str(subs.get(customer__name="Cedar Retail Group"))
    ]
    for check_id in (
        "cloud.onboarding_accepted",
        "cloud.beyond_quota_approved",
        "cloud.usage_over_quota_handled",
    ):
        assert REGISTRY[check_id].run().status == MET, check_id
    # The pages, for staff and for Elm's own user; another customer sees nothing of Elm.
    admin = User.objects.get(username="admin")
    for sub in (elm, fjord):
        page = browser(admin).get(sub.get_absolute_url())
        assert page.status_code == 200 and "subscription-checklist" in page.content.decode()
    assert "overdue" in browser(admin).get(fjord.get_absolute_url()).content.decode()
    # Customers follow their subscription through the API (their pages are the portal's): Elm's own user
    # sees Elm's, another customer none of it.
    assert browser(lena).get(elm.get_absolute_url())["Location"] == "/portal/"
    assert client(lena).get("/api/v1/subscriptions/").json()["count"] == 1
    assert client(lena).get(f"/api/v1/subscriptions/{elm.pk}/").status_code == 200
    alder = User.objects.get(username="alder")
    assert client(alder).get(f"/api/v1/subscriptions/{elm.pk}/").status_code == 404
    assert "Elm" not in client(alder).get("/api/v1/resource-requests/").content.decode()
    counts = (Subscription.objects.count(), UsageRecord.objects.count(), ResourceRequest.objects.count())
    cloud_demo.load(actor=None)
    assert (
        Subscription.objects.count(),
        UsageRecord.objects.count(),
        ResourceRequest.objects.count(),
    ) == counts
