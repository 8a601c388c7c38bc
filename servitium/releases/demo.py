"""Demo releases: a default monthly release policy and a customer's own quarterly one; a release deployed and
reviewed two months ago, one rolled back three weeks ago, one approved for next week, and one in build and
test. Each deployment took a CMDB baseline first. Bundles the demo's approved changes where there are any.

Idempotent: nothing is done when releases exist already.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from servitium.catalog.models import Service
from servitium.core import services as core_services
from servitium.parties.models import Organization, Person

from . import services
from .models import Release, ReleasePolicy

ACCEPTANCE = [
    "Functional tests of the changed components pass in the acceptance environment",
    "Performance within 10 % of the previous release under the reference load",
    "Rollback rehearsed in the acceptance environment",
]


def _approved_changes(service_names: list[str]) -> list[Any]:
    try:
        from servitium.changes.lifecycle import APPROVED_OR_LATER
        from servitium.changes.models import Change
    except ImportError:  # the change app is not there (only in trimmed installations)
        return []
    return list(
        Change.objects.filter(
            status__in=APPROVED_OR_LATER, affected_services__name__in=service_names
        ).distinct()[:3]
    )


def _release(actor, now, *, title, service, kind, start_in_days, **extra) -> Release:
    services_ = list(Service.objects.filter(name=service))
    return services.release_create(
        actor=actor,
        data={
            "title": title,
            "release_type": kind,
            "description": extra.pop("description", ""),
            "planned_start": now + dt.timedelta(days=start_in_days),
            "planned_end": now + dt.timedelta(days=start_in_days, hours=3),
            "deliverables": extra.pop("deliverables", ""),
            "acceptance_environment": "Staging (Frankfurt), production-like data set",
            "rollback_plan": "Redeploy the previous version from the definitive library; restore the "
            "configuration from the baseline taken before deployment.",
            "release_manager": Person.objects.filter(name="Sofia Rossi").first(),
            **extra,
        },
        m2m={"services": services_, "changes": _approved_changes([service])},
    )


def _accept(actor, release: Release) -> None:
    for text in ACCEPTANCE:
        criterion = services.criterion_create(actor=actor, data={"release": release, "criterion": text})
        services.criterion_update(
            actor=actor,
            instance=criterion,
            data={"result": "passed", "evidence": "Test run recorded in the pipeline; results attached."},
        )


def _walk(actor, release: Release, steps: list[tuple[str, dict]], now: dt.datetime) -> Release:
    for name, data in steps:
        release = services.release_transition(
            actor=actor, instance=release, transition=name, data=data, now=now
        )
    return release


def load(*, actor: Any) -> None:
    if Release.objects.exists():
        return
    now = timezone.now()
    core_services.record_create(
        model=ReleasePolicy,
        data={
            "name": "Default release policy",
            "frequency": ReleasePolicy.Frequency.MONTHLY,
            "release_types": ["major", "minor", "patch", "emergency"],
            "notice_days": 5,
            "early_life_days": 14,
            "acceptance_requirements": "Functional, performance and rollback tests pass in staging.",
            "agreed_on": (now - dt.timedelta(days=200)).date(),
        },
        actor=actor,
    )
    cedar = Organization.objects.filter(name="Cedar Retail Group").first()
    if cedar is not None:
        core_services.record_create(
            model=ReleasePolicy,
            data={
                "name": "Cedar Retail: quarterly releases",
                "customer": cedar,
                "frequency": ReleasePolicy.Frequency.QUARTERLY,
                "release_types": ["major", "minor", "emergency"],
                "notice_days": 10,
                "early_life_days": 21,
                "acceptance_requirements": "Cedar's own user acceptance test signs off each release.",
                "agreed_on": (now - dt.timedelta(days=150)).date(),
            },
            actor=actor,
        )
    done = _release(
        actor,
        now,
        title="PostgreSQL 16.4 minor upgrade",
        service="Managed PostgreSQL",
        kind="minor",
        start_in_days=-60,
        deliverables="Engine packages 16.4, updated monitoring probes",
    )
    _accept(actor, done)
    deployed_at = now - dt.timedelta(days=60)
    _walk(actor, done, [("build", {}), ("accept", {}), ("approve", {})], deployed_at)
    _walk(actor, done, [("deploy", {"environment": "production"}), ("complete", {})], deployed_at)
    _walk(
        actor,
        done,
        [("review", {"review_notes": "Deployed in the window; no incidents in early life."})],
        now,
    )

    rolled = _release(
        actor,
        now,
        title="Mail relay filter rules 2.3",
        service="Hosted Email",
        kind="patch",
        start_in_days=-21,
        deliverables="Spam filter rule set 2.3",
    )
    _accept(actor, rolled)
    when = now - dt.timedelta(days=21)
    _walk(actor, rolled, [("build", {}), ("accept", {}), ("approve", {}), ("deploy", {})], when)
    _walk(
        actor,
        rolled,
        [
            (
                "roll_back",
                {"rollback_notes": "Legitimate newsletters were quarantined; rule set 2.2 restored."},
            )
        ],
        when + dt.timedelta(hours=2),
    )

    upcoming = _release(
        actor,
        now,
        title="Kubernetes 1.31 control plane",
        service="Kubernetes Platform",
        kind="major",
        start_in_days=7,
        deliverables="Control plane 1.31, CNI plug-in update, runbook",
    )
    _accept(actor, upcoming)
    _walk(actor, upcoming, [("build", {}), ("accept", {}), ("approve", {})], now)

    building = _release(
        actor,
        now,
        title="Backup agent 5.2",
        service="Backup and Restore",
        kind="minor",
        start_in_days=24,
        deliverables="Agent packages for Linux and Windows",
    )
    services.criterion_create(
        actor=actor, data={"release": building, "criterion": "Restore test of one VM per region succeeds"}
    )
    _walk(actor, building, [("build", {})], now)
