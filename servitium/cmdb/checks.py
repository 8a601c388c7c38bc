"""Conformity checks evidenced by configuration management (2011 9.1; 2018 8.2.5 and 8.2.6)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q
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

from . import selectors
from .models import CIType, ConfigurationItem
from .records import AuditFinding, Baseline, BaselineItem, ConfigurationAudit

SOFTWARE_TYPES = ("application",)


@register(
    "cmdb.ci_types_defined",
    requirements=[
        "iso20000-1:2011#9.1.s1",
        "iso20000-1:2018#8.2.6.s1",
    ],
    title=_("Every type of configuration item in use is defined: it has a description and attributes"),
)
def ci_types_defined() -> CheckResult:
    used = CIType.objects.filter(pk__in=ConfigurationItem.objects.values("ci_type"))
    defined = ~Q(description="") & ~Q(attribute_schema={})
    stats = used.aggregate(total=Count("id"), good=Count("id", filter=defined))
    return CheckResult.from_counts(
        total=stats["total"],
        good=stats["good"],
        met=_("All %(n)d CI types in use have a description and an attribute schema.")
        % {"n": stats["total"]},
        not_met=_("%(bad)d of %(n)d CI types in use lack a description or an attribute schema.")
        % {"bad": stats["total"] - stats["good"], "n": stats["total"]},
        none=_("No configuration items are recorded."),
        gaps=used.exclude(defined)[:20],
        evidence=used.filter(defined)[:20],
    )


@register(
    "cmdb.cis_have_owners",
    requirements=[
        "iso20000-1:2011#9.1.s2",
        "iso20000-1:2018#8.2.6.s2",
    ],
    title=_("Configuration items in use have an owner"),
)
def cis_have_owners() -> CheckResult:
    in_use = ConfigurationItem.objects.filter(status=ConfigurationItem.Status.IN_USE)
    stats = in_use.aggregate(total=Count("id"), good=Count("id", filter=Q(owner__isnull=False)))
    return CheckResult.from_counts(
        total=stats["total"],
        good=stats["good"],
        met=_("All %(n)d configuration items in use have an owner.") % {"n": stats["total"]},
        not_met=_("%(bad)d of %(n)d configuration items in use have no owner.")
        % {"bad": stats["total"] - stats["good"], "n": stats["total"]},
        none=_("No configuration items are in use."),
        gaps=in_use.filter(owner__isnull=True)[:20],
        evidence=in_use.filter(owner__isnull=False)[:20],
    )


@register(
    "cmdb.configuration_audited",
    requirements=[
        "iso20000-1:2011#9.1.s9",
        "iso20000-1:2018#8.2.6.s5",
    ],
    title=_(
        "Every CI type in use was covered by a reconciled configuration audit within its audit interval, "
        "and audit findings are followed up"
    ),
)
def configuration_audited() -> CheckResult:
    """A type counts as audited by an audit of all CIs or of that type (an audit of one service covers
    neither), reconciled within the type's `audit_interval_days`. Open findings need an owner and must be
    within their due date, and an audit closed while a finding is still open is a gap."""
    types = list(CIType.objects.filter(pk__in=ConfigurationItem.objects.values("ci_type")).order_by("name"))
    if not types:
        return CheckResult(NOT_APPLICABLE, _("No configuration items are recorded."))
    now = timezone.now()
    reconciled = ConfigurationAudit.objects.filter(reconciled_at__isnull=False)
    of_all = reconciled.filter(scope=ConfigurationAudit.Scope.ALL).order_by("-reconciled_at").first()
    latest_by_type: dict[int, ConfigurationAudit] = {}
    per_type = reconciled.filter(scope=ConfigurationAudit.Scope.CI_TYPE, scope_ci_type__in=types)
    for audit in per_type.order_by("reconciled_at"):
        latest_by_type[audit.scope_ci_type_id] = audit
    covered, uncovered, used = [], [], {}
    for ci_type in types:
        candidates = [a for a in (of_all, latest_by_type.get(ci_type.pk)) if a is not None]
        latest = max(candidates, key=lambda a: a.reconciled_at, default=None)
        if latest and latest.reconciled_at >= now - dt.timedelta(days=ci_type.audit_interval_days):
            covered.append(ci_type)
            used[latest.pk] = latest
        else:
            uncovered.append(ci_type)
    open_findings = AuditFinding.objects.filter(status=AuditFinding.Status.OPEN).select_related("audit")
    overdue = list(open_findings.filter(due_date__lt=timezone.localdate())[:10])
    unowned = list(open_findings.filter(owner__isnull=True)[:10])
    closed_open = list(open_findings.filter(audit__status=ConfigurationAudit.Status.CLOSED)[:10])
    figures = {
        "ci_types": len(types),
        "ci_types_audited": len(covered),
        "open_findings": open_findings.count(),
        "overdue": len(overdue),
        "unowned": len(unowned),
        "open_in_closed_audits": len(closed_open),
    }
    messages = []
    if uncovered:
        messages.append(
            _("Not covered by a reconciled audit within their interval: %(types)s.")
            % {"types": ", ".join(f"{t.name} ({t.audit_interval_days} d)" for t in uncovered)}
        )
    if closed_open:
        messages.append(
            _("Closed with findings still open: %(list)s.")
            % {"list": ", ".join(f"{f.audit.reference} ({f.reference})" for f in closed_open)}
        )
    if overdue or unowned:
        messages.append(
            _("%(overdue)d open finding(s) are overdue and %(unowned)d have no owner.")
            % {"overdue": len(overdue), "unowned": len(unowned)}
        )
    findings = list({f.pk: f for f in [*closed_open, *overdue, *unowned]}.values())
    gaps = [Evidence.of(t) for t in uncovered] + [Evidence.of(f) for f in findings]
    gaps += [Evidence.of(a) for a in {f.audit_id: f.audit for f in closed_open}.values()]
    evidence = [Evidence.of(a) for a in used.values()]
    if not messages:
        return CheckResult(
            MET,
            _(
                "All %(n)d CI types in use were audited within their interval; every open finding is owned "
                "and on time."
            )
            % {"n": len(types)},
            figures,
            evidence,
        )
    return CheckResult(PARTLY_MET if covered else NOT_MET, " ".join(messages), figures, evidence, gaps)


@register(
    "cmdb.live_services_baselined",
    requirements=[
        "iso20000-1:2011#9.1.s7",
        "iso20000-1:2018#8.5.3.s4",
    ],
    title=_("Every service CI in use is covered by a configuration baseline"),
)
def live_services_baselined() -> CheckResult:
    live = ConfigurationItem.objects.filter(ci_type__name="service", status=ConfigurationItem.Status.IN_USE)
    covered = Q(pk__in=BaselineItem.objects.values("ci_pk"))
    stats = live.aggregate(total=Count("id"), good=Count("id", filter=covered))
    return CheckResult.from_counts(
        total=stats["total"],
        good=stats["good"],
        met=_("All %(n)d service CIs in use are in a baseline.") % {"n": stats["total"]},
        not_met=_("%(bad)d of %(n)d service CIs in use are in no baseline.")
        % {"bad": stats["total"] - stats["good"], "n": stats["total"]},
        none=_("No service CIs are in use."),
        gaps=live.exclude(covered)[:20],
        evidence=Baseline.objects.filter(items__ci_pk__in=live.filter(covered).values("pk")).distinct()[:20],
    )


@register(
    "cmdb.software_has_master_copies",
    requirements=[
        "iso20000-1:2011#9.1.s8",
    ],
    title=_("Software CIs in use reference a master copy in the definitive library"),
)
def software_has_master_copies() -> CheckResult:
    software = ConfigurationItem.objects.filter(
        ci_type__name__in=SOFTWARE_TYPES, status=ConfigurationItem.Status.IN_USE
    )
    has_copy = Q(pk__in=ConfigurationItem.master_copies.through.objects.values("configurationitem_id"))
    stats = software.aggregate(total=Count("id"), good=Count("id", filter=has_copy))
    return CheckResult.from_counts(
        total=stats["total"],
        good=stats["good"],
        met=_("All %(n)d software CIs in use reference a master copy.") % {"n": stats["total"]},
        not_met=_("%(bad)d of %(n)d software CIs in use reference no master copy.")
        % {"bad": stats["total"] - stats["good"], "n": stats["total"]},
        none=_("No software CIs are in use."),
        gaps=software.exclude(has_copy)[:20],
        evidence=software.filter(has_copy)[:20],
    )


@register(
    "cmdb.licences_within_limits",
    requirements=[
        "iso20000-1:2011#4.1.4.d",
        "iso20000-1:2018#8.2.5.s1",
    ],
    title=_("Licences are used within their entitlement and have not expired"),
)
def licences_within_limits() -> CheckResult:
    positions = selectors.licences()
    good = [p for p in positions if p.within_limits]
    bad = [p for p in positions if not p.within_limits]
    expiring = [p for p in good if p.expiring]
    return CheckResult.from_counts(
        total=len(positions),
        good=len(good),
        met=_("All %(n)d licences are within their entitlement and valid (%(soon)d expire within 60 days).")
        % {"n": len(positions), "soon": len(expiring)},
        not_met=_("%(bad)d of %(n)d licences are over-used or expired.")
        % {"bad": len(bad), "n": len(positions)},
        none=_("No licences are recorded."),
        gaps=[p.ci for p in bad[:20]],
        evidence=[p.ci for p in good[:20]],
        figures={"expiring_within_60_days": len(expiring)},
    )


# An edit later than the last change-log entry of the CI means the record was changed without going through
# the services (by hand in the database): the change can no longer be traced.
UNLOGGED_GRACE = dt.timedelta(minutes=1)


@register(
    "cmdb.cis_uniquely_identified",
    requirements=["iso20000-1:2011#9.1.s3"],
    title=_("No two configuration items in use share a type and a name"),
)
def cis_uniquely_identified() -> CheckResult:
    in_use = ConfigurationItem.objects.exclude(status=ConfigurationItem.Status.RETIRED)
    clashes = list(
        in_use.values("ci_type_id", "name").annotate(n=Count("id")).filter(n__gt=1).order_by("-n")[:20]
    )
    gaps = []
    for clash in clashes:
        gaps.extend(in_use.filter(ci_type_id=clash["ci_type_id"], name=clash["name"]).order_by("pk")[:2])
    total = in_use.count()
    return CheckResult.from_counts(
        total=total,
        good=total - sum(c["n"] for c in clashes),
        met=_("All %(n)d configuration items in use can be told apart by type and name (and a reference).")
        % {"n": total},
        not_met=_("%(k)d names are used by more than one configuration item of the same type.")
        % {"k": len(clashes)},
        none=_("No configuration items are recorded."),
        gaps=gaps[:20],
    )


@register(
    "cmdb.ci_changes_traceable",
    requirements=["iso20000-1:2011#9.1.s6", "iso20000-1:2018#8.2.6.s3", "iso20000-1:2011#5.1.s4"],
    title=_("Every change to a configuration item is in the change log"),
)
def ci_changes_traceable() -> CheckResult:
    from servitium.core.models import ChangeRecord

    logged = ChangeRecord.objects.filter(
        object_type="cmdb.configurationitem",
        object_id=OuterRef("pk"),
        timestamp__gte=OuterRef("updated") - UNLOGGED_GRACE,
    )
    counted = tally(ConfigurationItem.objects.all(), Q(Exists(logged)))
    return CheckResult.from_tally(
        counted,
        met=_("Every one of the %(n)d configuration items was last changed through a logged change."),
        not_met=_("%(bad)d of %(n)d configuration items were changed without a change-log entry."),
        none=_("No configuration items are recorded."),
    )


@register(
    "cmdb.update_access_controlled",
    requirements=["iso20000-1:2011#9.1.s4", "iso20000-1:2018#8.2.6.s4"],
    title=_("Configuration items were changed in the last 90 days only by people holding the right to"),
)
def update_access_controlled() -> CheckResult:
    """Each change-log entry on a CI of the last 90 days: made by someone who holds the right to change CIs,
    or by the system itself (jobs, imports, the installation). Entries by people without the right (or who
    no longer have it, which the configuration manager should also look at) are named."""
    from servitium.core.models import ChangeRecord
    from servitium.core.permissions import CHANGE, has_permission
    from servitium.parties.models import User

    since = timezone.now() - dt.timedelta(days=90)
    entries = ChangeRecord.objects.filter(object_type="cmdb.configurationitem", timestamp__gte=since)
    actor_ids = set(entries.exclude(actor=None).values_list("actor_id", flat=True).distinct())
    outsiders = [
        u
        for u in User.objects.filter(pk__in=actor_ids).order_by("username")
        if not has_permission(u, CHANGE, ConfigurationItem)
    ]
    uncontrolled = entries.filter(actor__in=outsiders)
    total, bad = entries.count(), uncontrolled.count()
    names = [u.username for u in outsiders[:10]]
    return CheckResult.from_counts(
        total=total,
        good=total - bad,
        met=_(
            "All %(n)d changes to configuration items in the last 90 days came from people holding the right."
        )
        % {"n": total},
        not_met=_(
            "%(bad)d of %(n)d changes to configuration items came from outside the configuration "
            "roles: %(names)s."
        )
        % {"bad": bad, "n": total, "names": ", ".join(names)},
        none=_("Nobody changed a configuration item in the last 90 days."),
        gaps=ConfigurationItem.objects.filter(
            pk__in=list(uncontrolled.values_list("object_id", flat=True)[:20])
        ),
    )


record_rule(
    "cmdb.assets_in_the_asset_register",
    requirements=["iso20000-1:2011#9.1.s11", "iso20000-1:2018#8.2.5.s2"],
    title=_(
        "Every CI in use of a type that is a financial asset carries its number in the financial asset "
        "register, so configuration and asset accounting name the same thing"
    ),
    model="cmdb.ConfigurationItem",
    # a planned CI is not bought yet, a retired one has left the register
    where=Q(
        ci_type__financial_asset=True,
        status__in=[ConfigurationItem.Status.IN_USE, ConfigurationItem.Status.MAINTENANCE],
    ),
    every=~Q(asset_number=""),
)


record_rule(
    "cmdb.unintended_changes_reviewed",
    requirements=["iso20000-1:2018#8.1.s2"],
    # An audit's difference is a change nobody planned: before it is settled, someone says what it
    # affected and how that was mitigated.
    title=_("Every settled configuration audit finding records the review of its effect and its mitigation"),
    model="cmdb.AuditFinding",
    where={"status": "closed"},
    every=~Q(effect_review=""),
)
