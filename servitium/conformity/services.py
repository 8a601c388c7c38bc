"""Writes of the conformity engine: assessment runs with their results, and the nonconformities failed
checks open in the improvement register (attestations
and plan items use the generic audited services). Every write leaves one change-log entry per record."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import services as core_services
from servitium.core.checks import MET, NOT_MET
from servitium.improvement import selectors as improvement_selectors
from servitium.improvement import services as improvement_services
from servitium.improvement.models import Nonconformity, SourceKind
from servitium.parties.models import Person

from . import catalogue, engine, selectors
from .models import Assessment, Framework, Result

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
        nonconformities_follow(
            assessment=assessment, evaluations=evaluations, in_scope=in_scope, actor=actor, cat=cat
        )
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
    *,
    assessment: Assessment,
    evaluations: dict[int, engine.Evaluation],
    in_scope: list[int],
    actor: Any,
    cat: engine.Catalogue,
) -> list[Nonconformity]:
    """One open nonconformity per requirement and failing check, in the improvement register: opened when
    new (source: this assessment), noted as seen again otherwise. A finding whose corrective actions are
    done and whose check passes in this run gets its effectiveness check recorded, the run being the
    evidence; people close it."""
    keys = {rid: cat.rows[rid]["key"] for rid in in_scope}
    failing, passing = [], set()
    for rid in in_scope:
        for check in evaluations[rid].checks:
            if check["status"] == NOT_MET:
                failing.append((rid, check))
            elif check["status"] == MET:
                passing.add((keys[rid], check["id"]))
    # Locked while the run decides: a nonconformity closed meanwhile is not marked as seen again.
    open_ncs = improvement_selectors.open_check_findings(lock=True)
    new, seen = [], {}
    for rid, check in failing:
        known = open_ncs.get((keys[rid], check["id"]))
        if known is None:
            new.append((rid, check))
        else:
            seen[known.pk] = known
    if seen:
        improvement_services.nonconformities_seen_again(
            ncs=list(seen.values()), seen_in=assessment.reference, actor=actor
        )
    owner = default_owner() if new else None
    created = [
        improvement_services.nonconformity_open(
            kind=SourceKind.ASSESSMENT,
            source=assessment,
            description=check["message"][:2000] or check["id"],
            requirement=keys[rid],
            check_id=check["id"],
            owner=owner,
            actor=actor,
        )
        for rid, check in new
    ]
    for (key, check_id), nc in open_ncs.items():
        if (key, check_id) in passing and nc.status == Nonconformity.Status.ACTION_DONE:
            method = _("Check %(check)s passed again in assessment %(ref)s.") % {
                "check": check_id,
                "ref": assessment.reference,
            }
            improvement_services.nonconformity_transition(
                actor=actor, instance=nc, transition="effective", data={"effectiveness_method": method}
            )
    return created
