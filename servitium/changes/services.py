"""Writes of change management: requests for change and their lifecycle, approvals (change manager, CAB
quorum, emergency board, retrospective review), planned configuration updates applied on completion, and
the policy. Every write goes through the audited core services, in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.cmdb import services as cmdb_services
from servitium.core import permissions
from servitium.core import services as core_services
from servitium.core.errors import ConflictError, NotPermitted, TransitionNotAllowed

from . import lifecycle as L
from . import selectors
from .models import (
    AREA,
    Authority,
    Category,
    Change,
    ChangeAdvisoryBoard,
    ChangeApproval,
    ChangeConfigurationUpdate,
    ChangePolicy,
)

# What was assessed and approved stays as it was once the change is approved.
FIXED_ONCE_APPROVED = ("category", "change_type", "template", "affected_cis", "affected_services")


# --- policy ----------------------------------------------------------------------------------------------


@transaction.atomic
def policy_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> ChangePolicy:
    """Record a change management policy; an active new policy replaces the one active before."""
    if data.get("active", True):
        _deactivate_others(actor, None)
    return core_services.record_create(model=ChangePolicy, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def policy_update(
    *, actor: Any, instance: ChangePolicy, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> ChangePolicy:
    if data.get("active"):
        _deactivate_others(actor, instance.pk)
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


def _deactivate_others(actor: Any, keep: int | None) -> None:
    for policy in ChangePolicy.objects.filter(active=True).exclude(pk=keep):
        core_services.record_update(instance=policy, data={"active": False}, actor=actor)


# --- requests for change ---------------------------------------------------------------------------------


@transaction.atomic
def change_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> Change:
    """Record a request for change (a draft). Without services named, the services behind its CIs (by the
    CMDB's impact analysis) are filled in."""
    m2m = dict(m2m or {})
    cis = [getattr(c, "pk", c) for c in m2m.get("affected_cis") or ()]
    if cis and not m2m.get("affected_services"):
        m2m["affected_services"] = selectors.suggested_services(cis)
    change = core_services.record_create(model=Change, data=data, actor=actor, m2m=m2m)
    _link_problem(actor, change)
    return change


@transaction.atomic
def change_update(
    *, actor: Any, instance: Change, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> Change:
    """Change the request's fields; an ended change is kept as it was, an approved one keeps its scope."""
    if instance.status in L.ENDED:
        raise TransitionNotAllowed(
            _("A %(status)s change is kept as it was.") % {"status": instance.get_status_display()}
        )
    if instance.status in L.APPROVED_OR_LATER:
        altered = [name for name in FIXED_ONCE_APPROVED if _alters(instance, name, data, m2m or {})]
        if altered:
            raise ValidationError(
                {
                    name: [_("Fixed once the change is approved; raise a new change to alter its scope.")]
                    for name in altered
                }
            )
    change = core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)
    if "problem" in data:
        _link_problem(actor, change)
    return change


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _alters(change: Change, name: str, data: dict[str, Any], m2m: dict[str, Any]) -> bool:
    """Would writing `name` change what is stored (forms send every field, changed or not)?"""
    if name in m2m:
        stored = set(getattr(change, name).values_list("pk", flat=True))
        return {_pk(v) for v in m2m[name]} != stored
    if name in data:
        field = Change._meta.get_field(name)
        return _pk(data[name]) != getattr(change, field.attname)
    return False


def _link_problem(actor: Any, change: Change) -> None:
    """A change raised from a problem is named on the problem (its RFC reference), when that is still free."""
    problem = change.problem
    if problem is None or problem.change_reference or not problem.is_open:
        return
    if actor is not None and not permissions.can(actor, permissions.CHANGE, problem):
        return  # the link stands on the change; the problem's own field is its manager's to fill
    from servitium.problems import services as problem_services

    problem_services.problem_update(
        actor=actor, instance=problem, data={}, derived={"change_reference": change.reference}
    )


def change_delete(*, actor: Any, instance: Change) -> None:
    if instance.status != L.DRAFT:
        raise TransitionNotAllowed(_("Only a draft change can be deleted; cancel it instead."))
    core_services.record_delete(instance=instance, actor=actor)


def _parse_transition_data(data: dict[str, Any] | None) -> dict[str, Any]:
    given: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in (data or {}).items():
        kind = L.TRANSITION_FIELDS.get(name)
        if kind is None:
            errors[name] = [
                _("Not accepted by a transition; known: %(known)s.")
                % {"known": ", ".join(L.TRANSITION_FIELDS)}
            ]
        elif kind is bool:
            if value in (True, "true", "True", "1", 1):
                given[name] = True
            elif value in (False, "false", "False", "0", 0):
                given[name] = False
            else:
                errors[name] = [_("Must be true or false.")]
        elif value is None or isinstance(value, dict | list):
            errors[name] = [_("Must be text.")]
        else:
            given[name] = str(value)
    if errors:
        raise ValidationError(errors)
    return given


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _needed(change: Change, name: str) -> list[str]:
    """Input fields the transition still lacks (-> 400 naming them)."""
    needed = list(L.CHANGE_WORKFLOW.get(name).needs)
    if name == "review" and change.outcome in L.UNSUCCESSFUL:
        needed += ["investigation_cause", "investigation_actions"]
    return [f for f in needed if _blank(getattr(change, f))]


@transaction.atomic
def change_transition(
    *, actor: Any, instance: Change, transition: str, note: str = "", data: dict[str, Any] | None = None
) -> Change:
    """Move a change along its lifecycle with the rules of the policy (see lifecycle.py)."""
    change = Change.objects.select_for_update().get(pk=instance.pk)
    step = L.CHANGE_WORKFLOW.get(transition)
    given = _parse_transition_data(data)
    stored = {f: getattr(change, f) for f in given}
    for name, value in given.items():
        setattr(change, name, value)
    if change.status in step.sources:
        missing = _needed(change, step.name)
        if missing:
            raise ValidationError(
                {f: [_("Needed to %(step)s.") % {"step": str(step.label).lower()}] for f in missing}
            )
    L.CHANGE_WORKFLOW.check(change, change.status, transition)
    extra: dict[str, Any] = dict(given)
    rule = RULES.get(step.name)
    if rule is not None:
        extra.update(rule(actor, change, given) or {})
    for name, value in stored.items():  # the change log's "before" is what was stored
        setattr(change, name, value)
    change = core_services.record_transition(
        instance=change,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )
    if step.name == "submit" and change.category == Category.STANDARD:
        change = core_services.record_transition(
            instance=change,
            actor=actor,
            field="status",
            target=L.APPROVED,
            message=_("Pre-approved standard change (template %(t)s)") % {"t": change.template},
            extra={"approved_at": timezone.now()},
        )
    return change


def _on_submit(actor: Any, change: Change, given: dict) -> dict[str, Any]:
    policy = selectors.active_policy()
    extra: dict[str, Any] = {"submitted_at": timezone.now()}
    if change.category == Category.STANDARD:
        _check_standard(change)
    elif change.category == Category.MAJOR:
        extra["routed_to_design"] = True
    elif change.category == Category.NORMAL:
        reasons = selectors.major_reasons(change, policy)
        if reasons:
            raise TransitionNotAllowed(
                _(
                    "This change has potentially major impact (%(why)s): raise it as a major change, which "
                    "goes through service design and transition."
                )
                % {"why": "; ".join(reasons)},
                code="major_change",
            )
    if change.category != Category.STANDARD and policy is None:
        raise TransitionNotAllowed(
            _("No change management policy is active: it says who approves changes. Record one first."),
            code="no_policy",
        )
    return extra


def _check_standard(change: Change) -> None:
    template = change.template
    if template is None or not template.active:
        raise ValidationError(
            {"template": [_("A standard change needs an active standard change template.")]}
        )
    allowed = set(template.allowed_ci_types.values_list("pk", flat=True))
    if allowed:
        outside = [ci.reference for ci in change.affected_cis.all() if ci.ci_type_id not in allowed]
        if outside:
            raise ValidationError(
                {
                    "affected_cis": [
                        _("The template %(t)s does not cover the CI types of %(cis)s; raise a normal change.")
                        % {"t": template.name, "cis": ", ".join(outside)}
                    ]
                }
            )


def _on_approve(actor: Any, change: Change, given: dict) -> dict[str, Any]:
    policy = selectors.active_policy()
    authority, board, quorum = approval_route(change, policy)
    if authority != Authority.MANAGER:
        approvals, rejections = _tally(change)
        if rejections or approvals < quorum:
            raise TransitionNotAllowed(
                _(
                    "This change is approved by %(board)s: %(n)d of %(q)d approvals recorded. Members record "
                    "their decisions under approvals/."
                )
                % {"board": board or authority, "n": approvals, "q": quorum},
                code="needs_board",
            )
    _check_blackout(change, given)
    return {"approved_at": timezone.now()}


def _check_blackout(change: Change, given: dict) -> None:
    blackouts = selectors.blackouts_for(change)
    if blackouts and not (change.blackout_override_reason or "").strip():
        raise TransitionNotAllowed(
            _("%(why)s Approving it needs an explicit override: give blackout_override_reason.")
            % {"why": " ".join(b.message for b in blackouts)},
            code="blackout",
        )


def _on_implement(actor: Any, change: Change, given: dict) -> dict[str, Any]:
    extra: dict[str, Any] = {"actual_start": timezone.now()}
    if change.status == L.SUBMITTED and change.category == Category.EMERGENCY:
        extra["retrospective_review_required"] = True
    return extra


def _on_complete(actor: Any, change: Change, given: dict) -> dict[str, Any]:
    apply_configuration_updates(actor=actor, change=change)
    return {"actual_end": timezone.now(), "outcome": Change.Outcome.SUCCESSFUL}


def _on_unsuccessful(outcome: str):
    def rule(actor: Any, change: Change, given: dict) -> dict[str, Any]:
        return {"actual_end": timezone.now(), "outcome": outcome}

    return rule


def _on_revise(actor: Any, change: Change) -> dict[str, Any]:
    """A revised change is decided afresh: the earlier round's decisions go (the change log keeps them)."""
    for approval in change.approvals.all():
        core_services.record_delete(instance=approval, actor=actor)
    return {"submitted_at": None}


RULES = {
    "submit": _on_submit,
    "approve": _on_approve,
    "implement": _on_implement,
    "complete": _on_complete,
    "fail": _on_unsuccessful(Change.Outcome.FAILED),
    "back_out": _on_unsuccessful(Change.Outcome.BACKED_OUT),
    "review": lambda actor, change, given: {"reviewed_at": timezone.now()},
    "close": lambda actor, change, given: {"closed_at": timezone.now()},
    "cancel": lambda actor, change, given: {"closed_at": timezone.now()},
    "revise": lambda actor, change, given: _on_revise(actor, change),
}


# --- approvals -------------------------------------------------------------------------------------------


def approval_route(
    change: Change, policy: ChangePolicy | None
) -> tuple[str | None, ChangeAdvisoryBoard | None, int]:
    """Who decides on this change under the policy: (authority, board, approvals needed)."""
    if policy is None:
        return Authority.MANAGER, None, 1
    authority = policy.authority_for(change.category)
    if authority == Authority.CAB:
        return authority, policy.cab, policy.cab.quorum if policy.cab else 1
    if authority == Authority.ECAB:
        board = policy.emergency_board
        return authority, board, board.quorum if board else 1
    return authority, None, 1


def _tally(change: Change) -> tuple[int, int]:
    decisions = list(change.approvals.values_list("decision", flat=True))
    return decisions.count(ChangeApproval.Decision.APPROVE), decisions.count(ChangeApproval.Decision.REJECT)


def may_decide(user: Any, change: Change, policy: ChangePolicy | None = None) -> bool:
    policy = policy if policy is not None else selectors.active_policy()
    authority, board, _quorum = approval_route(change, policy)
    if authority is None:
        return False
    if authority == Authority.MANAGER or board is None:
        return permissions.area_allows(user, AREA, L.APPROVE_ACTION)
    return board.members.filter(user=user).exists()


def decidable_by(user: Any, changes: QuerySet[Change]) -> QuerySet[Change]:
    """Changes waiting for a decision this user may record (and has not recorded yet)."""
    policy = selectors.active_policy()
    if policy is None or not getattr(user, "is_authenticated", False):
        return changes.none()
    allowed = Q(pk__in=[])
    for category in (Category.NORMAL, Category.MAJOR, Category.EMERGENCY):
        probe = Change(category=category)
        if may_decide(user, probe, policy):
            allowed |= Q(category=category)
    waiting = Q(status=L.SUBMITTED) | Q(retrospective_review_required=True)
    return changes.filter(allowed & waiting).exclude(approvals__approver=user)


@transaction.atomic
def change_approval_record(
    *, actor: Any, change: Change, decision: str, comment: str = "", blackout_override_reason: str = ""
) -> ChangeApproval:
    """An approver records a decision. Enough approvals with no rejection approve the change, a rejection
    rejects it; for an emergency change already implemented, the decision is its retrospective review."""
    change = Change.objects.select_for_update().get(pk=change.pk)
    if decision not in ChangeApproval.Decision.values:
        raise ValidationError(
            {"decision": [_("One of %(d)s.") % {"d": ", ".join(ChangeApproval.Decision.values)}]}
        )
    retrospective = change.retrospective_review_required
    if change.status != L.SUBMITTED and not retrospective:
        raise TransitionNotAllowed(
            _(
                "Decisions are recorded on submitted changes (or emergency changes awaiting review); "
                "this one is %(s)s."
            )
            % {"s": change.get_status_display()},
            code="not_awaiting_decision",
        )
    policy = selectors.active_policy()
    authority, board, quorum = approval_route(change, policy)
    if authority is None:
        raise TransitionNotAllowed(_("Standard changes are pre-approved."), code="not_awaiting_decision")
    if not may_decide(actor, change, policy):
        raise NotPermitted(
            _("Only members of %(who)s decide on this change.") % {"who": board or _("the change managers")}
        )
    if change.approvals.filter(approver=actor).exists():
        raise ConflictError(
            _("You have already recorded your decision on this change."), code="already_decided"
        )
    try:
        with transaction.atomic():
            approval = core_services.record_create(
                model=ChangeApproval,
                data={"decision": decision, "comment": comment},
                derived={
                    "change": change,
                    "approver": actor,
                    "board": board,
                    "decided_at": timezone.now(),
                    "retrospective": retrospective,
                },
                actor=actor,
            )
    except IntegrityError:
        raise ConflictError(
            _("You have already recorded your decision on this change."), code="already_decided"
        ) from None
    _conclude(actor, change, quorum, retrospective, blackout_override_reason)
    return approval


def _conclude(actor: Any, change: Change, quorum: int, retrospective: bool, override: str) -> None:
    approvals, rejections = _tally(change)
    if retrospective:
        if rejections or approvals >= quorum:
            verdict = ChangeApproval.Decision.REJECT if rejections else ChangeApproval.Decision.APPROVE
            core_services.record_update(
                instance=change,
                data={},
                derived={"retrospective_review_required": False, "retrospective_decision": verdict},
                actor=actor,
            )
        return
    if rejections:
        change_transition(
            actor=actor, instance=change, transition="reject", note=_("Rejected by an approver")
        )
    elif approvals >= quorum:
        data = {"blackout_override_reason": override} if override else None
        try:
            with transaction.atomic():
                change_transition(
                    actor=actor, instance=change, transition="approve", note=_("Quorum reached"), data=data
                )
        except TransitionNotAllowed:
            # e.g. inside a blackout window: the decisions stand; a change manager approves with an override.
            pass


# --- planned configuration updates ---------------------------------------------------------------------


def _check_update(change: Change, ci: Any) -> None:
    if change.status not in (L.DRAFT, L.SUBMITTED, L.APPROVED, L.IMPLEMENTING):
        raise TransitionNotAllowed(
            _("Configuration updates are planned before the change completes; this one is %(s)s.")
            % {"s": change.get_status_display()}
        )
    if not change.affected_cis.filter(pk=ci.pk).exists():
        raise ValidationError({"ci": [_("%(ci)s is not among the change's affected CIs.") % {"ci": ci}]})


@transaction.atomic
def configuration_update_create(
    *, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> ChangeConfigurationUpdate:
    _check_update(data["change"], data["ci"])
    return core_services.record_create(model=ChangeConfigurationUpdate, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def configuration_update_update(
    *,
    actor: Any,
    instance: ChangeConfigurationUpdate,
    data: dict[str, Any],
    m2m: dict[str, Any] | None = None,
) -> ChangeConfigurationUpdate:
    if instance.applied_at is not None:
        raise TransitionNotAllowed(_("This update has been applied already."))
    _check_update(data.get("change", instance.change), data.get("ci", instance.ci))
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


def configuration_update_delete(*, actor: Any, instance: ChangeConfigurationUpdate) -> None:
    if instance.applied_at is not None:
        raise TransitionNotAllowed(_("An applied update stays on record."))
    core_services.record_delete(instance=instance, actor=actor)


def apply_configuration_updates(*, actor: Any, change: Change) -> list[ChangeConfigurationUpdate]:
    """Update the configuration records as planned, through the CMDB's own service (so each update is in
    the CI's change log). Any update the CMDB refuses stops the completion, naming the CI."""
    pending = list(change.configuration_updates.filter(applied_at=None).select_related("ci", "ci__ci_type"))
    now = timezone.now()
    for update in pending:
        ci = update.ci
        if update.field == ChangeConfigurationUpdate.Field.ATTRIBUTE:
            ci.refresh_from_db(fields=["attributes"])
            data = {"attributes": {**(ci.attributes or {}), update.attribute: update.new_value}}
        else:
            data = {update.field: update.new_value}
        try:
            cmdb_services.ci_update(actor=actor, instance=ci, data=data, change=change)
        except ValidationError as exc:
            raise ValidationError(
                {"configuration_updates": [f"{ci.reference}: {m}" for m in exc.messages]}
            ) from None
        core_services.record_update(instance=update, data={}, derived={"applied_at": now}, actor=actor)
    return pending


def boards_of(user: Any) -> Iterable[ChangeAdvisoryBoard]:
    return ChangeAdvisoryBoard.objects.filter(members__user=user)
