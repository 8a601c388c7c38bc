"""Conformity checks evidenced by service level management."""

import datetime as dt

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core.checks import CheckResult, record_rule, register

from .models import ServiceLevelAgreement, ServiceTarget, TargetPerformance
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


def _catalogue_per_customer() -> list[tuple]:
    """(customer, what is wrong with its agreed catalogue) for every customer receiving a live service: the
    services it receives and the services of its agreed, signed SLAs are the same set."""
    from servitium.catalog.models import Service
    from servitium.parties.models import Organization

    received: dict[int, set[int]] = {}
    for service_id, customer_id in Service.objects.filter(
        status=Service.Status.LIVE, customers__kind="customer"
    ).values_list("pk", "customers"):
        received.setdefault(customer_id, set()).add(service_id)
    agreed: dict[int, set[int]] = {}
    unsigned: dict[int, int] = {}
    for row in ServiceLevelAgreement.objects.filter(
        status=ServiceLevelAgreement.Status.AGREED, kind=ServiceLevelAgreement.Kind.SLA
    ).values("customer_id", "service_id", "customer_signatory_id", "agreed_on"):
        agreed.setdefault(row["customer_id"], set()).add(row["service_id"])
        if row["customer_signatory_id"] is None or row["agreed_on"] is None:
            unsigned[row["customer_id"]] = unsigned.get(row["customer_id"], 0) + 1
    named = set().union(*received.values(), *agreed.values())
    names = dict(Service.objects.filter(pk__in=named).values_list("pk", "name"))
    rows = []
    for customer in Organization.objects.filter(pk__in=received).order_by("name"):
        lacks = []
        outside = received[customer.pk] - agreed.get(customer.pk, set())
        extra = agreed.get(customer.pk, set()) - received[customer.pk]
        if outside:
            lacks.append(
                _("receives without agreement: %(s)s") % {"s": ", ".join(sorted(names[i] for i in outside))}
            )
        if extra:
            lacks.append(
                _("agreed but not received: %(s)s") % {"s": ", ".join(sorted(names[i] for i in extra))}
            )
        if unsigned.get(customer.pk):
            lacks.append(_("%(n)d agreement(s) without signatory or date") % {"n": unsigned[customer.pk]})
        rows.append((customer, lacks))
    return rows


@register(
    "agreements.catalogue_agreed_per_customer",
    requirements=["iso20000-1:2011#6.1.s2"],
    title=_(
        "Each customer's catalogue is agreed: the live services it receives are exactly those of its agreed "
        "SLAs, each signed by the customer with a date"
    ),
)
def catalogue_agreed_per_customer() -> CheckResult:
    rows = _catalogue_per_customer()
    short = [(c, lacks) for c, lacks in rows if lacks]
    return CheckResult.from_counts(
        total=len(rows),
        good=len(rows) - len(short),
        met=_("All %(n)d customers agreed the services they receive.") % {"n": len(rows)},
        not_met="; ".join(f"{c}: {'; '.join(str(x) for x in lacks)}" for c, lacks in short[:10]) + ".",
        none=_("No live service has customers yet."),
        evidence=[c for c, lacks in rows if not lacks],
        gaps=[c for c, _lacks in short],
    )


record_rule(
    "agreements.catalogue_aligned",
    requirements=["iso20000-1:2011#6.1.s8"],
    # A retired service under an agreed SLA means the catalogue and the agreements have drifted apart.
    title=_("No agreed service level agreement covers a service the catalogue has retired"),
    model="agreements.ServiceLevelAgreement",
    where={"status": ServiceLevelAgreement.Status.AGREED},
    every=~Q(service__status="retired"),
)


# --- internal groups and customers acting as suppliers (2011 6.1.s10-s11; 2018 8.3.4.2) ---------------


def _internal_suppliers() -> list[tuple]:
    """(component, its agreed agreement or None) for every service component an internal group or a
    customer provides: such a party is managed by agreement, not by supplier contract."""
    from servitium.catalog.models import ServiceComponent

    components = list(
        ServiceComponent.objects.filter(provided_by__kind__in=("internal", "customer")).select_related(
            "service", "provided_by"
        )
    )
    agreed = {
        (a.customer_id, a.service_id): a
        for a in ServiceLevelAgreement.objects.filter(
            status=ServiceLevelAgreement.Status.AGREED,
            kind=ServiceLevelAgreement.Kind.INTERNAL,
            customer_id__in={c.provided_by_id for c in components},
        )
    }
    return [(c, agreed.get((c.provided_by_id, c.service_id))) for c in components]


