"""Conformity checks of management review (2011 4.5.4.3 / 2018 9.3), bound to the leaf obligations the
reviews evidence: reviews at planned intervals, each required input considered (the pack frozen when the
review was held had figures behind it), decisions recorded, actions followed up."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core.checks import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    PARTLY_MET,
    CheckResult,
    Evidence,
    record_rule,
    register,
    tally,
)
from servitium.core.reviewinputs import TOPICS

from .models import ManagementReview, ReviewAction

INTERVAL_DAYS = 365  # a review at least once a year: the longest interval we accept as "planned intervals"
E11, E18 = "iso20000-1:2011#4.5.4.3", "iso20000-1:2018#9.3"

# Which leaf obligations each pack topic evidences, per edition.
TOPIC_LEAVES: dict[str, tuple[str, ...]] = {
    "previous_actions": (f"{E11}.g", f"{E18}.s2"),
    "policy_objectives": (f"{E11}.s1", f"{E18}.s4"),
    "context_changes": (f"{E11}.i", f"{E18}.s3"),
    # Service performance before top management is also how the SMS's performance is reported (2011 4.5.3.f).
    "service_performance": (f"{E11}.b", f"{E18}.s4", "iso20000-1:2011#4.5.3.f"),
    "customer_feedback": (f"{E11}.a", f"{E18}.s5"),
    "supplier_performance": (f"{E11}.b", f"{E18}.s4"),
    "audit_results": (f"{E11}.f", f"{E18}.s4"),
    "nonconformities": (f"{E11}.h", f"{E18}.s4"),
    "risks": (f"{E11}.e", f"{E18}.s6"),
    "resources": (f"{E11}.c", f"{E11}.d", f"{E18}.s7"),
    # The pack's change figures (monthly trend, failure rate, emergency share, the unsuccessful changes) are
    # the change records analysed for trends at planned intervals, frozen with the review's decisions
    # (2011 9.2.s11; 2018 8.5.1.3.s9).
    "sms_changes": (f"{E11}.i", "iso20000-1:2011#9.2.s11", "iso20000-1:2018#8.5.1.3.s9"),
    # The pack's improvement figures are the report of the improvements made (2011 4.5.5.2.e).
    "improvement": (f"{E11}.j", f"{E18}.s8", "iso20000-1:2011#4.5.5.2.e"),
}


@register(
    "reviews.held_at_planned_intervals",
    requirements=[f"{E11}.s1", f"{E18}.s1", "iso20000-1:2011#4.1.1.f"],
    title="A management review took place within the last year and the next one is planned",
)
def held_at_planned_intervals() -> CheckResult:
    today = timezone.localdate()
    S = ManagementReview.Status
    last = (
        ManagementReview.objects.filter(status__in=ManagementReview.TOOK_PLACE).order_by("-held_on").first()
    )
    upcoming = (
        ManagementReview.objects.filter(status__in=(S.PLANNED, S.PACK_PREPARED), planned_date__gte=today)
        .order_by("planned_date")
        .first()
    )
    figures = {
        "last_held": last.held_on.isoformat() if last and last.held_on else None,
        "next_planned": upcoming.planned_date.isoformat() if upcoming else None,
        "interval_days": INTERVAL_DAYS,
    }
    evidence = [Evidence.of(r) for r in (last, upcoming) if r is not None]
    if last is None and upcoming is None and not ManagementReview.objects.exists():
        # Nothing recorded yet reads "no evidence", not "failed" (the engine's convention).
        return CheckResult(NOT_APPLICABLE, _("No management review is recorded yet."), figures)
    recent = last is not None and last.held_on and last.held_on >= today - dt.timedelta(days=INTERVAL_DAYS)
    if not recent:
        return CheckResult(
            NOT_MET,
            _("No management review was held in the last %(d)d days.") % {"d": INTERVAL_DAYS},
            figures,
            evidence,
        )
    if upcoming is None:
        return CheckResult(
            PARTLY_MET,
            _("The last review, %(r)s, was held on %(d)s, but no next review is planned.")
            % {"r": last.reference, "d": last.held_on},
            figures,
            evidence,
        )
    return CheckResult(
        MET,
        _("Last review %(r)s held on %(d)s; next %(n)s planned for %(p)s.")
        % {"r": last.reference, "d": last.held_on, "n": upcoming.reference, "p": upcoming.planned_date},
        figures,
        evidence,
    )


def _input_check(topic: str):
    def run() -> CheckResult:
        last = (
            ManagementReview.objects.filter(status__in=ManagementReview.TOOK_PLACE, pack_sha256__gt="")
            .order_by("-held_on", "-id")
            .first()
        )
        if last is None:
            return CheckResult(
                NOT_APPLICABLE, _("No management review has been held with a frozen pack yet.")
            )
        state = (last.pack_topics or {}).get(topic, "none")
        title = TOPICS[topic]
        figures = {"review": last.reference, "state": state}
        if state == "figures":
            message = _("The pack of %(r)s had figures on: %(t)s.")
        elif state == "empty":
            # The input was before the review; that there was nothing to report is itself what it saw.
            message = _("The pack of %(r)s put %(t)s before the review; nothing was recorded in its period.")
        else:
            return CheckResult(
                NOT_MET,
                _("Nothing in the pack of %(r)s covered: %(t)s.") % {"r": last.reference, "t": title},
                figures,
                gaps=[Evidence.of(last)],
            )
        return CheckResult(MET, message % {"r": last.reference, "t": title}, figures, [Evidence.of(last)])

    run.__name__ = f"input_{topic}"
    return run


for _topic, _leaves in TOPIC_LEAVES.items():
    register(
        f"reviews.input_considered.{_topic}",
        requirements=_leaves,
        title=f"The latest management review's pack had figures on {_topic.replace('_', ' ')}",
    )(_input_check(_topic))


record_rule(
    "reviews.decisions_recorded",
    requirements=[f"{E11}.s2", f"{E18}.s9"],
    title="Every management review that took place records its minutes and decisions",
    model="reviews.ManagementReview",
    where={"status__in": [str(s) for s in ManagementReview.TOOK_PLACE]},
    every=Q(decisions__gt="") & Q(minutes__gt=""),
)


@register(
    "reviews.actions_followed_up",
    requirements=[f"{E11}.g", f"{E18}.s2"],
    title="Actions from management reviews are done by their due date",
)
def actions_followed_up() -> CheckResult:
    today = timezone.localdate()
    actions = ReviewAction.objects.exclude(status=ReviewAction.Status.CANCELLED)
    counted = tally(actions, ~Q(status=ReviewAction.Status.OPEN, due_date__lt=today), newest_first="due_date")
    return CheckResult.from_counts(
        total=counted.total,
        good=counted.good,
        met=_("All %(n)d review actions are done or within their due date.") % {"n": counted.total},
        not_met=_("%(bad)d of %(n)d review actions are overdue: %(list)s.")
        % {
            "bad": counted.total - counted.good,
            "n": counted.total,
            "list": ", ".join(a.reference for a in counted.gaps[:10]),
        },
        none=_("No actions from management reviews yet."),
        evidence=counted.evidence,
        gaps=counted.gaps,
    )


record_rule(
    "reviews.objectives_written",
    requirements=["iso20000-1:2011#4.5.4.1.s2"],
    title=_("Every management review that is not cancelled has written objectives"),
    model="reviews.ManagementReview",
    where=~Q(status=ManagementReview.Status.CANCELLED),
    every=~Q(objectives=""),
)


@register(
    "reviews.audits_and_reviews_monitor_the_sms",
    requirements=["iso20000-1:2011#4.5.4.1.s1"],
    title=_("The SMS is monitored by internal audit and management review: one of each in the last year"),
)
def audits_and_reviews_monitor_the_sms() -> CheckResult:
    from servitium.audits.models import Audit

    if not (ManagementReview.objects.exists() and Audit.objects.exists()):
        # Like held_at_planned_intervals: nothing recorded yet reads "no evidence", not a failure.
        return CheckResult(
            NOT_APPLICABLE, _("No internal audit or no management review is recorded yet."), {}
        )
    since = timezone.localdate() - dt.timedelta(days=INTERVAL_DAYS)
    audit = (
        Audit.objects.filter(reported_on__gte=since, status__in=(Audit.Status.REPORTED, Audit.Status.CLOSED))
        .order_by("-reported_on")
        .first()
    )
    review = (
        ManagementReview.objects.filter(status__in=ManagementReview.TOOK_PLACE, held_on__gte=since)
        .order_by("-held_on")
        .first()
    )
    evidence = [Evidence.of(r) for r in (audit, review) if r is not None]
    figures = {"audit_reported": bool(audit), "review_held": bool(review)}
    if audit and review:
        return CheckResult(
            MET,
            _("Internal audit %(a)s was reported on %(ad)s and management review %(r)s held on %(rd)s.")
            % {"a": audit.reference, "ad": audit.reported_on, "r": review.reference, "rd": review.held_on},
            figures,
            evidence,
        )
    missing = [
        str(m)
        for m, found in ((_("an internal audit report"), audit), (_("a held management review"), review))
        if not found
    ]
    return CheckResult(
        PARTLY_MET if evidence else NOT_MET,
        _("In the last %(d)d days there was no %(what)s.")
        % {"d": INTERVAL_DAYS, "what": _(" and no ").join(missing)},
        figures,
        evidence,
    )
