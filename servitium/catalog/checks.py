"""Conformity checks evidenced by the service catalogue."""

from django.db.models import Q
from django.utils.translation import gettext as _

from servitium.core.checks import CheckResult, record_rule, register

from .models import Service


@register(
    "catalog.live_services_have_owner",
    requirements=[
        "iso20000-1:2018#8.2.4.s1",
        "iso20000-1:2018#8.2.4.s2",
    ],
    title=_("Every live service in the catalogue has a named owner and a description"),
)
def live_services_have_owner() -> CheckResult:
    live = list(Service.objects.filter(status=Service.Status.LIVE).select_related("owner"))
    good = [s for s in live if s.owner_id and s.description.strip()]
    gaps = [s for s in live if s not in good]
    return CheckResult.from_counts(
        total=len(live),
        good=len(good),
        met=_("All %(n)d live services have an owner and a description.") % {"n": len(live)},
        not_met=_("%(n)d of %(t)d live services lack an owner or a description.")
        % {"n": len(gaps), "t": len(live)},
        none=_("No live services in the catalogue yet."),
        evidence=good,
        gaps=gaps,
    )


record_rule(
    "catalog.dependencies_shown",
    requirements=["iso20000-1:2011#6.1.s3", "iso20000-1:2018#8.2.4.s3"],
    title=_("Every live service shows what it is made of or depends on"),
    model="catalog.Service",
    where={"status": Service.Status.LIVE},
    every=Q(components__isnull=False) | Q(depends_on__isnull=False),
)


record_rule(
    "catalog.criticality_determined",
    requirements=["iso20000-1:2018#8.2.2.s2"],
    title=_("Every live service has its criticality determined (its dependencies are the dependency rule's)"),
    model="catalog.Service",
    where={"status": Service.Status.LIVE},
    every=~Q(criticality=""),
)
