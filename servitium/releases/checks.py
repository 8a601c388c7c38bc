"""Conformity checks evidenced by release and deployment management (2011 9.3; 2018 8.5.3)."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.translation import gettext as _

from servitium.catalog.models import Service
from servitium.core.checks import CheckResult, record_rule, register
from servitium.parties.models import Organization

from .models import AcceptanceCriterion, Deployment, Release, ReleasePolicy

S = Release.Status
DEPLOYED = (S.DEPLOYED, S.FAILED, S.ROLLED_BACK, S.REVIEWED, S.CLOSED)
STARTED = (S.DEPLOYING, *DEPLOYED)


@register(
    "releases.policy_agreed",
    requirements=[
        "iso20000-1:2011#9.3.s1",
        "iso20000-1:2018#8.5.3.s1",
    ],
    title=_(
        "A release policy (frequency and types of release) is agreed with every customer of a live service"
    ),
)
def policy_agreed() -> CheckResult:
    """Only a policy of the customer's own, with the day it was agreed, counts: the provider's default
    policy applies to customers without one, but nobody agreed it with them."""
    customers = Organization.objects.filter(
        pk__in=Service.objects.filter(status="live").values("customers")
    ).distinct()
    has_default = ReleasePolicy.objects.filter(customer__isnull=True).exists()
    agreed = ReleasePolicy.objects.filter(customer=OuterRef("pk"), agreed_on__isnull=False)
    covered = customers.filter(Exists(agreed))
    total, good = customers.count(), covered.count()
    return CheckResult.from_counts(
        total=total,
        good=good,
        met=_("A release policy is agreed with each of the %(n)d customers of live services.") % {"n": total},
        not_met=_(
            "%(bad)d of %(n)d customers of live services have agreed no release policy of their own%(how)s."
        )
        % {
            "bad": total - good,
            "n": total,
            "how": _(" (the default policy applies to them, but was not agreed with them)")
            if has_default
            else "",
        },
        none=_("No customers of live services are recorded."),
        evidence=ReleasePolicy.objects.filter(customer__in=covered, agreed_on__isnull=False)[:20],
        gaps=customers.exclude(pk__in=covered.values("pk"))[:20],
        figures={"default_policy": has_default},
    )


@register(
    "releases.baseline_before_deployment",
    requirements=[
        "iso20000-1:2011#9.1.s7",
        "iso20000-1:2018#8.5.3.s4",
    ],
    title=_("A configuration baseline of the affected CIs is taken before every deployment"),
)
def baseline_before_deployment() -> CheckResult:
    deployments = Deployment.objects.all()
    # `created` is when the deployment record was written (its nominal start may be back-dated)
    good_q = Q(baseline__isnull=False, baseline__created__lte=F("created"))
    stats = deployments.aggregate(total=Count("id"), good=Count("id", filter=good_q))
    return CheckResult.from_counts(
        total=stats["total"],
        good=stats["good"],
        met=_("All %(n)d deployments had a baseline taken before they started.") % {"n": stats["total"]},
        not_met=_("%(bad)d of %(n)d deployments have no baseline taken before they started.")
        % {"bad": stats["total"] - stats["good"], "n": stats["total"]},
        none=_("No deployments are recorded."),
        evidence=deployments.filter(good_q).order_by("-started_at")[:20],
        gaps=deployments.exclude(good_q).order_by("-started_at")[:20],
    )


@register(
    "releases.accepted_and_approved_before_deployment",
    requirements=[
        "iso20000-1:2011#9.3.s5",
        "iso20000-1:2018#8.5.3.s3",
    ],
    title=_("Every deployed release passed its acceptance criteria and was approved before deployment"),
)
def accepted_and_approved() -> CheckResult:
    deployed = Release.objects.filter(status__in=STARTED)
    failed_criteria = AcceptanceCriterion.objects.filter(release=OuterRef("pk")).exclude(
        result=AcceptanceCriterion.Result.PASSED
    )
    good_q = (
        Q(approved_at__isnull=False)
        & Q(Exists(AcceptanceCriterion.objects.filter(release=OuterRef("pk"))))
        & ~Q(Exists(failed_criteria))
    )
    total, good = deployed.count(), deployed.filter(good_q).count()
    return CheckResult.from_counts(
        total=total,
        good=good,
        met=_("All %(n)d deployed releases were accepted and approved first.") % {"n": total},
        not_met=_("%(bad)d of %(n)d deployed releases lack passed acceptance criteria or an approval.")
        % {"bad": total - good, "n": total},
        none=_("No releases have been deployed."),
        evidence=deployed.filter(good_q)[:20],
        gaps=deployed.exclude(good_q)[:20],
    )


@register(
    "releases.success_measured",
    requirements=[
        "iso20000-1:2011#9.3.s8",
        "iso20000-1:2018#8.5.3.s6",
    ],
    title=_(
        "Deployed releases are reviewed and their success measured, including incidents after deployment"
    ),
)
def success_measured() -> CheckResult:
    deployed = Release.objects.filter(status__in=DEPLOYED)
    good_q = Q(reviewed_at__isnull=False) & Q(early_life_incidents__isnull=False)
    total, good = deployed.count(), deployed.filter(good_q).count()
    failures = deployed.filter(successful=False).count()
    return CheckResult.from_counts(
        total=total,
        good=good,
        met=_("All %(n)d deployed releases were reviewed with their early-life incidents counted.")
        % {"n": total},
        not_met=_("%(bad)d of %(n)d deployed releases have not been reviewed yet.")
        % {"bad": total - good, "n": total},
        none=_("No releases have been deployed."),
        evidence=deployed.filter(good_q)[:20],
        gaps=deployed.exclude(good_q)[:20],
        figures={"unsuccessful": failures},
    )


# --- record rules ------------------------------------------------------------------------------------

record_rule(
    "releases.deployment_planned",
    requirements=["iso20000-1:2011#9.3.s2", "iso20000-1:2018#8.5.3.s2"],
    title=_("Every approved or deployed release has a planned date, deliverables and a deployment method"),
    model="releases.Release",
    where={"status__in": [S.APPROVED, *STARTED]},
    every=Q(planned_start__isnull=False) & ~Q(deliverables="") & ~Q(deployment_method=""),
)
# The incident queue shows every release planned within the week and every release that failed, was rolled
# back or brought incidents in early life (panels.service_desk_notice): what the desk learns is what the
# release records say, so every approved or deployed release must name its services and its dates.
record_rule(
    "releases.desk_informed",
    requirements=["iso20000-1:2011#9.3.s9", "iso20000-1:2018#8.5.3.s7"],
    title=_(
        "Every approved or deployed release names its services and planned start, so the service desk's "
        "queue shows it before it comes and its outcome after"
    ),
    model="releases.Release",
    where={"status__in": [S.APPROVED, *STARTED]},
    every=Q(services__isnull=False, planned_start__isnull=False),
)
record_rule(
    "releases.built_in_acceptance_environment",
    requirements=["iso20000-1:2011#9.3.s4"],
    title=_("Every approved or deployed release names the acceptance environment it was tested in"),
    model="releases.Release",
    where={"status__in": [S.APPROVED, *STARTED]},
    every=~Q(acceptance_environment=""),
)
record_rule(
    "releases.fallback_planned",
    requirements=["iso20000-1:2011#9.3.s7"],
    title=_("Every approved or deployed release has a rollback plan"),
    model="releases.Release",
    where={"status__in": [S.APPROVED, *STARTED]},
    every=~Q(rollback_plan=""),
)

record_rule(
    "releases.emergency_through_emergency_change",
    requirements=["iso20000-1:2011#9.3.s3", "iso20000-1:2018#8.5.3.s5"],
    title=_("Every emergency release carries an emergency change"),
    model="releases.Release",
    where=Q(release_type="emergency") & ~Q(status=S.CANCELLED),
    every=Q(changes__category="emergency"),
)
