"""Conformity checks evidenced by service level management."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core.checks import CheckResult, record_rule, register

from .models import ServiceLevelAgreement
from .selectors import agreements_with_overdue_review, coverage_gaps


@register(
    "agreements.live_services_have_agreed_slas",
    requirements=[
        "iso20000-1:2011#6.1.s1",
        "iso20000-1:2011#6.1.s4",
        "iso20000-1:2018#8.3.3.s1",
        "iso20000-1:2018#8.3.3.s2",
    ],
    title=_("Every live service has an agreed SLA with each customer that receives it"),
)
def live_services_have_agreed_slas() -> CheckResult:
    pairs = coverage_gaps()
    covered = [(s, c) for s, c, ok in pairs if ok]
    missing = [(s, c) for s, c, ok in pairs if not ok]
    return CheckResult.from_counts(
        total=len(pairs),
        good=len(covered),
        met=_("All %(n)d service/customer pairs are covered by an agreed SLA.") % {"n": len(pairs)},
        not_met=_("%(n)d of %(t)d service/customer pairs have no agreed SLA: %(list)s.")
        % {"n": len(missing), "t": len(pairs), "list": ", ".join(f"{s} / {c}" for s, c in missing[:10])},
        none=_("No live service has customers yet."),
        evidence=[s for s, _c in covered],
        gaps=[s for s, _c in missing],
    )


@register(
    "agreements.reviews_on_time",
    requirements=[
        "iso20000-1:2011#6.1.s6",
        "iso20000-1:2011#7.1.s4",
        "iso20000-1:2018#8.3.2.s4",
    ],
    title=_("Agreed SLAs are reviewed with the customer at the agreed interval"),
)
def reviews_on_time() -> CheckResult:
    agreed = ServiceLevelAgreement.objects.filter(status=ServiceLevelAgreement.Status.AGREED)
    overdue = list(agreements_with_overdue_review())
    total = agreed.count()
    return CheckResult.from_counts(
        total=total,
        good=total - len(overdue),
        met=_("No agreed SLA has an overdue review."),
        not_met=_("%(n)d agreed SLAs are past their review date: %(refs)s.")
        % {"n": len(overdue), "refs": ", ".join(a.reference for a in overdue[:10])},
        none=_("No agreed SLAs yet."),
        evidence=[a for a in agreed if a not in overdue][:50],
        gaps=overdue,
    )


@register(
    "agreements.agreed_slas_complete",
    requirements=[
        "iso20000-1:2011#6.1.s5.1",
        "iso20000-1:2011#6.1.s5.2",
        "iso20000-1:2011#6.1.s5.3",
        "iso20000-1:2018#8.3.3.s2",
    ],
    title=_("Agreed SLAs state their targets, service hours, workload characteristics and exceptions"),
)
def agreed_slas_complete() -> CheckResult:
    agreed = list(ServiceLevelAgreement.objects.filter(status=ServiceLevelAgreement.Status.AGREED))
    incomplete = [a for a in agreed if a.missing_for_agreement()]
    return CheckResult.from_counts(
        total=len(agreed),
        good=len(agreed) - len(incomplete),
        met=_("Every agreed SLA is complete."),
        not_met=_("%(n)d agreed SLAs lack required contents.") % {"n": len(incomplete)},
        none=_("No agreed SLAs yet."),
        evidence=[a for a in agreed if a not in incomplete],
        gaps=incomplete,
    )


# --- record rules ------------------------------------------------------------------------------------

record_rule(
    "agreements.performance_measured",
    requirements=["iso20000-1:2011#6.1.s9", "iso20000-1:2018#8.3.3.s3"],
    title=_("Performance against SLA targets was measured in the last 90 days"),
    model="agreements.TargetPerformance",
    where=lambda: {"period_end__gte": timezone.now() - dt.timedelta(days=90)},
)
