"""Conformity evidence of internal audit (2011 4.5.4.2; 2018 9.2), bound to the leaf obligations: a
current programme carried out as planned, audits with scope and criteria, independent auditors, results
reported and kept, nonconformities owned and followed up."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core.checks import CheckResult, record_rule, register

from . import independence, selectors
from .models import Audit, AuditProgramme, Finding

R11, R18 = "iso20000-1:2011#", "iso20000-1:2018#"
REPORT_DAYS = 30  # an audit is reported within this many days of its planned end
FOLLOW_UP_DAYS = 90  # its nonconformities are closed within this many days of the report


def _today() -> dt.date:
    return timezone.localdate()


record_rule(
    "audits.programme_current",
    requirements=[f"{R11}4.5.4.2.s2", f"{R18}9.2.2.a"],
    title=_("An audit programme exists for this year"),
    model="audits.AuditProgramme",
    where=lambda: Q(year=_today().year),
)


@register(
    "audits.programme_carried_out",
    requirements=[f"{R11}4.5.4.2.s2", f"{R11}4.5.4.2.c", f"{R18}9.2.2.a", f"{R18}9.2.1.b"],
    title=_("Every programme item whose month has passed has been audited"),
)
def programme_carried_out() -> CheckResult:
    programme = AuditProgramme.objects.filter(year=_today().year).first()
    rows = selectors.item_progress(programme) if programme else []
    due = [r for r in rows if r["state"] != "planned"]
    done = [r for r in due if r["state"] == "audited"]
    return CheckResult.from_counts(
        total=len(due),
        good=len(done),
        met=_("All %(n)d programme items due so far were audited.") % {"n": len(due)},
        not_met=_("%(bad)d of %(n)d programme items due were not audited: %(list)s.")
        % {
            "bad": len(due) - len(done),
            "n": len(due),
            "list": ", ".join(r["item"].area for r in due if r["state"] != "audited"),
        },
        none=_("No programme item is due yet."),
        evidence=[r["item"] for r in done],
        gaps=[r["item"] for r in due if r["state"] != "audited"],
    )


record_rule(
    "audits.audits_reported_12_months",
    requirements=[
        f"{R11}4.5.4.2.a",
        f"{R11}4.5.4.2.b",
        f"{R18}9.2.1.a.1",
        f"{R18}9.2.1.a.2",
    ],
    title=_(
        "Internal audits against the standard and our own requirements were reported in the last 12 months"
    ),
    model="audits.Audit",
    where=lambda: Q(status__in=Audit.DONE, reported_on__gte=_today() - dt.timedelta(days=365)),
)

record_rule(
    "audits.scope_and_criteria",
    requirements=[f"{R11}4.5.4.2.s2", f"{R18}9.2.2.b"],
    title=_("Every audit states its scope and criteria"),
    model="audits.Audit",
    where=~Q(status=Audit.Status.CANCELLED),
    every=~Q(scope_clauses="") & ~Q(criteria=""),
)


@register(
    "audits.auditors_independent",
    requirements=[f"{R11}4.5.4.2.s3", f"{R18}9.2.2.c"],
    title=_("No auditor audits their own work"),
)
def auditors_independent() -> CheckResult:
    """The rule the services enforce, checked again against today's roles (a role granted later)."""
    audits = list(
        Audit.objects.exclude(status=Audit.Status.CANCELLED)
        .select_related("lead_auditor__user")
        .prefetch_related("auditors__user", "auditees")
        .order_by("-planned_start")[:500]
    )
    bad = []
    for audit in audits:
        auditees = list(audit.auditees.all())
        team = [audit.lead_auditor, *audit.auditors.all()]
        if any(independence.conflict(p, audit.scope_areas, auditees) for p in team):
            bad.append(audit)
    return CheckResult.from_counts(
        total=len(audits),
        good=len(audits) - len(bad),
        met=_("No auditor of %(n)d audits audits their own work.") % {"n": len(audits)},
        not_met=_("%(bad)d of %(n)d audits have an auditor auditing their own work: %(list)s.")
        % {"bad": len(bad), "n": len(audits), "list": ", ".join(a.reference for a in bad)},
        none=_("No audits yet."),
        evidence=[a for a in audits if a not in bad][:20],
        gaps=bad[:20],
    )


record_rule(
    "audits.results_reported",
    requirements=[f"{R18}9.2.2.d", f"{R11}4.5.4.2.s4", f"{R11}4.5.4.1.s5"],
    title=_("Audits are reported within 30 days of their planned end"),
    model="audits.Audit",
    where=lambda: (
        ~Q(status=Audit.Status.CANCELLED) & Q(planned_end__lt=_today() - dt.timedelta(days=REPORT_DAYS))
    ),
    every={"status__in": Audit.DONE},
)

record_rule(
    "audits.findings_owned",
    requirements=[f"{R11}4.5.4.2.s4"],
    title=_("Every nonconformity an audit found has an owner in the audited area"),
    model="audits.Finding",
    where={"grade__in": Finding.NONCONFORMITIES},
    every=Q(owner__isnull=False, nonconformity__isnull=False),
)

record_rule(
    "audits.findings_followed_up",
    requirements=[f"{R11}4.5.4.2.s5"],
    title=_("Nonconformities of audits reported over 90 days ago are closed"),
    model="audits.Finding",
    where=lambda: Q(
        grade__in=Finding.NONCONFORMITIES,
        audit__reported_on__lt=_today() - dt.timedelta(days=FOLLOW_UP_DAYS),
    ),
    every={"nonconformity__status": "closed"},
)

record_rule(
    "audits.evidence_kept",
    requirements=[f"{R18}9.2.2.e"],
    title=_("Reported audits keep their summary, checklist verdicts and report date"),
    model="audits.Audit",
    where={"status__in": Audit.DONE},
    every=~Q(summary="") & Q(reported_on__isnull=False) & ~Q(checklist__verdict=""),
)


record_rule(
    "audits.objectives_written",
    requirements=["iso20000-1:2011#4.5.4.1.s2"],
    title=_("Every internal audit that is not cancelled has written objectives"),
    model="audits.Audit",
    where=~Q(status=Audit.Status.CANCELLED),
    every=~Q(objectives=""),
)