@register(
    "agreements.internal_suppliers_agreed",
    requirements=["iso20000-1:2011#6.1.s10", "iso20000-1:2018#8.3.4.2.s1", "iso20000-1:2018#7.5.4.j"],
    title=_(
        "Every service component provided by an internal group or a customer is covered by an agreed, "
        "reviewed agreement with targets"
    ),
)
def internal_suppliers_agreed() -> CheckResult:
    today = timezone.localdate()
    pairs = _internal_suppliers()
    good = [
        (c, a)
        for c, a in pairs
        if a is not None and a.targets.exists() and (a.next_review_due is None or a.next_review_due >= today)
    ]
    bad = [c for c, a in pairs if (c, a) not in good]
    return CheckResult.from_counts(
        total=len(pairs),
        good=len(good),
        met=_("All %(n)d components provided by internal groups or customers have an agreed agreement.")
        % {"n": len(pairs)},
        not_met=_(
            "%(bad)d of %(n)d components provided by internal groups or customers lack an agreed agreement "
            "with targets, or its review is overdue: %(list)s."
        )
        % {"bad": len(bad), "n": len(pairs), "list": ", ".join(str(c) for c in bad[:10])},
        none=_("No service component is provided by an internal group or a customer."),
        evidence=[a for _c, a in good],
        gaps=bad,
    )


def _beaten(internal, customer) -> bool:
    """Whether the internal target is at least as demanding as the customer's on the same measure."""
    if internal.higher_is_better:
        return internal.target_value >= customer.target_value
    return internal.target_value <= customer.target_value


@register(
    "agreements.internal_targets_support_slas",
    requirements=["iso20000-1:2018#8.3.4.2.s2"],
    title=_("The targets agreed with internal suppliers are no looser than the customers' SLA targets"),
)
def internal_targets_support_slas() -> CheckResult:
    agreements = [a for _c, a in _internal_suppliers() if a is not None]
    internal = list(ServiceTarget.objects.filter(agreement__in=agreements).select_related("agreement"))
    customer = list(
        ServiceTarget.objects.filter(
            agreement__status=ServiceLevelAgreement.Status.AGREED,
            agreement__kind=ServiceLevelAgreement.Kind.SLA,
            agreement__service_id__in={a.service_id for a in agreements},
        ).select_related("agreement")
    )
    loose = []
    for target in internal:
        for theirs in customer:
            same = (theirs.agreement.service_id, theirs.metric, theirs.priority, theirs.name) == (
                target.agreement.service_id,
                target.metric,
                target.priority,
                target.name,
            )
            if same and theirs.agreement_id != target.agreement_id and not _beaten(target, theirs):
                loose.append(target)
                break
    return CheckResult.from_counts(
        total=len(internal),
        good=len(internal) - len(loose),
        met=_("All %(n)d internal targets are at least as demanding as the customers' targets.")
        % {"n": len(internal)},
        not_met=_("%(bad)d of %(n)d internal targets are looser than a customer's SLA target: %(list)s.")
        % {
            "bad": len(loose),
            "n": len(internal),
            "list": ", ".join(f"{t.agreement.reference} {t.get_metric_display()}" for t in loose[:10]),
        },
        none=_("No agreement with an internal supplier has targets."),
        evidence=[t.agreement for t in internal if t not in loose][:20],
        gaps=[t.agreement for t in loose][:20],
    )


@register(
    "agreements.internal_suppliers_monitored",
    requirements=["iso20000-1:2011#6.1.s11", "iso20000-1:2018#8.3.4.2.s3"],
    title=_(
        "The performance of internal suppliers is measured against every target within the review interval"
    ),
)
def internal_suppliers_monitored() -> CheckResult:
    now = timezone.now()
    agreements = [a for _c, a in _internal_suppliers() if a is not None]
    latest = dict(
        TargetPerformance.objects.filter(target__agreement__in=agreements)
        .values("target_id")
        .annotate(last=Max("period_end"))
        .values_list("target_id", "last")
    )
    good, bad = [], []
    for agreement in agreements:
        since = now - dt.timedelta(days=agreement.review_interval_days)
        targets = list(agreement.targets.all())
        ok = bool(targets) and all(latest.get(t.pk) and latest[t.pk] >= since for t in targets)
        (good if ok else bad).append(agreement)
    return CheckResult.from_counts(
        total=len(agreements),
        good=len(good),
        met=_(
            "Every target of the %(n)d internal supplier agreements was measured within its review interval."
        )
        % {"n": len(agreements)},
        not_met=_("%(bad)d of %(n)d internal supplier agreements have targets not measured lately: %(list)s.")
        % {"bad": len(bad), "n": len(agreements), "list": ", ".join(a.reference for a in bad[:10])},
        none=_("No agreed agreement with an internal supplier."),
        evidence=good,
        gaps=bad,
    )
