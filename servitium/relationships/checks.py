"""Conformity checks evidenced by business relationship management."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core.checks import CheckResult, record_rule, register
from servitium.parties.models import Organization

from .models import Complaint, ComplaintDefinition, CustomerRelationship, SurveyResponse
from .services import escalation_days


def _customers():
    return list(Organization.objects.filter(kind=Organization.Kind.CUSTOMER, active=True))


@register(
    "relationships.customers_have_relationship_manager",
    requirements=[
        "iso20000-1:2011#7.1.s2",
        "iso20000-1:2018#8.3.2.s2",
    ],
    title=_("Every customer has a designated relationship manager"),
)
def customers_have_relationship_manager() -> CheckResult:
    customers = _customers()
    managed = set(CustomerRelationship.objects.values_list("customer_id", flat=True))
    gaps = [c for c in customers if c.pk not in managed]
    return CheckResult.from_counts(
        total=len(customers),
        good=len(customers) - len(gaps),
        met=_("All %(n)d customers have a relationship manager.") % {"n": len(customers)},
        not_met=_("Customers without a relationship manager: %(names)s.")
        % {"names": ", ".join(c.name for c in gaps)},
        none=_("No customers recorded."),
        evidence=[c for c in customers if c.pk in managed],
        gaps=gaps,
    )


@register(
    "relationships.complaint_definitions_agreed",
    requirements=[
        "iso20000-1:2011#7.1.s6",
        "iso20000-1:2018#8.3.2.s6",
    ],
    title=_("The definition of a service complaint is agreed with each customer"),
)
def complaint_definitions_agreed() -> CheckResult:
    customers = _customers()
    agreed = set(
        ComplaintDefinition.objects.filter(agreed_on__isnull=False).values_list("customer_id", flat=True)
    )
    gaps = [c for c in customers if c.pk not in agreed]
    return CheckResult.from_counts(
        total=len(customers),
        good=len(customers) - len(gaps),
        met=_("A complaint definition is agreed with every customer."),
        not_met=_("No agreed complaint definition with: %(names)s.")
        % {"names": ", ".join(c.name for c in gaps)},
        none=_("No customers recorded."),
        evidence=[c for c in customers if c.pk in agreed],
        gaps=gaps,
    )


@register(
    "relationships.complaints_handled",
    requirements=[
        "iso20000-1:2011#7.1.s9",
        "iso20000-1:2018#8.3.2.s7",
    ],
    title=_("Complaints are resolved, or escalated when normal channels do not resolve them"),
)
def complaints_handled() -> CheckResult:
    cutoff = timezone.now() - dt.timedelta(days=escalation_days())
    complaints = list(Complaint.objects.all())
    stuck = [c for c in complaints if c.is_open and c.created < cutoff and c.escalation_level == 0]
    return CheckResult.from_counts(
        total=len(complaints),
        good=len(complaints) - len(stuck),
        met=_("No complaint is left open past the escalation period without escalation."),
        not_met=_("Open past %(d)d days and not escalated: %(refs)s.")
        % {"d": escalation_days(), "refs": ", ".join(c.reference for c in stuck)},
        none=_("No complaints recorded."),
        evidence=[c for c in complaints if c not in stuck][:50],
        gaps=stuck,
    )


@register(
    "relationships.satisfaction_measured",
    requirements=[
        "iso20000-1:2011#7.1.s10",
        "iso20000-1:2018#8.3.2.s5",
    ],
    title=_("Customer satisfaction was measured for each customer in the last 12 months"),
)
def satisfaction_measured() -> CheckResult:
    customers = _customers()
    since = timezone.now() - dt.timedelta(days=365)
    measured = set(SurveyResponse.objects.filter(created__gte=since).values_list("customer_id", flat=True))
    gaps = [c for c in customers if c.pk not in measured]
    return CheckResult.from_counts(
        total=len(customers),
        good=len(customers) - len(gaps),
        met=_("Satisfaction responses from every customer in the last 12 months."),
        not_met=_("No satisfaction responses in 12 months from: %(names)s.")
        % {"names": ", ".join(c.name for c in gaps)},
        none=_("No customers recorded."),
        evidence=[c for c in customers if c.pk in measured],
        gaps=gaps,
    )


# --- record rules ------------------------------------------------------------------------------------

record_rule(
    "relationships.interested_parties_recorded",
    requirements=["iso20000-1:2011#7.1.s1", "iso20000-1:2018#8.3.2.s1"],
    title=_("The interested parties of the services are recorded"),
    model="relationships.InterestedParty",
)
record_rule(
    "relationships.customer_communication",
    requirements=["iso20000-1:2011#7.1.s3", "iso20000-1:2018#8.3.2.s3"],
    title=_("Communication with customers was recorded in the last 12 months"),
    model="relationships.Communication",
    where=lambda: {"occurred_on__gte": timezone.localdate() - dt.timedelta(days=365)},
)
record_rule(
    "relationships.complaints_closed_out",
    requirements=["iso20000-1:2011#7.1.s8"],
    title=_("Every closed complaint records what its investigation found and the resolution reported"),
    model="relationships.Complaint",
    where={"status": "closed"},
    every=~Q(findings="") & ~Q(resolution=""),
)


ANALYSED_WITHIN = dt.timedelta(days=30)


@register(
    "relationships.satisfaction_results_analysed",
    requirements=["iso20000-1:2011#7.1.s11"],
    title=_("Every low satisfaction score of the last year was looked at and decided on within 30 days"),
)
def satisfaction_results_analysed() -> CheckResult:
    """A score below the survey's threshold raises an improvement opportunity by itself; the analysis is
    the decision on it (taken up or turned down with a reason), which people must make."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import F

    from servitium.improvement.models import ImprovementOpportunity

    now = timezone.now()
    low = list(
        SurveyResponse.objects.filter(
            created__gte=now - dt.timedelta(days=365),
            created__lt=now - ANALYSED_WITHIN,
            score__lt=F("survey__low_score_threshold"),
        ).select_related("survey", "customer")
    )
    decided = set(
        ImprovementOpportunity.objects.filter(
            source_type=ContentType.objects.get_for_model(SurveyResponse),
            source_id__in=[r.pk for r in low],
        )
        .exclude(status=ImprovementOpportunity.Status.PROPOSED)
        .values_list("source_id", flat=True)
    )
    gaps = [r for r in low if r.pk not in decided]
    return CheckResult.from_counts(
        total=len(low),
        good=len(low) - len(gaps),
        met=_("All %(n)d low satisfaction scores led to a decision on an improvement.") % {"n": len(low)},
        not_met=_("%(bad)d of %(n)d low satisfaction scores were not decided on within 30 days: %(list)s.")
        % {"bad": len(gaps), "n": len(low), "list": ", ".join(str(r) for r in gaps[:10])},
        none=_("No low satisfaction score in the last year (older than 30 days)."),
        evidence=[r for r in low if r not in gaps],
        gaps=gaps,
    )
