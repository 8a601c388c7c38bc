"""Conformity checks evidenced by service reporting (2011 6.2; 2018 9.4).

Reports are described (purpose, audience, frequency, sections) for the customers that receive services;
each holds the content the standard asks for; scheduled reports are issued every period (a missed month
fails, naming the definition); decisions and actions are recorded on issued reports and followed up.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.catalog.models import Service
from servitium.core.checks import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    PARTLY_MET,
    CheckResult,
    Evidence,
    register,
    tally,
)

from .document import REQUIRED_ITEMS, item_coverage
from .models import ReportAction, ReportDefinition, ServiceReport
from .selectors import missed_periods

ACTIVE = Q(active=True)


@register(
    "reporting.reports_defined_per_customer",
    requirements=["iso20000-1:2018#9.4.s1", "iso20000-1:2011#6.2.s1"],
    title=_("Every customer of a live service has an active report definition with purpose and audience"),
)
def reports_defined_per_customer() -> CheckResult:
    customers = {}
    for service in Service.objects.filter(status="live").prefetch_related("customers"):
        for customer in service.customers.all():
            customers[customer.pk] = customer
    if not customers:
        return CheckResult(NOT_APPLICABLE, _("No customer receives a live service."))
    described = (
        ReportDefinition.objects.filter(ACTIVE, customer__in=list(customers))
        .exclude(purpose="")
        .filter(
            Q(audience_people__isnull=False)
            | Q(audience_teams__isnull=False)
            | Q(audience_contacts__isnull=False)
        )
    )
    covered = set(described.values_list("customer_id", flat=True))
    missing = [c for pk, c in sorted(customers.items()) if pk not in covered]
    good = len(customers) - len(missing)
    return CheckResult.from_counts(
        total=len(customers),
        good=good,
        met=_("All %(n)d customers have a described service report.") % {"n": len(customers)},
        not_met=_(
            "%(bad)d of %(n)d customers have no active report with a purpose and an audience: %(names)s."
        )
        % {"bad": len(missing), "n": len(customers), "names": ", ".join(c.name for c in missing[:10])},
        none=_("No customer receives a live service."),
        evidence=list(described.distinct()[:20]),
        gaps=missing[:20],
    )


@register(
    "reporting.definitions_hold_required_content",
    requirements=[
        "iso20000-1:2018#9.4.s2",
        "iso20000-1:2011#6.2.a",
        "iso20000-1:2011#6.2.b",
        "iso20000-1:2011#6.2.c",
        "iso20000-1:2011#6.2.d",
        "iso20000-1:2011#6.2.e",
        "iso20000-1:2011#6.2.f",
    ],
    title=_(
        "Active report definitions hold the content the standard requires: targets, nonconformities, "
        "workload, major incidents and changes, trends, satisfaction and complaints"
    ),
)
def definitions_hold_required_content() -> CheckResult:
    definitions = list(ReportDefinition.objects.filter(ACTIVE))
    gaps = [(d, item_coverage(d.sections)["missing_required"]) for d in definitions]
    short = [(d, missing) for d, missing in gaps if missing]
    good = len(definitions) - len(short)
    return CheckResult.from_counts(
        total=len(definitions),
        good=good,
        met=_("All %(n)d active report definitions hold every required content item.")
        % {"n": len(definitions)},
        not_met=_("%(bad)d of %(n)d active report definitions lack required content: %(which)s.")
        % {
            "bad": len(short),
            "n": len(definitions),
            "which": "; ".join(f"{d.reference} ({', '.join(m)})" for d, m in short[:10]),
        },
        none=_("No report is defined."),
        evidence=[d for d, m in gaps if not m][:20],
        gaps=[d for d, _m in short][:20],
        figures={"required_items": list(REQUIRED_ITEMS)},
    )


@register(
    "reporting.issued_on_schedule",
    requirements=["iso20000-1:2018#9.4.s2", "iso20000-1:2011#6.2.s2"],
    title=_("Scheduled reports are issued for every period of the last twelve months"),
)
def issued_on_schedule() -> CheckResult:
    today = timezone.localdate()
    definitions = list(
        ReportDefinition.objects.filter(ACTIVE).exclude(frequency=ReportDefinition.Frequency.ON_DEMAND)
    )
    late = [(d, missed_periods(d, today)) for d in definitions]
    missed = [(d, periods) for d, periods in late if periods]
    good = len(definitions) - len(missed)
    issued = ServiceReport.objects.filter(status=ServiceReport.Status.ISSUED).order_by("-period_start")[:20]
    return CheckResult.from_counts(
        total=len(definitions),
        good=good,
        met=_("All %(n)d scheduled reports were issued for every period.") % {"n": len(definitions)},
        not_met=_("%(bad)d of %(n)d scheduled reports missed a period: %(which)s.")
        % {
            "bad": len(missed),
            "n": len(definitions),
            "which": "; ".join(
                f"{d.reference} {d.title} ({', '.join(p.strftime('%Y-%m') for p in periods)})"
                for d, periods in missed[:10]
            ),
        },
        none=_("No report is scheduled."),
        evidence=list(issued),
        gaps=[d for d, _p in missed][:20],
        figures={"missed": {d.reference: [p.isoformat() for p in periods] for d, periods in missed}},
    )


@register(
    "reporting.decisions_recorded",
    requirements=["iso20000-1:2018#9.4.s3", "iso20000-1:2011#6.2.s3"],
    title=_("Decisions and actions are recorded on issued reports and followed up by their due date"),
)
def decisions_recorded() -> CheckResult:
    today = timezone.localdate()
    recent = timezone.now() - timezone.timedelta(days=100)
    issued = ServiceReport.objects.filter(status=ServiceReport.Status.ISSUED, issued_at__gte=recent)
    if not issued.exists():
        return CheckResult(NOT_APPLICABLE, _("No report was issued in the last 100 days."))
    acted = issued.filter(actions__isnull=False).distinct().count()
    actions = ReportAction.objects.filter(report__status=ServiceReport.Status.ISSUED)
    counted = tally(
        actions, ~Q(status__in=ReportAction.OPEN_STATES) | Q(due_date__gte=today), newest_first="-pk"
    )
    overdue = counted.total - counted.good
    figures = {
        "reports_issued": issued.count(),
        "reports_with_actions": acted,
        "actions": counted.total,
        "overdue": overdue,
    }
    evidence = [Evidence.of(a) for a in counted.evidence]
    gaps = [Evidence.of(a) for a in counted.gaps]
    if not acted:
        return CheckResult(
            NOT_MET,
            _("None of the %(n)d reports issued in the last 100 days has a decision or action recorded.")
            % {"n": figures["reports_issued"]},
            figures,
        )
    if overdue:
        return CheckResult(
            PARTLY_MET,
            _("Decisions are recorded on %(a)d reports; %(o)d of %(n)d actions are open past their due date.")
            % {"a": acted, "o": overdue, "n": counted.total},
            figures,
            evidence,
            gaps,
        )
    return CheckResult(
        MET,
        _("Decisions are recorded on %(a)d reports; no action is overdue.") % {"a": acted},
        figures,
        evidence,
    )
