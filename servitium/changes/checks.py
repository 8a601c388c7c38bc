"""Conformity checks evidenced by change management (2011 9.2; 2018 8.5.1)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, ExpressionWrapper, F, Q
from django.db.models import DateTimeField as DateTimeFieldType
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.catalog.models import Offering, Service
from servitium.core.checks import MET, NOT_MET, CheckResult, Evidence, record_rule, register

from . import lifecycle as L
from .models import ALWAYS_MAJOR_TYPES, Category, Change, ChangePolicy

SHOWN = 20


@register(
    "changes.policy_defined",
    requirements=[
        "iso20000-1:2011#9.2.s1",
        "iso20000-1:2011#9.2.s6",
        "iso20000-1:2018#8.5.1.1.a",
        "iso20000-1:2018#8.5.1.1.b",
    ],
    title=_("A change management policy defines the CIs under change control and the categories of change"),
)
def policy_defined() -> CheckResult:
    policy = ChangePolicy.objects.filter(active=True).first()
    if policy is None:
        return CheckResult(NOT_MET, _("No change management policy is active."), {"active_policies": 0})
    controlled = policy.controlled_ci_types.count()
    gaps = []
    if not controlled:
        gaps.append(_("it names no CI types under change control"))
    if not policy.emergency_procedure.strip():
        gaps.append(_("it does not describe the emergency change procedure"))
    figures = {"active_policies": 1, "controlled_ci_types": controlled}
    if gaps:
        return CheckResult(
            NOT_MET,
            _("The active policy %(p)s is incomplete: %(gaps)s.")
            % {"p": policy.name, "gaps": "; ".join(gaps)},
            figures,
            gaps=[Evidence.of(policy)],
        )
    return CheckResult(
        MET,
        _(
            "%(p)s controls %(n)d CI types and says how standard, normal, major and emergency changes are "
            "approved (normal: %(normal)s, major: %(major)s, emergency: %(emergency)s)."
        )
        % {
            "p": policy.name,
            "n": controlled,
            "normal": policy.get_normal_authority_display(),
            "major": policy.get_major_authority_display(),
            "emergency": policy.get_emergency_authority_display(),
        },
        figures,
        evidence=[Evidence.of(policy)],
    )


@register(
    "changes.approved_before_implementation",
    requirements=[
        "iso20000-1:2011#9.2.s5",
        "iso20000-1:2018#8.5.1.3.s2",
        # The changes not taken to design and transition go through these steps (approval first).
        "iso20000-1:2018#8.5.1.2.s7",
    ],
    title=_("Changes are approved before they are implemented (emergency changes reviewed afterwards)"),
)
def approved_before_implementation() -> CheckResult:
    implemented = Change.objects.filter(actual_start__isnull=False)
    approved_first = Q(approved_at__isnull=False, approved_at__lte=F("actual_start"))
    reviewed_after = Q(category=Category.EMERGENCY, retrospective_decision__in=["approve", "reject"])
    good = approved_first | reviewed_after
    stats = implemented.aggregate(total=Count("id"), good=Count("id", filter=good))
    pending = implemented.filter(retrospective_review_required=True).count()
    return CheckResult.from_counts(
        total=stats["total"],
        good=stats["good"],
        met=_("All %(n)d implemented changes were approved first or, for emergencies, reviewed afterwards.")
        % {"n": stats["total"]},
        not_met=_(
            "%(bad)d of %(n)d implemented changes lack an approval before implementation (%(p)d emergency "
            "changes await their retrospective review)."
        )
        % {"bad": stats["total"] - stats["good"], "n": stats["total"], "p": pending},
        none=_("No change has been implemented yet."),
        gaps=implemented.exclude(good)[:SHOWN],
        evidence=implemented.filter(good)[:SHOWN],
        figures={"awaiting_retrospective_review": pending},
    )


@register(
    "changes.unsuccessful_investigated",
    requirements=[
        "iso20000-1:2011#9.2.s9",
        "iso20000-1:2018#8.5.1.3.s6",
    ],
    title=_("Every failed or backed-out change is investigated"),
)
def unsuccessful_investigated() -> CheckResult:
    unsuccessful = Change.objects.filter(outcome__in=L.UNSUCCESSFUL)
    good = ~Q(investigation_cause="") & ~Q(investigation_actions="")
    stats = unsuccessful.aggregate(total=Count("id"), good=Count("id", filter=good))
    return CheckResult.from_counts(
        total=stats["total"],
        good=stats["good"],
        met=_("All %(n)d unsuccessful changes have a recorded cause and actions.") % {"n": stats["total"]},
        not_met=_("%(bad)d of %(n)d unsuccessful changes have not been investigated.")
        % {"bad": stats["total"] - stats["good"], "n": stats["total"]},
        none=_("No change has failed or been backed out."),
        gaps=unsuccessful.exclude(good)[:SHOWN],
        evidence=unsuccessful.filter(good)[:SHOWN],
    )


@register(
    "changes.reviewed_after_implementation",
    requirements=[
        "iso20000-1:2011#9.2.s10",
        "iso20000-1:2018#8.5.1.3.s8",
    ],
    title=_("Implemented changes get a post-implementation review within the policy's period"),
)
def reviewed_after_implementation(now: dt.datetime | None = None) -> CheckResult:
    now = now or timezone.now()
    policy = ChangePolicy.objects.filter(active=True).first()
    days = policy.review_within_days if policy else 10
    # Only changes whose review period has run out are judged; the others still have time.
    due = Change.objects.filter(actual_end__isnull=False, actual_end__lte=now - dt.timedelta(days=days))
    deadline = ExpressionWrapper(F("actual_end") + dt.timedelta(days=days), output_field=DateTimeFieldType())
    due = due.annotate(deadline=deadline)
    good = Q(reviewed_at__isnull=False, reviewed_at__lte=F("deadline"))
    stats = due.aggregate(total=Count("id"), good=Count("id", filter=good))
    return CheckResult.from_counts(
        total=stats["total"],
        good=stats["good"],
        met=_("All %(n)d implemented changes were reviewed within %(d)d days.")
        % {"n": stats["total"], "d": days},
        not_met=_("%(bad)d of %(n)d implemented changes were not reviewed within %(d)d days.")
        % {"bad": stats["total"] - stats["good"], "n": stats["total"], "d": days},
        none=_("No implemented change has reached the end of its review period."),
        gaps=due.exclude(good)[:SHOWN],
        evidence=due.filter(good)[:SHOWN],
        figures={"review_within_days": days},
    )


@register(
    "changes.removals_and_transfers_are_major",
    requirements=[
        "iso20000-1:2011#9.2.s2",
        "iso20000-1:2018#8.5.1.2.s5",
        "iso20000-1:2018#8.5.1.2.s6",
    ],
    title=_("Removals and transfers of services are handled as major changes through design and transition"),
)
def removals_and_transfers_are_major() -> CheckResult:
    raised = Change.objects.filter(change_type__in=list(ALWAYS_MAJOR_TYPES)).exclude(
        status__in=[L.DRAFT, L.CANCELLED]
    )
    good = Q(category=Category.MAJOR, routed_to_design=True)
    stats = raised.aggregate(total=Count("id"), good=Count("id", filter=good))
    return CheckResult.from_counts(
        total=stats["total"],
        good=stats["good"],
        met=_(
            "All %(n)d removals and transfers of services went to service design and transition as major "
            "changes."
        )
        % {"n": stats["total"]},
        not_met=_("%(bad)d of %(n)d removals or transfers of services were not handled as major changes.")
        % {"bad": stats["total"] - stats["good"], "n": stats["total"]},
        none=_("No service has been removed or transferred through change management."),
        gaps=raised.exclude(good)[:SHOWN],
        evidence=raised.filter(good)[:SHOWN],
    )


# --- record rules: what every approved change must carry -----------------------------------------------

_APPROVED = {"approved_at__isnull": False}

record_rule(
    "changes.assessed_before_approval",
    requirements=["iso20000-1:2011#9.2.s4", "iso20000-1:2018#8.5.1.3.s1"],
    title=_("Every approved change records its risk and its impact on services and customers"),
    model="changes.Change",
    where=_APPROVED,
    every=~Q(risk_assessment="") & ~Q(impact_assessment=""),
)
record_rule(
    "changes.remedy_planned",
    requirements=["iso20000-1:2011#9.2.s8", "iso20000-1:2018#8.5.1.3.s5"],
    title=_("Every approved change plans how to reverse or remedy it if it fails"),
    model="changes.Change",
    where=_APPROVED,
    every=~Q(remediation_plan=""),
)
for _field, _keys, _title in (
    (
        "continuity_availability_impact",
        ["iso20000-1:2011#9.2.s12", "iso20000-1:2011#6.3.2.s5"],
        _("Every approved change is assessed for its effect on continuity and availability"),
    ),
    (
        "security_impact",
        ["iso20000-1:2011#9.2.s13", "iso20000-1:2011#6.6.3.a", "iso20000-1:2011#6.6.3.b"],
        _("Every approved change is assessed for its effect on information security"),
    ),
    ("capacity_impact", ["iso20000-1:2011#9.2.s14"], _("Every approved change is assessed for capacity")),
    ("cost", ["iso20000-1:2011#9.2.s15"], _("Every approved change is assessed for its cost")),
):
    record_rule(
        f"changes.{_field}_assessed",
        requirements=_keys,
        title=_title,
        model="changes.Change",
        where=_APPROVED,
        every=~Q(**{_field: ""}),
    )


C = Change.Status
record_rule(
    "changes.requests_classified",
    requirements=["iso20000-1:2011#9.2.s3", "iso20000-1:2018#8.5.1.2.s1"],
    title=_("Every submitted request for change has a category and a type of change"),
    model="changes.Change",
    where=~Q(status__in=[C.DRAFT, C.CANCELLED]),
    every=~Q(category="") & ~Q(change_type=""),
)
record_rule(
    "changes.on_the_schedule",
    requirements=["iso20000-1:2011#9.2.s7", "iso20000-1:2018#8.5.1.3.s4"],
    title=_("Every approved change is on the schedule of change with a planned start and end"),
    model="changes.Change",
    where={"status__in": [C.APPROVED, C.IMPLEMENTING]},
    every=Q(planned_start__isnull=False, planned_end__isnull=False),
)


@register(
    "changes.major_impact_criteria",
    requirements=["iso20000-1:2011#9.2.s1", "iso20000-1:2011#5.1.s2", "iso20000-1:2018#8.5.1.1.c"],
    title=_("The change management policy says which changes count as of potentially major impact"),
)
def major_impact_criteria() -> CheckResult:
    """Removals and transfers are always major (ALWAYS_MAJOR_TYPES); the policy must add criteria of its own
    for other changes, or every large change would pass as normal."""
    policy = ChangePolicy.objects.filter(active=True).first()
    if policy is None:
        return CheckResult(NOT_MET, _("No change management policy is active."), {"active_policies": 0})
    criteria = []
    if policy.major_customer_threshold:
        criteria.append(_("affecting %(n)d customers or more") % {"n": policy.major_customer_threshold})
    if policy.major_on_high_risk:
        criteria.append(_("assessed as high risk"))
    figures = {"criteria": len(criteria)}
    if not criteria:
        return CheckResult(
            NOT_MET,
            _("The active policy %(p)s sets no criteria for major impact beyond removals and transfers.")
            % {"p": policy.name},
            figures,
            gaps=[Evidence.of(policy)],
        )
    return CheckResult(
        MET,
        _("%(p)s treats a change as potentially major when %(c)s, and always for removals and transfers.")
        % {"p": policy.name, "c": _(" or ").join(str(c) for c in criteria)},
        figures,
        evidence=[Evidence.of(policy)],
    )


_ASSESSED_NON_STANDARD = Q(approved_at__isnull=False) & ~Q(category=Category.STANDARD)
record_rule(
    "changes.affected_cis_named",
    requirements=["iso20000-1:2011#9.1.s10", "iso20000-1:2018#8.2.6.s6"],
    title=_(
        "Every approved normal, major or emergency change names the configuration items it affects, so its "
        "impact was assessed from the configuration records"
    ),
    model="changes.Change",
    where=_ASSESSED_NON_STANDARD,
    every=Q(affected_cis__isnull=False),
)
record_rule(
    "changes.tested_before_deployment",
    requirements=["iso20000-1:2018#8.5.1.3.s3"],
    title=_("Every approved normal or major change has a test plan"),
    model="changes.Change",
    where=Q(approved_at__isnull=False, category__in=[Category.NORMAL, Category.MAJOR]),
    every=~Q(test_plan=""),
)
record_rule(
    "changes.configuration_updated",
    requirements=["iso20000-1:2018#8.5.1.3.s7"],
    title=_("Every configuration update planned by a successful change was applied to its item"),
    model="changes.ChangeConfigurationUpdate",
    where={"change__outcome": Change.Outcome.SUCCESSFUL},
    every={"applied_at__isnull": False},
)


@register(
    "changes.catalogue_entries_changed_under_control",
    requirements=["iso20000-1:2011#6.1.s7"],
    title=_(
        "Every live service and available offering names the authorised change that introduced or last "
        "altered it"
    ),
)
def catalogue_entries_changed_under_control() -> CheckResult:
    """The catalogue entry's change reference must be a change that exists and was authorised: a blank or
    an unknown reference, or one still a draft or rejected, means the entry changed outside change
    management."""
    entries: list = list(Service.objects.filter(status=Service.Status.LIVE).order_by("name"))
    entries += list(
        Offering.objects.filter(status=Offering.Status.AVAILABLE, service__status=Service.Status.LIVE)
        .select_related("service")
        .order_by("service__name", "name")
    )
    named = {e.change_reference.strip() for e in entries if e.change_reference.strip()}
    authorised = set(
        Change.objects.filter(reference__in=named, status__in=Change.AUTHORISED).values_list(
            "reference", flat=True
        )
    )
    good = [e for e in entries if e.change_reference.strip() in authorised]
    gaps = [e for e in entries if e.change_reference.strip() not in authorised]
    return CheckResult.from_counts(
        total=len(entries),
        good=len(good),
        met=_("All %(n)d live services and available offerings name the authorised change behind them.")
        % {"n": len(entries)},
        not_met=_(
            "%(bad)d of %(n)d catalogue entries name no authorised change (blank, unknown or not approved): "
            "%(list)s."
        )
        % {"bad": len(gaps), "n": len(entries), "list": ", ".join(str(e) for e in gaps[:10])},
        none=_("No live service in the catalogue yet."),
        evidence=good[:SHOWN],
        gaps=gaps[:SHOWN],
    )


record_rule(
    "changes.requests_prioritised",
    requirements=["iso20000-1:2018#8.2.2.s4"],
    title=_(
        "Every submitted request for change that is not a standard change states the business need it serves "
        "and its priority among the others"
    ),
    model="changes.Change",
    where=~Q(status__in=[C.DRAFT, C.CANCELLED]) & ~Q(category=Category.STANDARD),
    every=Q(priority__isnull=False) & ~Q(justification=""),
)


# A service the portfolio review found not to fit the policy, objectives or requirements gets a change to the
# service itself (changed, removed or transferred; a CI change does not answer it) proposed — submitted or
# further, not cancelled — on or after the review (2018 8.2.2.s3).
record_rule(
    "changes.portfolio_misfits_have_changes_proposed",
    requirements=["iso20000-1:2018#8.2.2.s3"],
    title=_(
        "Every live service the portfolio review found not to fit has a change proposed since the review"
    ),
    model="catalog.Service",
    where={"status": "live", "portfolio_fit": "does_not_fit"},
    every=Q(
        changes__created__date__gte=F("portfolio_reviewed_on"),
        changes__status__in=[s for s in Change.Status.values if s not in (C.DRAFT, C.CANCELLED)],
        changes__change_type__in=("service_change", "service_removal", "service_transfer"),
    ),
)
