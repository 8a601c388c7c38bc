"""Writes and transitions of release and deployment management."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import services as core_services
from servitium.core.errors import TransitionNotAllowed

from . import selectors
from .lifecycle import BEFORE_DEPLOYMENT, RELEASE_WORKFLOW
from .models import AcceptanceCriterion, Deployment, Release, ReleasePolicy

TRANSITION_FIELDS = ("failure_reason", "review_notes")
CHANGES_NOT_RELEASABLE = frozenset({"rejected", "cancelled"})
# Once deployment has started the plan is history: only these may still be completed.
AFTER_START = frozenset({"description", "review_notes"})


def _check_type_agreed(release_type: str, policy: ReleasePolicy | None) -> None:
    if policy is not None and policy.release_types and release_type not in policy.release_types:
        raise ValidationError(
            {
                "release_type": [
                    _("The policy %(policy)s agrees only %(types)s releases.")
                    % {"policy": policy.name, "types": ", ".join(policy.release_types)}
                ]
            }
        )


def _check_changes(changes: Iterable[Any]) -> None:
    refused = [c.reference for c in changes if c.status in CHANGES_NOT_RELEASABLE]
    if refused:
        raise ValidationError(
            {
                "changes": [
                    _("Rejected or cancelled changes cannot be released: %(refs)s.")
                    % {"refs": ", ".join(refused)}
                ]
            }
        )


def release_create(
    *,
    actor: Any,
    data: dict[str, Any],
    m2m: dict[str, Any] | None = None,
    derived: dict[str, Any] | None = None,
) -> Release:
    """Plan a release. Without a policy it follows the default one; its type must be agreed there.
    `data` and `m2m` are what the actor asked for; `derived` what the caller decided itself."""
    m2m = m2m or {}
    derived = dict(derived or {})
    values = {**data, **derived}
    if values.get("policy") is None:
        derived["policy"] = values["policy"] = selectors.default_policy()
    _check_type_agreed(
        values.get("release_type") or Release._meta.get_field("release_type").default, values["policy"]
    )
    _check_changes(m2m.get("changes") or ())
    return core_services.record_create(model=Release, data=data, actor=actor, m2m=m2m, derived=derived)


def _same(stored: Any, given: Any) -> bool:
    """Is `given` what is stored? Forms send times to the second: a time equal to the second is unchanged."""
    given = getattr(given, "pk", given)
    if isinstance(stored, dt.datetime) and isinstance(given, dt.datetime):
        return stored.replace(microsecond=0) == given.replace(microsecond=0)
    return stored == given


def _changed(instance: Release, data: dict[str, Any], m2m: dict[str, Any]) -> set[str]:
    """The names in `data` and `m2m` whose values differ from what is stored (a client may send back what
    it read)."""
    names = {name for name, value in data.items() if not _same(getattr(instance, _attname(name)), value)}
    for name, values in m2m.items():
        stored = set(getattr(instance, name).values_list("pk", flat=True))
        if stored != {getattr(v, "pk", v) for v in values or ()}:
            names.add(name)
    return names


def _attname(name: str) -> str:
    return Release._meta.get_field(name).attname


def release_update(
    *, actor: Any, instance: Release, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> Release:
    """Change a release's plan; once deployment has started only the notes may change. Only what differs
    from the stored release is written (a form or a PUT sends back every field)."""
    changed = _changed(instance, data, m2m or {})
    data = {k: v for k, v in data.items() if k in changed}
    m2m = {k: v for k, v in (m2m or {}).items() if k in changed}
    if instance.status not in BEFORE_DEPLOYMENT:
        # (a status in `data` is left to the declared input rules, which refuse it by name)
        fixed = sorted(n for n in changed if n not in AFTER_START and n != "status")
        if fixed:
            raise TransitionNotAllowed(
                _("The release is %(status)s: its plan can no longer change (%(fields)s).")
                % {"status": instance.get_status_display(), "fields": ", ".join(fixed)}
            )
    policy = data.get("policy", instance.policy)
    _check_type_agreed(data.get("release_type", instance.release_type), policy)
    if "changes" in m2m:
        _check_changes(m2m["changes"])
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


def criterion_save(*, actor: Any, data: dict[str, Any], instance: AcceptanceCriterion | None = None, **_kw):
    """Record an acceptance criterion or its test result; results are kept only while building."""
    release = data.get("release") or (instance.release if instance else None)
    if release is not None and release.status not in (Release.Status.PLANNED, Release.Status.BUILDING):
        raise TransitionNotAllowed(
            _("Acceptance criteria are recorded during planning and build and test; the release is %(s)s.")
            % {"s": release.get_status_display()}
        )
    derived = {}
    if data.get("result") not in (None, AcceptanceCriterion.Result.PENDING) and not data.get("tested_at"):
        derived["tested_at"] = timezone.now()
    if instance is None:
        return core_services.record_create(model=AcceptanceCriterion, data=data, derived=derived, actor=actor)
    return core_services.record_update(instance=instance, data=data, derived=derived, actor=actor)


def criterion_create(*, actor: Any, data: dict[str, Any], m2m: dict | None = None) -> AcceptanceCriterion:
    return criterion_save(actor=actor, data=data)


def criterion_update(
    *, actor: Any, instance: AcceptanceCriterion, data: dict[str, Any], m2m: dict | None = None
) -> AcceptanceCriterion:
    return criterion_save(actor=actor, data=data, instance=instance)


def criterion_delete(*, actor: Any, instance: AcceptanceCriterion) -> None:
    if instance.release.status not in (Release.Status.PLANNED, Release.Status.BUILDING):
        raise TransitionNotAllowed(_("Acceptance results of a release past build and test are kept."))
    core_services.record_delete(instance=instance, actor=actor)


def _take_baseline(*, actor: Any, release: Release, now: dt.datetime):
    """Snapshot every CI the release touches, just before it is deployed."""
    from servitium.cmdb import services as cmdb_services

    cis = list(selectors.release_cis(release))
    if not cis:
        raise TransitionNotAllowed(
            _(
                "The release touches no configuration items, so no baseline can be taken: link changes "
                "with affected CIs or services that have CIs."
            )
        )
    stamp = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
    return cmdb_services.baseline_create(
        actor=actor,
        name=_("Before deploying %(ref)s (%(when)s)") % {"ref": release.reference, "when": stamp},
        cis=cis,
        purpose=_("Taken automatically before deploying release %(ref)s.") % {"ref": release.reference},
        source=release,
    )


def _current_deployment(release: Release) -> Deployment:
    deployment = release.deployments.select_for_update().order_by("-started_at", "-id").first()
    if deployment is None:  # only reachable through data written outside the lifecycle
        raise TransitionNotAllowed(_("The release has no deployment record."))
    return deployment


@transaction.atomic
def release_transition(
    *,
    actor: Any,
    instance: Release,
    transition: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Release:
    """Move a release along its lifecycle; deploying records the deployment and its baseline, its end
    records the outcome, and the review measures the release's success."""
    explicit_now = now is not None  # back-dated runs (demo, imports) give their own instant
    now = now or timezone.now()
    data = data or {}
    release = Release.objects.select_for_update().get(pk=instance.pk)
    step = RELEASE_WORKFLOW.get(transition)
    given = {f: str(data[f]).strip() for f in (*TRANSITION_FIELDS, "rollback_notes") if data.get(f)}
    if release.status in step.sources:
        missing = [f for f in step.needs if not given.get(f)]
        if missing:
            raise ValidationError(
                {f: [_("Needed to %(step)s.") % {"step": str(step.label).lower()}] for f in missing}
            )
    RELEASE_WORKFLOW.check(release, release.status, transition)
    extra: dict[str, Any] = {f: v for f, v in given.items() if f in TRANSITION_FIELDS}
    if step.name == "approve":
        extra.update({"approved_by": actor if getattr(actor, "pk", None) else None, "approved_at": now})
    elif step.name == "deploy":
        baseline = _take_baseline(actor=actor, release=release, now=now)
        if not explicit_now:
            now = timezone.now()  # the deployment starts once its baseline is taken
        environment = str(data.get("environment") or "production")[:200]
        extra["deployed_at"] = now
        core_services.record_create(
            model=Deployment,
            data={},
            derived={
                "release": release,
                "environment": environment,
                "started_at": now,
                "baseline": baseline,
                "performed_by": actor if getattr(actor, "pk", None) else None,
                "notes": note,
            },
            actor=actor,
        )
    elif step.name in ("complete", "fail", "roll_back"):
        deployment = _current_deployment(release)
        outcome = {
            "complete": Deployment.Outcome.SUCCESSFUL,
            "fail": Deployment.Outcome.FAILED,
            "roll_back": Deployment.Outcome.ROLLED_BACK,
        }[step.name]
        changes: dict[str, Any] = {"outcome": outcome}
        if deployment.finished_at is None or step.name == "roll_back":
            changes["finished_at"] = now
        if step.name == "roll_back":
            changes["rollback_notes"] = given["rollback_notes"]
        core_services.record_update(instance=deployment, data={}, derived=changes, actor=actor)
        if step.name != "complete":
            extra["successful"] = False
    elif step.name == "review":
        extra["reviewed_at"] = now
        extra.update(selectors.success_fields(release, now=now))
    return core_services.record_transition(
        instance=release,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )


def measure_early_life(*, now: dt.datetime | None = None) -> int:
    """Record success for deployed releases whose early-life period has ended (nightly job)."""
    now = now or timezone.now()
    measured = 0
    for release in selectors.awaiting_measurement(now):
        fields = selectors.success_fields(release, now=now)
        core_services.record_update(instance=release, data={}, derived=fields, actor=None)
        measured += 1
    return measured
