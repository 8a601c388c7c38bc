"""Writes of risk management: the matrix (and which one is active), risks with their scores, their
lifecycle and reviews, the treatment actions, and the daily flagging of overdue reviews. Every write goes
through the audited core services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import services as core_services
from servitium.core.errors import TransitionNotAllowed

from .lifecycle import ACTION_WORKFLOW, RISK_WORKFLOW
from .models import Risk, RiskAction, RiskMatrix
from .selectors import DEFAULT_MATRIX

# Fields a risk transition may carry (`{"transition": "treat", "treatment_option": "accept", ...}`).
TRANSITION_FIELDS = ("treatment_option", "acceptance_reason", "residual_likelihood", "residual_impact")


# --- the matrix -----------------------------------------------------------------------------------------


def matrix_ensure(*, actor: Any = None) -> RiskMatrix:
    """The active matrix, storing the default 5 x 5 one the first time a risk is scored."""
    found = RiskMatrix.objects.filter(active=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            name = DEFAULT_MATRIX["name"]
            if RiskMatrix.objects.filter(name=name).exists():
                stored = RiskMatrix.objects.get(name=name)
                return matrix_activate(actor=actor, instance=stored)
            return core_services.record_create(model=RiskMatrix, data={}, derived=DEFAULT_MATRIX, actor=actor)
    except IntegrityError:  # another request stored it at the same moment
        return RiskMatrix.objects.get(active=True)


@transaction.atomic
def matrix_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> RiskMatrix:
    """Record a matrix (inactive until activated; the first one becomes active at once)."""
    derived = dict(derived or {})
    if not RiskMatrix.objects.filter(active=True).exists():
        derived["active"] = True
    matrix = core_services.record_create(model=RiskMatrix, data=data, actor=actor, m2m=m2m, derived=derived)
    if matrix.active:
        risks_rescore(actor=actor, matrix=matrix)
    return matrix


@transaction.atomic
def matrix_update(
    *, actor: Any, instance: RiskMatrix, data: dict[str, Any], m2m: dict | None = None
) -> RiskMatrix:
    """Change a matrix; when it is the active one, every risk is scored again on it (levels a risk uses
    must stay)."""
    matrix = core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)
    if matrix.active:
        _check_levels_kept(matrix)
        risks_rescore(actor=actor, matrix=matrix)
    return matrix


@transaction.atomic
def matrix_activate(*, actor: Any, instance: RiskMatrix) -> RiskMatrix:
    """Make this matrix the active one (the previous one is kept, inactive) and score every risk on it."""
    matrix = RiskMatrix.objects.select_for_update().get(pk=instance.pk)
    if matrix.active:
        return matrix
    for previous in RiskMatrix.objects.select_for_update().filter(active=True):
        core_services.record_update(instance=previous, data={}, derived={"active": False}, actor=actor)
    matrix = core_services.record_update(instance=matrix, data={}, derived={"active": True}, actor=actor)
    _check_levels_kept(matrix)
    risks_rescore(actor=actor, matrix=matrix)
    return matrix


@transaction.atomic
def matrix_delete(*, actor: Any, instance: RiskMatrix) -> None:
    """Delete a matrix that is not in force (the active one scores every risk)."""
    if instance.active:
        raise ValidationError(
            _("The active matrix scores the register; activate another one before deleting it.")
        )
    core_services.record_delete(instance=instance, actor=actor)


def _check_levels_kept(matrix: RiskMatrix) -> None:
    likelihoods, impacts = set(matrix.likelihood_values()), set(matrix.impact_values())
    for risk in Risk.objects.only("reference", *_LEVEL_FIELDS):
        for name in _LEVEL_FIELDS:
            value = getattr(risk, name)
            allowed = likelihoods if "likelihood" in name else impacts
            if value is not None and value not in allowed:
                field = "likelihood_levels" if "likelihood" in name else "impact_levels"
                raise ValidationError(
                    {
                        field: [
                            _("%(ref)s uses level %(v)s, which this matrix lacks.")
                            % {"ref": risk.reference, "v": value}
                        ]
                    }
                )


_LEVEL_FIELDS = ("likelihood", "impact", "residual_likelihood", "residual_impact")


def risks_rescore(*, actor: Any, matrix: RiskMatrix) -> int:
    """Score and band every risk again on `matrix`; those whose figures change get one change-log entry."""
    changed = 0
    for risk in Risk.objects.all():
        derived = _scores(matrix, {n: getattr(risk, n) for n in _LEVEL_FIELDS})
        if any(getattr(risk, k) != v for k, v in derived.items()):
            core_services.record_bulk_update(
                instances=[risk], derived=derived, actor=actor, message=_("Scored on %(m)s") % {"m": matrix}
            )
            changed += 1
    return changed


# --- risks ----------------------------------------------------------------------------------------------


def _level(value: Any, allowed: list[int], field: str, labels: list[dict]) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number not in allowed:
        known = ", ".join(f"{level['value']} ({level['label']})" for level in labels)
        raise ValidationError({field: [_("Choose one of the matrix levels: %(known)s.") % {"known": known}]})
    return number


def _scores(matrix: RiskMatrix, values: dict[str, Any]) -> dict[str, Any]:
    """Score and band of the inherent and the residual assessment, from the matrix."""
    likelihood = _level(
        values.get("likelihood"), matrix.likelihood_values(), "likelihood", matrix.likelihood_levels
    )
    impact = _level(values.get("impact"), matrix.impact_values(), "impact", matrix.impact_levels)
    r_likelihood = _level(
        values.get("residual_likelihood"),
        matrix.likelihood_values(),
        "residual_likelihood",
        matrix.likelihood_levels,
    )
    r_impact = _level(
        values.get("residual_impact"), matrix.impact_values(), "residual_impact", matrix.impact_levels
    )
    score = likelihood * impact if likelihood is not None and impact is not None else None
    residual = r_likelihood * r_impact if r_likelihood is not None and r_impact is not None else None
    band, r_band = matrix.band_for(score), matrix.band_for(residual)
    return {
        "score": score,
        "band": band["name"] if band else "",
        "residual_score": residual,
        "residual_band": r_band["name"] if r_band else "",
    }


def _current(instance: Risk | None, data: dict[str, Any], derived: dict[str, Any]) -> dict[str, Any]:
    values = {n: getattr(instance, n) for n in _LEVEL_FIELDS} if instance is not None else {}
    values.update({k: v for k, v in {**derived, **data}.items() if k in _LEVEL_FIELDS})
    return values


@transaction.atomic
def risk_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> Risk:
    """Record a risk or an opportunity; its score and band follow from the active matrix."""
    matrix = matrix_ensure(actor=actor)
    derived = dict(derived or {})
    derived.update(_scores(matrix, _current(None, data, derived)))
    return core_services.record_create(model=Risk, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def risk_update(
    *, actor: Any, instance: Risk, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> Risk:
    """Change a risk's fields; new likelihood or impact values score it again. A closed risk is kept as
    it was (reopen it first)."""
    if instance.status == Risk.Status.CLOSED:
        raise TransitionNotAllowed(_("A closed risk is kept as it was; reopen it first."))
    derived = dict(derived or {})
    if set(_LEVEL_FIELDS) & {*data, *derived}:
        derived.update(_scores(matrix_ensure(actor=actor), _current(instance, data, derived)))
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m, derived=derived)


def _next_review(risk: Risk, today: dt.date) -> dt.date:
    return today + dt.timedelta(days=matrix_ensure().review_interval_days)


@transaction.atomic
def risk_transition(
    *,
    actor: Any,
    instance: Risk,
    transition: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Risk:
    """Move a risk along its lifecycle. The transition may carry the treatment option, the reason for
    accepting, and the residual assessment (written first, as an update, so the guards see them)."""
    now = now or timezone.now()
    step = RISK_WORKFLOW.get(transition)
    risk = Risk.objects.select_for_update().get(pk=instance.pk)
    given = {f: data[f] for f in TRANSITION_FIELDS if data and data.get(f) not in (None, "")}
    unknown = sorted(set(data or {}) - set(TRANSITION_FIELDS))
    if unknown:
        raise ValidationError({name: [_("A transition does not carry this field.")] for name in unknown})
    if given and risk.status in step.sources:
        risk = risk_update(actor=actor, instance=risk, data=given)
    RISK_WORKFLOW.check(risk, risk.status, transition)
    extra: dict[str, Any] = {}
    today = timezone.localdate(now)
    if step.name == "assess" and risk.review_date is None:
        extra["review_date"] = _next_review(risk, today)
    elif step.name == "close":
        extra.update({"closed_at": now, "review_overdue": False})
    elif step.name == "reopen":
        extra.update({"closed_at": None, "review_date": _next_review(risk, today)})
    return core_services.record_transition(
        instance=risk,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )


@transaction.atomic
def risk_review(
    *,
    actor: Any,
    instance: Risk,
    note: str = "",
    next_review: dt.date | None = None,
    today: dt.date | None = None,
) -> Risk:
    """Record that the risk was reviewed today: the next review date moves on (by the matrix's interval
    unless given) and the overdue flag clears."""
    if instance.status == Risk.Status.CLOSED:
        raise TransitionNotAllowed(_("A closed risk is not reviewed; reopen it first."))
    today = today or timezone.localdate()
    if next_review is not None and next_review <= today:
        raise ValidationError({"next_review": [_("The next review must be after today.")]})
    derived = {
        "last_reviewed": today,
        "review_date": next_review or _next_review(instance, today),
        "review_overdue": False,
    }
    risk = core_services.record_update(instance=instance, data={}, derived=derived, actor=actor)
    if note.strip():
        author = actor if getattr(actor, "is_authenticated", False) else None
        core_services.comment_store(
            target=risk,
            body=_("Review: %(note)s") % {"note": note.strip()},
            visibility="internal",
            author=author,
            actor=actor,
        )
    return risk


def risks_flag_overdue(*, actor: Any = None, today: dt.date | None = None) -> dict[str, list[str]]:
    """Flag open risks whose review date has passed; clear the flag where it no longer applies (reviewed,
    closed, moved). Returns the references flagged and cleared."""
    today = today or timezone.localdate()
    open_risks = Risk.objects.exclude(status=Risk.Status.CLOSED)
    late = list(open_risks.filter(review_date__lt=today, review_overdue=False))
    stale = list(
        Risk.objects.filter(review_overdue=True).exclude(
            pk__in=open_risks.filter(review_date__lt=today).values("pk")
        )
    )
    with transaction.atomic():
        core_services.record_bulk_update(
            instances=late, derived={"review_overdue": True}, actor=actor, message=_("Review date passed")
        )
        core_services.record_bulk_update(
            instances=stale, derived={"review_overdue": False}, actor=actor, message=_("No longer overdue")
        )
    return {"flagged": [r.reference for r in late], "cleared": [r.reference for r in stale]}


# --- treatment actions ------------------------------------------------------------------------------------


def _open_risk(risk: Any) -> None:
    if isinstance(risk, Risk) and risk.status == Risk.Status.CLOSED:
        raise ValidationError({"risk": [_("The risk is closed; reopen it before planning actions.")]})


@transaction.atomic
def action_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> RiskAction:
    """Plan a treatment action on an open risk."""
    _open_risk(data.get("risk") or (derived or {}).get("risk"))
    return core_services.record_create(model=RiskAction, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def action_update(
    *, actor: Any, instance: RiskAction, data: dict[str, Any], m2m: dict | None = None
) -> RiskAction:
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def action_transition(
    *,
    actor: Any,
    instance: RiskAction,
    transition: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    today: dt.date | None = None,
) -> RiskAction:
    """Start, complete (stamping the day; the outcome may come with it), cancel or reopen an action."""
    action = RiskAction.objects.select_for_update().get(pk=instance.pk)
    step = ACTION_WORKFLOW.check(action, action.status, transition)
    extra: dict[str, Any] = {}
    if step.name == "complete":
        extra["completed_on"] = today or timezone.localdate()
        outcome = str((data or {}).get("outcome") or "").strip()
        if outcome:
            extra["outcome"] = outcome
    elif step.name == "reopen":
        extra["completed_on"] = None
    return core_services.record_transition(
        instance=action,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )
