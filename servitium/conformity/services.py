"""Writes of the conformity engine: assessment runs with their results, and nonconformities (attestations
and plan items use the generic audited services). Every write leaves one change-log entry per record."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import services as core_services
from servitium.core.checks import NOT_MET
from servitium.core.errors import ApplicationError
from servitium.parties.models import Person

from . import catalogue, engine, selectors
from .lifecycle import NONCONFORMITY_WORKFLOW
from .models import Assessment, Framework, Nonconformity, Result

# --- assessments ----------------------------------------------------------------------------------------


def assessment_run(
    *,
    actor: Any,
    framework: Framework | None = None,
    trigger: str = Assessment.Trigger.MANUAL,
    progress: Callable[[str], None] | None = None,
) -> Assessment:
    """Run every check, evaluate every requirement, and store the run with one result per requirement of
    `framework` (all frameworks when None). Nonconformities follow the failed checks."""
    started = timezone.now()
    clock = time.perf_counter()
    outcomes = engine.run_checks(progress)
    cat = engine.Catalogue.load()
    evaluations = engine.evaluate_all(cat, outcomes, timezone.localdate())
    in_scope = [
        rid for rid, row in cat.rows.items() if framework is None or row["framework__slug"] == framework.slug
    ]
    summary = _summary(cat, evaluations, in_scope)
    summary["seconds"] = round(time.perf_counter() - clock, 3)
    summary["check_seconds"] = round(sum(o.seconds for o in outcomes.values()), 3)
    summary["checks"] = len(outcomes)
    summary["check_errors"] = sum(1 for o in outcomes.values() if o.error)
    with transaction.atomic():
        # The actor chooses the framework; everything else is what the run found.
        assessment = core_services.record_create(
            model=Assessment,
            data={"framework": framework},
            derived={
                "trigger": trigger,
                "started_at": started,
                "finished_at": timezone.now(),
                "catalogue_digest": _digest(),
                "summary": summary,
                "check_outcomes": {cid: o.as_dict() for cid, o in outcomes.items()},
            },
            actor=actor,
        )
        # One change-log entry per result, written together; the results themselves are the evidence (and
        # never change), so the entries leave their values out.
        core_services.record_bulk_create(
            model=Result,
            instances=[
                Result(
                    assessment=assessment,
                    requirement_id=rid,
                    status=evaluations[rid].status,
                    message=evaluations[rid].message[:4000],
                    figures=evaluations[rid].figures,
                    evidence=evaluations[rid].evidence,
                    gaps=evaluations[rid].gaps,
                    checks=evaluations[rid].checks,
                    attestation_id=evaluations[rid].attestation_id,
                    via_crosswalk=evaluations[rid].via_crosswalk[:300],
                )
                for rid in in_scope
            ],
            actor=actor,
            message=_("Result of assessment %(ref)s") % {"ref": assessment.reference},
            validate_rows=False,
            with_changes=False,
        )
        nonconformities_follow(assessment=assessment, evaluations=evaluations, in_scope=in_scope, actor=actor)
    return assessment


def _digest() -> str:
    try:
        return catalogue.catalogue_digest()
    except OSError:
        return ""


def _summary(cat: engine.Catalogue, evaluations: dict, in_scope: list[int]) -> dict[str, Any]:
    """Counts per framework and status, and per framework the four outcomes people read: met, failed
    (not met or partly met: evidence shows a shortfall), no evidence, not applicable."""
    by_framework: dict[str, dict[str, int]] = {}
    for rid in in_scope:
        counts = by_framework.setdefault(cat.rows[rid]["framework__slug"], {})
        status = evaluations[rid].status
        counts[status] = counts.get(status, 0) + 1
    outcomes = {slug: selectors.outcomes(counts) for slug, counts in by_framework.items()}
    return {"frameworks": by_framework, "outcomes": outcomes, "requirements": len(in_scope)}


# --- nonconformities ------------------------------------------------------------------------------------


def default_owner() -> Person | None:
    """Who owns a new nonconformity: the person named by SERVITIUM_NONCONFORMITY_OWNER (an e-mail address),
    else the first person whose login holds the conformity-manager role."""
    email = getattr(settings, "SERVITIUM_NONCONFORMITY_OWNER", "")
    if email:
        person = Person.objects.filter(email__iexact=email, active=True).first()
        if person:
            return person
    for person in Person.objects.filter(active=True, user__isnull=False).select_related("user"):
        if "conformity-manager" in (person.user.roles or []):
            return person
    return None


def nonconformities_follow(
    *, assessment: Assessment, evaluations: dict[int, engine.Evaluation], in_scope: list[int], actor: Any
) -> list[Nonconformity]:
    """One open nonconformity per requirement and failing check: open it when new, note the assessment
    that saw it again otherwise."""
    failing = [
        (rid, check) for rid in in_scope for check in evaluations[rid].checks if check["status"] == NOT_MET
    ]
    if not failing:
        return []
    # Locked while the run decides: a nonconformity closed meanwhile is not marked as seen again.
    open_ncs = {
        (nc.requirement_id, nc.check_id): nc
        for nc in Nonconformity.objects.select_for_update(of=("self",))
        .select_related("requirement")
        .filter(status=Nonconformity.State.OPEN)
    }
    new, seen = [], {}
    for rid, check in failing:
        known = open_ncs.get((rid, check["id"]))
        if known is None:
            new.append((rid, check))
        else:
            seen[known.pk] = known
    _seen_again(list(seen.values()), assessment=assessment, actor=actor)
    owner = default_owner() if new else None
    created = []
    for rid, check in new:
        created.append(
            core_services.create_in_transaction(
                model=Nonconformity,
                data={},
                derived={
                    "requirement_id": rid,
                    "check_id": check["id"],
                    "description": check["message"][:2000] or check["id"],
                    "owner": owner,
                    "opened_in": assessment,
                    "last_seen_in": assessment,
                },
                actor=actor,
            )
        )
    return created


def _seen_again(ncs: list[Nonconformity], *, assessment: Assessment, actor: Any) -> None:
    """Note the assessment that saw each failure again (a corrective action must outlive it). A value no
    actor typed, on the assessment's path: one UPDATE for all, one change-log entry each."""
    core_services.record_bulk_update(instances=ncs, derived={"last_seen_in": assessment}, actor=actor)


