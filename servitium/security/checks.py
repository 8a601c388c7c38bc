"""Conformity checks evidenced by information security management (2011 6.6; 2018 8.7.3).

Each is bound to the leaf obligations it shows: the policy is a controlled document in force, approved by
top management and acknowledged; objectives and the risk approach are set; security risks are assessed at
the planned interval and treated by controls; the register documents each control, which is implemented
with evidence and reviewed on time; external parties' access is recorded and reviewed; changes are assessed
for security impact before approval; security incidents are classified, resolved, linked to controls and
risks and reviewed. The internal audit rules read the audits app's records by name (it sits above this one).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.changes.models import Change
from servitium.core.checks import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    CheckResult,
    Evidence,
    record_rule,
    register,
    tally,
)
from servitium.incidents.models import Incident

from . import selectors
from .models import AccessGrant, SecurityControl, SecurityImpactAssessment, SecurityIncidentLink

E11, E18 = "iso20000-1:2011#", "iso20000-1:2018#"
C = SecurityControl.Status
ENDED_INCIDENT = ("resolved", "closed")


def _policy_refusal(standing) -> CheckResult | None:
    if standing.document is None:
        return CheckResult(
            NOT_MET, _("No document is named as the information security policy (security settings).")
        )
    if not standing.in_force:
        return CheckResult(
            NOT_MET,
            _("The information security policy %(doc)s has no approved version in force.")
            % {"doc": standing.document},
            gaps=[Evidence.of(standing.document)],
        )
    return None


@register(
    "security.policy_documented",
    requirements=[f"{E18}8.7.3.1.s2"],
    title=_("The information security policy is a controlled document with a version in force"),
)
def policy_documented() -> CheckResult:
    standing = selectors.policy_standing()
    refusal = _policy_refusal(standing)
    if refusal:
        return refusal
    version = standing.document.current_version
    return CheckResult(
        MET,
        _("%(doc)s: version %(v)s in force.") % {"doc": standing.document, "v": version.version},
        {"total": 1, "conforming": 1},
        [Evidence.of(standing.document), Evidence.of(version)],
    )


@register(
    "security.policy_approved",
    requirements=[f"{E18}8.7.3.1.s1", f"{E11}6.6.1.s1"],
    title=_("The information security policy in force was approved by top management"),
)
def policy_approved() -> CheckResult:
    standing = selectors.policy_standing()
    refusal = _policy_refusal(standing)
    if refusal:
        return refusal
    version = standing.document.current_version
    if standing.approved_by_top_management:
        return CheckResult(
            MET,
            _("Version %(v)s of %(doc)s was approved by %(who)s (top management).")
            % {"v": version.version, "doc": standing.document, "who": standing.approver},
            {"total": 1, "conforming": 1},
            [Evidence.of(version)],
        )
    return CheckResult(
        NOT_MET,
        _("Version %(v)s of %(doc)s was approved by %(who)s, who does not hold the top management role.")
        % {"v": version.version, "doc": standing.document, "who": standing.approver or "—"},
        {"total": 1, "conforming": 0},
        gaps=[Evidence.of(version)],
    )


@register(
    "security.policy_communicated",
    requirements=[f"{E18}8.7.3.1.s3", f"{E11}6.6.1.a"],
    title=_("The information security policy is published and acknowledged by the people it reaches"),
)
def policy_communicated() -> CheckResult:
    standing = selectors.policy_standing()
    refusal = _policy_refusal(standing)
    if refusal:
        return refusal
    document = standing.document
    published = standing.published
    total = standing.expected + 1  # everyone asked to acknowledge it, plus publication to the parties
    good = standing.acknowledged + int(published)
    where = (
        _("published at %(w)s") % {"w": document.points_of_use}
        if published
        else _("not published to customers and suppliers (confidential, or no point of use)")
    )
    return CheckResult.from_counts(
        total=total,
        good=good,
        met=_("%(doc)s is %(where)s; %(n)d of %(n)d people asked have acknowledged it.")
        % {"doc": document, "where": where, "n": standing.expected},
        not_met=_("%(doc)s is %(where)s; %(missing)d of %(n)d acknowledgements are missing.")
        % {
            "doc": document,
            "where": where,
            "missing": standing.expected - standing.acknowledged,
            "n": standing.expected,
        },
        none="",
        evidence=[document] if good == total else [],
        gaps=[] if good == total else [document],
        figures={
            "expected": standing.expected,
            "acknowledged": standing.acknowledged,
            "published": published,
        },
    )


record_rule(
    "security.objectives_set",
    requirements=[f"{E11}6.6.1.b"],
    title=_("Information security objectives are set"),
    model="security.SecuritySettings",
    where=~Q(objectives=""),
)
record_rule(
    "security.risk_approach_set",
    requirements=[f"{E11}6.6.1.c"],
    title=_("How information security risks are managed and accepted is defined"),
    model="security.SecuritySettings",
    where=~Q(risk_approach=""),
)
record_rule(
    "security.internal_security_audits",
    requirements=[f"{E11}6.6.1.e"],
    title=_("Internal audits cover information security"),
    model="audits.Audit",
    where=lambda: Q(scope_areas__icontains="security", status__in=["reported", "closed"]),
)
record_rule(
    "security.audit_findings_acted_on",
    requirements=[f"{E11}6.6.1.f"],
    title=_("Audit findings on information security lead to a nonconformity or an improvement"),
    model="audits.Finding",
    where={"area": "security"},
    every=Q(nonconformity__isnull=False) | Q(opportunity__isnull=False) | Q(grade="observation"),
)


@register(
    "security.risk_assessment_on_time",
    requirements=[f"{E18}8.7.3.2.s1", f"{E11}6.6.1.d"],
    title=_(
        "Information security risks are assessed at the planned interval and recorded in the risk register"
    ),
)
def risk_assessment_on_time() -> CheckResult:
    settings = selectors.current_settings()
    months = settings.assessment_interval_months if settings else 12
    latest = selectors.latest_assessment()
    if latest is None:
        return CheckResult(NOT_MET, _("No information security risk assessment is recorded."), {"total": 0})
    today = timezone.localdate()
    limit = latest.next_due or (latest.date + dt.timedelta(days=round(months * 30.44)))
    risks = latest.risks.count()
    problems = []
    if limit < today:
        problems.append(_("the next one was due on %(d)s") % {"d": limit})
    if not risks:
        problems.append(_("it links no risks of the risk register"))
    if problems:
        return CheckResult(
            NOT_MET,
            _("Latest assessment %(a)s: %(p)s.") % {"a": latest, "p": "; ".join(problems)},
            {"total": 1, "conforming": 0},
            gaps=[Evidence.of(latest)],
        )
    return CheckResult(
        MET,
        _("Latest assessment %(a)s found %(n)d risks; the next is due on %(d)s.")
        % {"a": latest, "n": risks, "d": limit},
        {"total": 1, "conforming": 1, "risks": risks},
        [Evidence.of(latest)],
    )


@register(
    "security.controls_documented",
    requirements=[f"{E18}8.7.3.2.s2", f"{E11}6.6.2.s1"],
    title=_("Every control in the register says what it does, has an owner, and justifies not applying"),
)
def controls_documented() -> CheckResult:
    controls = SecurityControl.objects.all()
    good = ~Q(description="") & Q(owner__isnull=False) & (~Q(status=C.NOT_APPLICABLE) | ~Q(justification=""))
    counted = tally(controls, good)
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d controls are described and owned."),
        not_met=_("%(bad)d of %(n)d controls lack a description or an owner."),
        none=_("The register of controls is empty."),
    )


@register(
    "security.risks_treated_by_controls",
    requirements=[f"{E18}8.7.3.2.s2", f"{E11}6.6.2.d"],
    title=_("Every open risk found by the latest security risk assessment is treated by a control"),
)
def risks_treated_by_controls() -> CheckResult:
    latest = selectors.latest_assessment()
    if latest is None:
        return CheckResult(NOT_APPLICABLE, _("No information security risk assessment is recorded."))
    treated = Exists(SecurityControl.objects.filter(risks=OuterRef("pk")).exclude(status=C.NOT_APPLICABLE))
    risks = latest.risks.exclude(status="closed").annotate(treated=treated)
    counted = tally(risks, Q(treated=True))
    return CheckResult.from_counts(
        total=counted.total,
        good=counted.good,
        met=_("All %(n)d open risks of %(a)s are treated by controls.") % {"n": counted.total, "a": latest},
        not_met=_("%(bad)d of %(n)d open risks of %(a)s have no control treating them.")
        % {"bad": counted.total - counted.good, "n": counted.total, "a": latest},
        none=_("The latest assessment links no open risks."),
        evidence=counted.evidence,
        gaps=counted.gaps,
    )


@register(
    "security.controls_implemented",
    requirements=[f"{E18}8.7.3.2.s3", f"{E11}6.6.2.a", f"{E11}6.6.2.b", f"{E11}6.6.2.c"],
    title=_("Every control that applies is implemented, with evidence that it operates"),
)
def controls_implemented() -> CheckResult:
    controls = SecurityControl.objects.exclude(status=C.NOT_APPLICABLE)
    counted = tally(controls, Q(status=C.IMPLEMENTED) & ~Q(evidence=""))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d applicable controls are implemented with evidence."),
        not_met=_("%(bad)d of %(n)d applicable controls are not (fully) implemented or show no evidence."),
        none=_("No applicable controls are registered."),
    )


@register(
    "security.controls_reviewed",
    requirements=[f"{E18}8.7.3.2.s3", f"{E11}6.6.2.s2"],
    title=_("Every control that applies is reviewed for effectiveness at its interval"),
)
def controls_reviewed() -> CheckResult:
    controls = SecurityControl.objects.exclude(status=C.NOT_APPLICABLE)
    counted = tally(controls, Q(next_review__gte=timezone.localdate()))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d applicable controls are reviewed on time."),
        not_met=_("%(bad)d of %(n)d applicable controls were never reviewed or are overdue for review."),
        none=_("No applicable controls are registered."),
    )


record_rule(
    "security.external_parties_identified",
    requirements=[f"{E11}6.6.2.s3"],
    title=_("External parties with access to information or services are recorded"),
    model="security.AccessGrant",
)


@register(
    "security.external_access_reviewed",
    requirements=[f"{E18}8.7.3.2.s4", f"{E11}6.6.2.s4"],
    title=_(
        "External parties' access in force states its purpose and who granted it, and is reviewed on time"
    ),
)
def external_access_reviewed() -> CheckResult:
    grants = selectors.grants_in_force(AccessGrant.objects.all())
    counted = tally(grants, Q(next_review__gte=timezone.localdate()) & ~Q(purpose=""))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d external access grants in force are reviewed on time."),
        not_met=_("%(bad)d of %(n)d external access grants in force are overdue for review."),
        none=_("No external access is in force."),
    )


@register(
    "security.changes_assessed",
    requirements=[f"{E11}6.6.3.a", f"{E11}6.6.3.b"],
    title=_("Changes approved in the last year were assessed for security impact before approval"),
)
def changes_assessed() -> CheckResult:
    since = timezone.now() - dt.timedelta(days=365)
    changes = Change.objects.filter(
        approved_at__gte=since, category__in=("normal", "major", "emergency")
    ).annotate(approved_day=TruncDate("approved_at"))
    changes = changes.annotate(
        assessed=Exists(
            SecurityImpactAssessment.objects.filter(
                change=OuterRef("pk"), assessed_on__lte=OuterRef("approved_day")
            )
        )
    )
    counted = tally(changes, Q(assessed=True))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d changes approved in the last year were assessed for security impact first."),
        not_met=_(
            "%(bad)d of %(n)d changes approved in the last year had no security impact assessment "
            "before approval."
        ),
        none=_("No change was approved in the last year."),
    )


@register(
    "security.incidents_classified",
    requirements=[f"{E18}8.7.3.3.s1", f"{E18}8.7.3.3.s2", f"{E11}6.6.3.s1"],
    title=_("Every security incident is classified by type and by the security risk that sets its priority"),
)
def incidents_classified() -> CheckResult:
    counted = tally(
        Incident.objects.filter(is_security=True), ~Q(security_category="") & Q(security_risk__isnull=False)
    )
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d security incidents are classified."),
        not_met=_("%(bad)d of %(n)d security incidents lack a type or a security risk."),
        none=_("No security incidents are recorded."),
    )


@register(
    "security.incidents_resolved",
    requirements=[f"{E18}8.7.3.3.s3"],
    title=_("Security incidents raised more than 30 days ago are resolved or closed"),
)
def incidents_resolved() -> CheckResult:
    old = Incident.objects.filter(is_security=True, created__lt=timezone.now() - dt.timedelta(days=30))
    counted = tally(old, Q(status__in=ENDED_INCIDENT))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d security incidents older than 30 days are resolved."),
        not_met=_("%(bad)d of %(n)d security incidents older than 30 days are still open."),
        none=_("No security incidents older than 30 days."),
    )


@register(
    "security.incidents_reviewed",
    requirements=[f"{E18}8.7.3.3.s4", f"{E11}6.6.3.s2", f"{E11}6.6.3.s3"],
    title=_("Every resolved security incident is linked to the controls or risks involved and reviewed"),
)
def incidents_reviewed() -> CheckResult:
    ended = Incident.objects.filter(is_security=True, status__in=ENDED_INCIDENT)
    linked = SecurityIncidentLink.objects.filter(incident=OuterRef("pk"), reviewed_on__isnull=False).filter(
        Q(controls__isnull=False) | Q(risks__isnull=False)
    )
    counted = tally(ended.annotate(done=Exists(linked)), Q(done=True))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d resolved security incidents are linked and reviewed."),
        not_met=_(
            "%(bad)d of %(n)d resolved security incidents are not linked to controls or risks, "
            "or not reviewed."
        ),
        none=_("No resolved security incidents."),
    )
