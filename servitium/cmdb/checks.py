"""Conformity checks evidenced by configuration management (2011 9.1; 2018 8.2.6)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from servitium.core.checks import CheckResult, register

from .models import CIType, ConfigurationItem

CMDB_REQS = ["iso20000-1:2011#9.1", "iso20000-1:2018#8.2.6"]


@register(
    "cmdb.ci_types_defined",
    requirements=CMDB_REQS,
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
    requirements=CMDB_REQS,
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
