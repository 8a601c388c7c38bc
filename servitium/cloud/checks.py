"""Conformity checks evidenced by the cloud service lifecycle (ISO/IEC 20000-9 S07, S08, S11).

Each is bound to the leaf obligations its records show: every subscription in delivery is governed by an
agreed agreement in force, states its tenant and accounts and has agreed quotas; none went live without a
complete onboarding the customer accepted; resource requests beyond the quota were approved before they
were fulfilled, fulfilled ones carry their cost, approved ones are fulfilled; usage is recorded for the
last month, and use above a quota was followed by a resource request or explained. Subscriptions not yet
live are no evidence either way.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core.checks import CheckResult, record_rule, register, tally

from .models import OnboardingTask, ResourceRequest, Subscription, SubscriptionQuota, TaskKind, UsageRecord

S = Subscription.Status
IN_DELIVERY = (S.LIVE, S.TERMINATING)  # delivered to the customer now
WENT_LIVE = (S.LIVE, S.TERMINATING, S.TERMINATED)
FULFIL_WITHIN_DAYS = 30


def _in_delivery():
    return Subscription.objects.filter(status__in=IN_DELIVERY)


def _result(counted, *, met: str, not_met: str, none: str) -> CheckResult:
    """`from_tally`, naming the first records that fall short in the message."""
    names = ", ".join(str(o) for o in counted.gaps[:10])
    return CheckResult.from_tally(
        counted, met=met, not_met=not_met.replace("%(list)s", names.replace("%", "%%")), none=none
    )


@register(
    "cloud.subscriptions_agreed",
    requirements=[
        "iso20000-1:2011#6.1.s1",
        "iso20000-1:2011#6.1.s4",
        "iso20000-1:2018#8.3.3.s1",
        "iso20000-1:2018#8.3.3.s2",
    ],
    title=_("Every subscription in delivery is governed by an agreed agreement in force"),
)
def subscriptions_agreed() -> CheckResult:
    today = timezone.localdate()
    good = Q(agreement__status="agreed") & (
        Q(agreement__valid_until__isnull=True) | Q(agreement__valid_until__gte=today)
    )
    return _result(
        tally(_in_delivery(), good),
        met=_("All %(n)d subscriptions in delivery are governed by an agreed agreement in force."),
        not_met=_("%(bad)d of %(n)d subscriptions in delivery have no agreed agreement in force: %(list)s."),
        none=_("No subscription is in delivery."),
    )


@register(
    "cloud.onboarding_accepted",
    requirements=["iso20000-1:2011#5.4.s2", "iso20000-1:2018#8.5.2.3.s2"],
    title=_("No subscription went live before its onboarding was complete and accepted by the customer"),
)
def onboarding_accepted() -> CheckResult:
    tasks = OnboardingTask.objects.filter(subscription=OuterRef("pk"))
    subscriptions = Subscription.objects.filter(status__in=WENT_LIVE, live_on__isnull=False).annotate(
        open_tasks=Exists(tasks.filter(Q(done_at__isnull=True) | Q(done_at__date__gt=OuterRef("live_on")))),
        acceptance=Exists(tasks.filter(kind=TaskKind.ACCEPTANCE, done_at__isnull=False)),
    )
    good = Q(
        open_tasks=False, acceptance=True, accepted_at__isnull=False, accepted_at__date__lte=F("live_on")
    )
    return _result(
        tally(subscriptions, good),
        met=_("All %(n)d subscriptions went live after a complete onboarding the customer accepted."),
        not_met=_(
            "%(bad)d of %(n)d subscriptions went live with onboarding open or not accepted by the customer: "
            "%(list)s."
        ),
        none=_("No subscription has gone live yet."),
    )


@register(
    "cloud.subscriptions_identify_accounts",
    requirements=["iso20000-1:2011#7.1.s1", "iso20000-1:2018#8.3.2.s1"],
    title=_("Every subscription in delivery records the customer's tenant and accounts"),
)
def subscriptions_identify_accounts() -> CheckResult:
    subscriptions = list(_in_delivery().order_by("-pk"))
    good = [s for s in subscriptions if s.tenant_identifier.strip() and s.account_identifiers]
    bad = [s for s in subscriptions if s not in good]
    return CheckResult.from_counts(
        total=len(subscriptions),
        good=len(good),
        met=_("All %(n)d subscriptions in delivery record the tenant and accounts.")
        % {"n": len(subscriptions)},
        not_met=_("%(bad)d of %(n)d subscriptions in delivery lack the tenant or accounts: %(list)s.")
        % {"bad": len(bad), "n": len(subscriptions), "list": ", ".join(str(s) for s in bad[:10])},
        none=_("No subscription is in delivery."),
        evidence=good[:20],
        gaps=bad[:20],
    )


@register(
    "cloud.subscriptions_have_quotas",
    requirements=["iso20000-1:2011#6.5.s1", "iso20000-1:2018#8.4.3.s1"],
    title=_("Every subscription in delivery has agreed quotas of the resources it uses"),
)
def subscriptions_have_quotas() -> CheckResult:
    subscriptions = _in_delivery().annotate(
        has_quota=Exists(SubscriptionQuota.objects.filter(subscription=OuterRef("pk")))
    )
    return _result(
        tally(subscriptions, Q(has_quota=True)),
        met=_("All %(n)d subscriptions in delivery have their quotas recorded."),
        not_met=_("%(bad)d of %(n)d subscriptions in delivery have no quota: %(list)s."),
        none=_("No subscription is in delivery."),
    )


@register(
    "cloud.beyond_quota_approved",
    requirements=["iso20000-1:2011#6.4.c", "iso20000-1:2018#8.4.1.s2"],
    title=_("Resource requests beyond the quota were approved before they were fulfilled"),
)
def beyond_quota_approved() -> CheckResult:
    requests = ResourceRequest.objects.filter(status=ResourceRequest.Status.FULFILLED, within_quota=False)
    # Who may decide is the service's rule (not the requester); here: decided, and before the fulfilment.
    good = Q(decided_at__isnull=False, decided_at__lte=F("fulfilled_at"))
    return _result(
        tally(requests, good),
        met=_("All %(n)d fulfilled requests beyond the quota were approved first."),
        not_met=_("%(bad)d of %(n)d fulfilled requests beyond the quota were not approved first: %(list)s."),
        none=_("No request beyond a quota has been fulfilled."),
    )


record_rule(
    "cloud.fulfilled_requests_costed",
    requirements=["iso20000-1:2011#6.4.b", "iso20000-1:2018#8.4.1.s1"],
    title=_("Every fulfilled resource request records the cost of what was allocated"),
    model="cloud.ResourceRequest",
    where={"status": ResourceRequest.Status.FULFILLED},
    every=Q(unit_cost__isnull=False, total_cost__isnull=False),
)


@register(
    "cloud.approved_requests_fulfilled",
    requirements=["iso20000-1:2011#8.1.s2", "iso20000-1:2018#8.6.2.c"],
    title=_("Approved resource requests are fulfilled within 30 days"),
)
def approved_requests_fulfilled() -> CheckResult:
    cutoff = timezone.now() - dt.timedelta(days=FULFIL_WITHIN_DAYS)
    requests = ResourceRequest.objects.filter(
        Q(status=ResourceRequest.Status.FULFILLED)
        | Q(status=ResourceRequest.Status.APPROVED, created__lt=cutoff)
    )
    return _result(
        tally(requests, Q(status=ResourceRequest.Status.FULFILLED)),
        met=_("All %(n)d approved resource requests were fulfilled."),
        not_met=_(
            "%(bad)d of %(n)d resource requests approved more than 30 days ago are not fulfilled: %(list)s."
        ),
        none=_("No approved resource request to judge."),
    )


def _last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    this_month = today.replace(day=1)
    return (this_month - dt.timedelta(days=1)).replace(day=1), this_month


@register(
    "cloud.usage_recorded",
    requirements=["iso20000-1:2011#6.5.s4", "iso20000-1:2018#8.4.2.s2", "iso20000-1:2018#8.4.3.s3"],
    title=_("Usage is recorded for last month for every subscription live during it"),
)
def usage_recorded() -> CheckResult:
    first, this_month = _last_month(timezone.localdate())
    recorded = UsageRecord.objects.filter(
        subscription=OuterRef("pk"), period_start__lt=this_month, period_end__gte=first
    )
    subscriptions = _in_delivery().filter(live_on__lt=this_month).annotate(recorded=Exists(recorded))
    return _result(
        tally(subscriptions, Q(recorded=True)),
        met=_("All %(n)d subscriptions live last month have its usage recorded."),
        not_met=_("%(bad)d of %(n)d subscriptions live last month have no usage recorded for it: %(list)s."),
        none=_("No subscription was live last month."),
    )


@register(
    "cloud.usage_over_quota_handled",
    requirements=["iso20000-1:2011#6.5.s5", "iso20000-1:2018#8.4.3.s2"],
    title=_("Use above a quota is followed by a resource request or explained"),
)
def usage_over_quota_handled() -> CheckResult:
    limit = SubscriptionQuota.objects.filter(
        subscription=OuterRef("subscription"), resource=OuterRef("resource")
    ).values("limit")[:1]
    followed = ResourceRequest.objects.filter(
        subscription=OuterRef("subscription"),
        resource=OuterRef("resource"),
        created__date__gte=OuterRef("period_start"),
    ).exclude(status=ResourceRequest.Status.REJECTED)
    over = (
        UsageRecord.objects.filter(subscription__status__in=WENT_LIVE)
        .annotate(quota=Subquery(limit))
        .filter(quota__isnull=False, quantity__gt=F("quota"))
        .annotate(followed=Exists(followed))
    )
    return _result(
        tally(over, Q(followed=True) | ~Q(note="")),
        met=_("All %(n)d uses above a quota were followed by a resource request or explained."),
        not_met=_(
            "%(bad)d of %(n)d uses above a quota have neither a resource request nor a note: %(list)s."
        ),
        none=_("No use above a quota is recorded."),
    )
