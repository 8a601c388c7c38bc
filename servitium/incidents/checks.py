"""Conformity checks evidenced by incident and service request management (2011 8.1, 6.6.3; 2018 8.6.1,
8.6.2, 8.7.3.3). Each reads the records the process leaves; figures are aggregated in SQL."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.agreements.models import ServiceLevelAgreement, ServiceReview
from servitium.core.checks import CheckResult, record_rule, register, tally

from .models import (
    Incident,
    MailMessage,
    MajorIncidentDefinition,
    MajorIncidentUpdate,
    RequestItem,
    SlaClock,
)

WINDOW = dt.timedelta(days=90)


def _recent():
    return Incident.objects.filter(created__gte=timezone.now() - WINDOW)


@register(
    "incidents.tickets_classified",
    requirements=[
        "iso20000-1:2011#8.1.s3",
        "iso20000-1:2018#8.6.1.a",
        "iso20000-1:2018#8.6.1.b",
        "iso20000-1:2018#8.6.2.a",
        "iso20000-1:2018#8.6.2.b",
    ],
    title=_("Tickets of the last 90 days are classified: service and category recorded, priority derived"),
)
def tickets_classified() -> CheckResult:
    stats = _recent().aggregate(
        total=Count("id"), good=Count("id", filter=Q(service__isnull=False) & ~Q(category=""))
    )
    gaps = _recent().filter(Q(service__isnull=True) | Q(category=""))[:20]
    return CheckResult.from_counts(
        total=stats["total"],
        good=stats["good"],
        met=_("All %(n)d recent tickets name their service and category.") % {"n": stats["total"]},
        not_met=_("%(bad)d of %(n)d recent tickets lack a service or a category.")
        % {"bad": stats["total"] - stats["good"], "n": stats["total"]},
        none=_("No tickets were recorded in the last 90 days."),
        gaps=gaps,
        evidence=_recent().filter(service__isnull=False).exclude(category="")[:20],
    )


@register(
    "incidents.customer_warned_before_breach",
    requirements=[
        "iso20000-1:2011#8.1.s7",
        "iso20000-1:2018#8.6.1.c",
    ],
    title=_("Customers were warned ahead of every missed target, and the ticket was escalated"),
)
def customer_warned_before_breach() -> CheckResult:
    breached = SlaClock.objects.filter(met=False, stopped_at__gte=timezone.now() - WINDOW)
    counted = tally(
        breached.select_related("incident"),
        Q(warned=True, incident__escalation_level__gte=1),
        newest_first="-stopped_at",
    )
    return CheckResult.from_counts(
        total=counted.total,
        good=counted.good,
        met=_("Each of the %(n)d targets missed in the last 90 days was announced and escalated.")
        % {"n": counted.total},
        not_met=_("%(bad)d of %(n)d missed targets had no advance warning or no escalation.")
        % {"bad": counted.total - counted.good, "n": counted.total},
        none=_("No SLA target was missed in the last 90 days."),
        gaps=[c.incident for c in counted.gaps],
        evidence=[c.incident for c in counted.evidence],
    )


REVIEW_WITHIN = dt.timedelta(days=30)  # a missed target is taken up at the next review, at the latest then
REVIEW_LOOKBACK = dt.timedelta(days=180)


@register(
    "incidents.missed_targets_reviewed",
    requirements=["iso20000-1:2011#6.1.s9", "iso20000-1:2018#8.3.3.s4"],
    title=_("Every missed SLA target is taken up in a service review of its agreement"),
)
def missed_targets_reviewed(now: dt.datetime | None = None) -> CheckResult:
    """A target missed 30 to 180 days ago needs a service review of its agreement held since; warning the
    customer and escalating the ticket do not find the reason nor the improvement."""
    now = now or timezone.now()
    breached = SlaClock.objects.filter(
        met=False,
        target__isnull=False,
        stopped_at__gte=now - REVIEW_LOOKBACK,
        stopped_at__lte=now - REVIEW_WITHIN,
    )
    held_since = ServiceReview.objects.filter(
        agreement_id=OuterRef("target__agreement_id"),
        status=ServiceReview.Status.HELD,
        held_on__gte=OuterRef("stopped_at__date"),
    )
    counted = tally(breached.select_related("incident"), Q(Exists(held_since)), newest_first="-stopped_at")
    return CheckResult.from_counts(
        total=counted.total,
        good=counted.good,
        met=_("Each of the %(n)d targets missed 30 to 180 days ago was taken up in a service review.")
        % {"n": counted.total},
        not_met=_(
            "%(bad)d of %(n)d targets missed 30 to 180 days ago were never taken up in a service review: "
            "%(refs)s."
        )
        % {
            "bad": counted.total - counted.good,
            "n": counted.total,
            "refs": ", ".join(c.incident.reference for c in counted.gaps[:10]),
        },
        none=_("No SLA target was missed 30 to 180 days ago."),
        gaps=[c.incident for c in counted.gaps],
        evidence=[c.incident for c in counted.evidence],
    )


@register(
    "incidents.major_incident_definitions_agreed",
    requirements=[
        "iso20000-1:2011#8.1.s8",
        "iso20000-1:2018#8.6.1.s2",
    ],
    title=_("A major-incident definition is agreed with every customer that has an agreed SLA"),
)
def major_incident_definitions_agreed() -> CheckResult:
    customers = {
        a.customer
        for a in ServiceLevelAgreement.objects.filter(
            status=ServiceLevelAgreement.Status.AGREED
        ).select_related("customer")
    }
    defined = set(MajorIncidentDefinition.objects.values_list("customer_id", flat=True))
    missing = sorted((c for c in customers if c.pk not in defined), key=str)
    return CheckResult.from_counts(
        total=len(customers),
        good=len(customers) - len(missing),
        met=_("Every customer with an agreed SLA has agreed what a major incident is."),
        not_met=_("No agreed major-incident definition for: %(list)s.")
        % {"list": ", ".join(map(str, missing))},
        none=_("No agreed SLAs yet, so no customer to agree a definition with."),
        gaps=missing,
        evidence=MajorIncidentDefinition.objects.all()[:20],
    )


@register(
    "incidents.major_incidents_handled",
    requirements=[
        "iso20000-1:2011#8.1.s10",
        "iso20000-1:2011#8.1.s11",
        "iso20000-1:2011#8.1.s12",
        "iso20000-1:2018#8.6.1.s4",
        "iso20000-1:2018#8.6.1.s5",
        "iso20000-1:2018#8.6.1.s6",
    ],
    title=_("Major incidents have a named manager, top management was told, and closed ones were reviewed"),
)
def major_incidents_handled() -> CheckResult:
    told = MajorIncidentUpdate.objects.filter(
        incident=OuterRef("pk"), audience=MajorIncidentUpdate.Audience.TOP_MANAGEMENT
    )
    majors = Incident.objects.filter(is_major=True).annotate(told=Exists(told))
    good_q = Q(major_manager__isnull=False, told=True) & (
        ~Q(status=Incident.Status.CLOSED) | Q(review__isnull=False)
    )
    stats = majors.aggregate(total=Count("id"), good=Count("id", filter=good_q))
    return CheckResult.from_counts(
        total=stats["total"],
        good=stats["good"],
        met=_("All %(n)d major incidents were handled as agreed.") % {"n": stats["total"]},
        not_met=_("%(bad)d of %(n)d major incidents lack a manager, a top-management notice or a review.")
        % {"bad": stats["total"] - stats["good"], "n": stats["total"]},
        none=_("No major incident has been declared."),
        gaps=majors.exclude(good_q)[:20],
        evidence=majors.filter(good_q)[:20],
    )


@register(
    "incidents.request_items_defined",
    requirements=[
        "iso20000-1:2018#8.6.2.s2",
    ],
    title=_("Requestable items say how they are fulfilled"),
)
def request_items_defined() -> CheckResult:
    items = RequestItem.objects.filter(active=True)
    stats = items.aggregate(total=Count("id"), good=Count("id", filter=~Q(fulfilment_instructions="")))
    return CheckResult.from_counts(
        total=stats["total"],
        good=stats["good"],
        met=_("All %(n)d request items carry fulfilment instructions.") % {"n": stats["total"]},
        not_met=_("%(bad)d of %(n)d request items have no fulfilment instructions.")
        % {"bad": stats["total"] - stats["good"], "n": stats["total"]},
        none=_("No request items are offered; service requests cannot be fulfilled to a defined way."),
        gaps=items.filter(fulfilment_instructions="")[:20],
        evidence=items.exclude(fulfilment_instructions="")[:20],
    )


@register(
    "incidents.security_incidents_classified",
    requirements=[
        "iso20000-1:2011#6.6.3.s1",
        "iso20000-1:2011#8.1.s13",
        "iso20000-1:2018#8.7.3.3.s1",
        "iso20000-1:2018#8.7.3.3.s2",
    ],
    title=_("Information security incidents are classified by type and prioritised by their risk"),
)
def security_incidents_classified() -> CheckResult:
    security = Incident.objects.filter(is_security=True)
    good_q = ~Q(security_category="") & Q(security_risk__isnull=False)
    stats = security.aggregate(total=Count("id"), good=Count("id", filter=good_q))
    return CheckResult.from_counts(
        total=stats["total"],
        good=stats["good"],
        met=_("All %(n)d security incidents carry a type and a risk rating.") % {"n": stats["total"]},
        not_met=_("%(bad)d of %(n)d security incidents lack a type or a risk rating.")
        % {"bad": stats["total"] - stats["good"], "n": stats["total"]},
        none=_("No information security incident has been recorded."),
        gaps=security.exclude(good_q)[:20],
        evidence=security.filter(good_q)[:20],
    )


# Record rules over the ticket records themselves: they also catch records edited behind the services' back
# (the workflow refuses a resolution without notes, a direct database edit does not).
_DONE = (Incident.Status.RESOLVED, Incident.Status.CLOSED)
_WAITING = (
    Incident.Status.PENDING_CUSTOMER,
    Incident.Status.PENDING_SUPPLIER,
    Incident.Status.PENDING_CHANGE,
)
ABANDONED_AFTER = dt.timedelta(days=30)
CLOSE_WITHIN = dt.timedelta(days=14)

record_rule(
    "incidents.resolutions_recorded",
    requirements=[
        "iso20000-1:2011#8.1.s4",
        "iso20000-1:2018#8.6.1.s1",
        "iso20000-1:2018#8.6.2.s1",
    ],
    title=_("Every ticket resolved in the last 90 days records how it was resolved"),
    model="incidents.Incident",
    where=lambda: Q(status__in=_DONE, resolved_at__gte=timezone.now() - WINDOW),
    every=~Q(resolution_code="") & ~Q(resolution_notes=""),
)
for _kind, _leaf, _title in (
    (
        Incident.Kind.INCIDENT,
        "iso20000-1:2018#8.6.1.d",
        _("No open incident has been left untouched for 30 days unless it waits for someone"),
    ),
    (
        Incident.Kind.REQUEST,
        "iso20000-1:2018#8.6.2.c",
        _("No open service request has been left untouched for 30 days unless it waits for someone"),
    ),
):
    record_rule(
        f"incidents.open_{_kind}s_worked",
        requirements=[_leaf],
        title=_title,
        model="incidents.Incident",
        where=Q(kind=_kind) & ~Q(status__in=_DONE),
        every=lambda: Q(status__in=_WAITING) | Q(updated__gte=timezone.now() - ABANDONED_AFTER),
    )
record_rule(
    "incidents.resolved_tickets_closed",
    requirements=["iso20000-1:2018#8.6.1.e", "iso20000-1:2018#8.6.2.d"],
    title=_("Resolved tickets are closed within 14 days"),
    model="incidents.Incident",
    where={"status": Incident.Status.RESOLVED},
    every=lambda: Q(resolved_at__gte=timezone.now() - CLOSE_WITHIN),
)


@register(
    "incidents.customers_kept_informed",
    requirements=["iso20000-1:2011#8.1.s6"],
    title=_("The customer heard from the provider on every ticket resolved in the last 90 days"),
)
def customers_kept_informed() -> CheckResult:
    """A public reply (which is also mailed to the caller) or any message mailed about the ticket counts;
    a ticket resolved without a word to its customer does not."""
    from django.contrib.contenttypes.models import ContentType

    from servitium.core.models import Comment

    resolved = Incident.objects.filter(resolved_at__gte=timezone.now() - WINDOW)
    replied = Exists(
        Comment.objects.filter(
            target_type=ContentType.objects.get_for_model(Incident),
            object_id=OuterRef("pk"),
            visibility=Comment.Visibility.PUBLIC,
        )
    )
    mailed = Exists(
        MailMessage.objects.filter(incident=OuterRef("pk"), direction=MailMessage.Direction.OUTBOUND)
    )
    return CheckResult.from_tally(
        tally(resolved, Q(replied) | Q(mailed)),
        met=_("The customer was told about progress on all %(n)d tickets resolved in the last 90 days."),
        not_met=_(
            "%(bad)d of %(n)d tickets resolved in the last 90 days have no public reply and no message to "
            "the customer."
        ),
        none=_("No ticket was resolved in the last 90 days."),
    )