def nonconformity_delete(*, actor: Any, instance: Nonconformity) -> None:
    """Nonconformities are audit evidence: they are closed, never deleted. (The declaration gives no
    provider role the delete action; this keeps superusers from deleting them too.)"""
    raise ApplicationError(
        _("A nonconformity is kept as evidence; close it instead of deleting it."), code="kept_as_evidence"
    )


@transaction.atomic
def nonconformity_transition(
    *, actor: Any, instance: Nonconformity, transition: str, note: str = "", data: dict | None = None
) -> Nonconformity:
    """Close a nonconformity once its corrective action is recorded and verified by a newer passing check."""
    nc = Nonconformity.objects.select_for_update().get(pk=instance.pk)
    step = NONCONFORMITY_WORKFLOW.get(transition)
    given = {f: str(data[f]) for f in ("cause", "corrective_action") if data and data.get(f) is not None}
    stored = {f: getattr(nc, f) for f in given}
    for name, value in given.items():
        setattr(nc, name, value)
    if nc.status in step.sources:
        missing = [f for f in step.needs if not (getattr(nc, f) or "").strip()]
        if missing:
            raise ValidationError({f: [_("Needed to close the nonconformity.")] for f in missing})
    NONCONFORMITY_WORKFLOW.check(nc, nc.status, transition)
    extra: dict[str, Any] = dict(given)
    if step.name == "close" and nc.check_id:
        extra["closed_in"] = selectors.check_passed_since(nc).assessment
    for name, value in stored.items():  # the change log's "before" is what was stored
        setattr(nc, name, value)
    return core_services.record_transition(
        instance=nc,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )
