"""Conformity evidence of the improvement register (2011 4.5.5; 2018 10.1, 10.2), as record rules bound to
the leaf obligations. A provider that corrects, analyses, acts on time, checks effectiveness, and decides,
plans and evaluates its improvements sees them met."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core.checks import record_rule

R11, R18 = "iso20000-1:2011#", "iso20000-1:2018#"
CORRECTION_DAYS = 30  # a nonconformity older than this should show its correction
ANALYSIS_DAYS = 60  # ... and its cause analysed
DECISION_DAYS = 60  # an opportunity older than this should be decided
EVALUATION_DAYS = 30  # an implemented improvement should be evaluated within this


def _older_than(days: int) -> Q:
    return Q(created__lt=timezone.now() - dt.timedelta(days=days))


def _today() -> dt.date:
    return timezone.localdate()


PAST_CAUSE = ("cause_analysed", "action_planned", "action_done", "verified", "closed")
DECIDED = ("approved", "in_progress", "implemented", "evaluated", "rejected")
APPROVED = ("approved", "in_progress", "implemented", "evaluated")

record_rule(
    "improvement.nonconformities_corrected",
    requirements=[f"{R11}4.5.5.1.s4", f"{R18}10.1.a"],
    title=_("Nonconformities older than 30 days record their correction"),
    model="improvement.Nonconformity",
    where=lambda: _older_than(CORRECTION_DAYS),
    every=~Q(correction=""),
)

record_rule(
    "improvement.causes_analysed",
    requirements=[f"{R11}4.5.5.1.s5", f"{R18}10.1.b"],
    title=_("Nonconformities older than 60 days have their root cause analysed"),
    model="improvement.Nonconformity",
    where=lambda: _older_than(ANALYSIS_DAYS),
    every=Q(status__in=PAST_CAUSE) & ~Q(root_cause=""),
)

record_rule(
    "improvement.corrective_actions_on_time",
    requirements=[f"{R11}4.5.5.1.s5", f"{R18}10.1.c"],
    title=_("Open corrective actions are within their due date"),
    model="improvement.CorrectiveAction",
    where={"status__in": ["planned", "in_progress"]},
    every=lambda: Q(due_date__gte=_today()),
)

record_rule(
    "improvement.effectiveness_reviewed",
    requirements=[f"{R18}10.1.d", f"{R11}4.5.5.1.s5"],
    title=_("Nonconformities whose actions are done get their effectiveness check on time"),
    model="improvement.Nonconformity",
    where={"status__in": ["action_done", "verified", "closed"]},
    every=lambda: ~Q(effectiveness_result="") | Q(effectiveness_due__gte=_today()),
)

record_rule(
    "improvement.nonconformity_records_complete",
    requirements=[f"{R18}10.1.s1"],
    title=_("Closed nonconformities record cause, a completed action and an effective check"),
    model="improvement.Nonconformity",
    where={"status": "closed"},
    every=~Q(root_cause="") & Q(effectiveness_result="effective") & Q(actions__status="done"),
)

# A nonconformity is identified against something: a requirement of the standard (its key), or the record
# it came from, which holds the SMS's own or the service's requirement (an audit, an assessment, a breached
# ticket, a complaint, a missed objective). "Other" without a requirement says against nothing.
record_rule(
    "improvement.nonconformities_identified_against_a_requirement",
    requirements=[f"{R11}4.5.4.1.s4"],
    title=_(
        "Every nonconformity names the requirement it fails: of the standard, or through the audit, "
        "assessment, ticket, complaint or objective it came from"
    ),
    model="improvement.Nonconformity",
    # those an assessment raises are, by construction, raised against the requirement that failed
    where=~Q(source_kind="assessment"),
    every=~Q(requirement="")
    | (~Q(source_kind="other") & (Q(source_id__isnull=False) | ~Q(source_reference=""))),
)

record_rule(
    "improvement.opportunities_recorded",
    requirements=[f"{R11}4.5.5.1.s3"],
    title=_("Improvement opportunities are recorded"),
    model="improvement.ImprovementOpportunity",
)

record_rule(
    "improvement.opportunities_decided",
    requirements=[f"{R18}10.2.s3", f"{R11}4.5.5.2.s1"],
    title=_("Improvement opportunities older than 60 days are approved or rejected"),
    model="improvement.ImprovementOpportunity",
    where=lambda: _older_than(DECISION_DAYS),
    every={"status__in": DECIDED},
)

record_rule(
    "improvement.decisions_state_benefit",
    requirements=[f"{R18}10.2.s2", f"{R11}4.5.5.2.s1"],
    title=_("Decided improvement opportunities state their benefit (the criterion they were judged on)"),
    model="improvement.ImprovementOpportunity",
    where={"status__in": DECIDED},
    every=~Q(benefit=""),
)

record_rule(
    "improvement.improvements_planned",
    requirements=[f"{R11}4.5.5.2.s2", f"{R11}4.5.5.2.a", f"{R18}10.2.s4"],
    title=_("Approved improvements have an owner, a target and a target date"),
    model="improvement.ImprovementOpportunity",
    where={"status__in": APPROVED},
    every=Q(owner__isnull=False, target_date__isnull=False) & ~Q(target=""),
)

record_rule(
    "improvement.improvements_implemented",
    requirements=[f"{R11}4.5.5.2.b"],
    title=_("Approved improvements are implemented (one in the last 12 months)"),
    model="improvement.ImprovementOpportunity",
    where=lambda: Q(
        status__in=("implemented", "evaluated"), implemented_on__gte=_today() - dt.timedelta(days=365)
    ),
)

record_rule(
    "improvement.improvements_evaluated",
    requirements=[f"{R11}4.5.5.2.d", f"{R18}10.2.s4"],
    title=_("Implemented improvements are evaluated against their target within 30 days"),
    model="improvement.ImprovementOpportunity",
    where=lambda: Q(
        status__in=("implemented", "evaluated"),
        implemented_on__lt=_today() - dt.timedelta(days=EVALUATION_DAYS),
    ),
    every={"status": "evaluated"},
)
