"""Writes of the management system: every create, update and transition, with its rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import indicators
from servitium.core import services as core_services
from servitium.core.approval import refuse_self_approval
from servitium.core.errors import TransitionNotAllowed

from .lifecycle import CONTEXT_WORKFLOW, OBJECTIVE_WORKFLOW, SCOPE_WORKFLOW, SECTION_WORKFLOW
from .models import (
    ContextIssue,
    Objective,
    ObjectiveMeasurement,
    PlanSection,
    ProcessDefinition,
    ProcessRole,
    ScopeStatement,
    SmsPlan,
    SmsSettings,
)
from .models.objectives import Tracking
from .models.plan import PLAN_ITEMS


# --- months ------------------------------------------------------------------------------------------
def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def closed_months(count: int, today: dt.date | None = None) -> list[tuple[dt.date, dt.date]]:
    """The last `count` whole months before this one, oldest first, as [start, end) pairs."""
    this_month = month_start(today or timezone.localdate())
    return [(add_months(this_month, -n), add_months(this_month, -n + 1)) for n in range(count, 0, -1)]


# --- context -----------------------------------------------------------------------------------------
@transaction.atomic
def context_issue_transition(
    *, actor: Any, instance: ContextIssue, transition: str, note: str = "", data: dict | None = None
) -> ContextIssue:
    issue = ContextIssue.objects.select_for_update().get(pk=instance.pk)
    step = CONTEXT_WORKFLOW.check(issue, issue.status, transition)
    return core_services.record_transition(
        instance=issue, actor=actor, field="status", target=step.target, message=note or str(step.label)
    )


# --- scope -------------------------------------------------------------------------------------------
@transaction.atomic
def scope_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> ScopeStatement:
    """A new scope version, a draft authored by the acting user."""
    author = actor if getattr(actor, "is_authenticated", False) else None
    return core_services.record_create(
        model=ScopeStatement, data=data, actor=actor, m2m=m2m, derived={"author": author}
    )


@transaction.atomic
def scope_update(
    *, actor: Any, instance: ScopeStatement, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> ScopeStatement:
    """Only a draft changes; an approved or current scope is changed by writing a new version."""
    if instance.status != ScopeStatement.Status.DRAFT:
        raise TransitionNotAllowed(
            _("Scope %(ref)s is %(status)s; write a new version instead of changing it.")
            % {"ref": instance.reference, "status": instance.get_status_display()}
        )
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def scope_transition(
    *, actor: Any, instance: ScopeStatement, transition: str, note: str = "", data: dict | None = None
) -> ScopeStatement:
    """Approve (by someone other than the author), send back to draft, or make current (the current
    version, if any, becomes superseded)."""
    scope = ScopeStatement.objects.select_for_update().get(pk=instance.pk)
    step = SCOPE_WORKFLOW.check(scope, scope.status, transition)
    extra: dict[str, Any] = {}
    today = timezone.localdate()
    if step.name == "approve":
        refuse_self_approval(
            actor,
            users=[scope.author_id],
            message=_(
                "You wrote scope statement %(ref)s, so you cannot approve it: the approver must be "
                "someone other than the author."
            )
            % {"ref": scope.reference},
        )
        extra = {
            "approved_by": actor if getattr(actor, "is_authenticated", False) else None,
            "approved_on": today,
        }
    elif step.name == "revise":
        extra = {"approved_by": None, "approved_on": None}
    elif step.name == "make_current":
        for old in ScopeStatement.objects.select_for_update().filter(status=ScopeStatement.Status.CURRENT):
            core_services.record_transition(
                instance=old,
                actor=actor,
                field="status",
                target=ScopeStatement.Status.SUPERSEDED,
                message=_("Superseded by %(ref)s") % {"ref": scope.reference},
            )
        extra = {"effective_from": today}
    return core_services.record_transition(
        instance=scope,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )


# --- leadership --------------------------------------------------------------------------------------
def _one_accountable(data: dict[str, Any], instance: ProcessRole | None = None) -> None:
    """The readable form of the database rule: one accountable per process activity."""
    values = {name: data.get(name, getattr(instance, name, None)) for name in ("process", "activity", "raci")}
    if values["raci"] != ProcessRole.Raci.ACCOUNTABLE:
        return
    others = ProcessRole.objects.filter(
        process=values["process"], activity=values["activity"] or "", raci=ProcessRole.Raci.ACCOUNTABLE
    )
    if instance is not None:
        others = others.exclude(pk=instance.pk)
    holder = others.select_related("person").first()
    if holder is not None:
        raise ValidationError(
            {
                "raci": _("%(who)s is already accountable for this activity; exactly one is.")
                % {"who": holder.holder}
            }
        )


@transaction.atomic
def process_role_create(
    *, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> ProcessRole:
    _one_accountable(data)
    return core_services.record_create(model=ProcessRole, data=data, actor=actor)


@transaction.atomic
def process_role_update(
    *, actor: Any, instance: ProcessRole, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> ProcessRole:
    _one_accountable(data, instance)
    return core_services.record_update(instance=instance, data=data, actor=actor)


# --- process register ---------------------------------------------------------------------------------
def _process_next_review(data: dict[str, Any], instance: ProcessDefinition | None = None) -> dict[str, Any]:
    """The next review falls an interval after the last one (none before a first review)."""
    last = data.get("last_reviewed", instance.last_reviewed if instance else None)
    # the field's validators keep the interval within 1-36 months
    interval = data.get("review_interval_months") or (instance.review_interval_months if instance else 12)
    if last and last > timezone.localdate():
        raise ValidationError({"last_reviewed": _("A review cannot have taken place in the future.")})
    return {"next_review": next_review_after(last, interval) if last else None}


@transaction.atomic
def process_definition_create(
    *, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> ProcessDefinition:
    """Add a process to the register; the next review is derived from the last one."""
    return core_services.record_create(
        model=ProcessDefinition, data=data, actor=actor, derived=_process_next_review(data)
    )


@transaction.atomic
def process_definition_update(
    *, actor: Any, instance: ProcessDefinition, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> ProcessDefinition:
    return core_services.record_update(
        instance=instance, data=data, actor=actor, derived=_process_next_review(data, instance)
    )


@transaction.atomic
def settings_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> SmsSettings:
    """The appointments are one record: create it once, then change it."""
    if SmsSettings.objects.exists():
        raise ValidationError(
            {"management_representative": _("The SMS appointments exist already; change that record.")}
        )
    return core_services.record_create(model=SmsSettings, data=data, actor=actor)


def sms_settings() -> SmsSettings | None:
    return SmsSettings.objects.select_related("management_representative").first()


# --- objectives --------------------------------------------------------------------------------------
@transaction.atomic
def objective_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> Objective:
    return core_services.record_create(
        model=Objective, data=data, actor=actor, m2m=m2m, derived={"last_reviewed": timezone.localdate()}
    )


@transaction.atomic
def objective_update(
    *, actor: Any, instance: Objective, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> Objective:
    """Any change to an objective counts as reviewing it (2018 6.2.1 f: updated as needed)."""
    return core_services.record_update(
        instance=instance, data=data, actor=actor, m2m=m2m, derived={"last_reviewed": timezone.localdate()}
    )


@transaction.atomic
def objective_transition(
    *, actor: Any, instance: Objective, transition: str, note: str = "", data: dict | None = None
) -> Objective:
    objective = Objective.objects.select_for_update().get(pk=instance.pk)
    step = OBJECTIVE_WORKFLOW.check(objective, objective.status, transition)
    return core_services.record_transition(
        instance=objective, actor=actor, field="status", target=step.target, message=note or str(step.label)
    )


def _refresh_objective(objective: Objective, actor: Any) -> None:
    """The objective's progress follows its newest measurement."""
    latest = objective.measurements.order_by("-period_start").first()
    tracking = latest.tracking if latest else Tracking.NO_DATA
    value = latest.value if latest else None
    if (objective.tracking, objective.latest_value) != (tracking, value):
        core_services.record_update(
            instance=objective, data={}, actor=actor, derived={"tracking": tracking, "latest_value": value}
        )


@transaction.atomic
def objective_measure(
    *, objective: Objective, period_start: dt.date, period_end: dt.date, actor: Any = None
) -> ObjectiveMeasurement:
    """Measure the objective's indicator for one period and store (or replace) its measurement."""
    indicator = indicators.get(objective.indicator)
    value = indicator.measure(period_start, period_end) if indicator else None
    note = "" if indicator else _("The indicator %(key)s is not registered.") % {"key": objective.indicator}
    derived = {
        "target_value": objective.target_value,
        "tracking": objective.judge(value),
        "value": value,
        "period_end": period_end,
        "note": note or (_("No data in this period.") if value is None else ""),
    }
    existing = ObjectiveMeasurement.objects.filter(objective=objective, period_start=period_start).first()
    if value is None and existing is not None and existing.value is not None:
        return (
            existing  # a value entered by hand (from a source outside Servitium) is not erased by "no data"
        )
    if existing is None:
        measurement = core_services.record_create(
            model=ObjectiveMeasurement,
            data={"objective": objective, "period_start": period_start},
            derived=derived,
            actor=actor,
        )
    else:
        measurement = core_services.record_update(instance=existing, data={}, derived=derived, actor=actor)
    _refresh_objective(objective, actor)
    return measurement


def objective_measure_months(
    *,
    months: int = 1,
    objectives: Iterable[Objective] | None = None,
    actor: Any = None,
    today: dt.date | None = None,
) -> int:
    """Record the last `months` whole months for every active objective (the monthly job uses 1; the demo
    backfills). Returns the number of measurements written."""
    if objectives is None:
        objectives = Objective.objects.filter(status=Objective.Status.ACTIVE)
    written = 0
    for objective in objectives:
        for start, end in closed_months(months, today):
            objective_measure(objective=objective, period_start=start, period_end=end, actor=actor)
            written += 1
    return written


@transaction.atomic
def measurement_create(
    *, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> ObjectiveMeasurement:
    """A measurement entered by hand: its target and verdict follow from the objective."""
    objective = data["objective"]
    measurement = core_services.record_create(
        model=ObjectiveMeasurement,
        data=data,
        actor=actor,
        derived={"target_value": objective.target_value, "tracking": objective.judge(data.get("value"))},
    )
    _refresh_objective(objective, actor)
    return measurement


@transaction.atomic
def measurement_update(
    *, actor: Any, instance: ObjectiveMeasurement, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> ObjectiveMeasurement:
    objective = instance.objective
    value = data.get("value", instance.value)
    measurement = core_services.record_update(
        instance=instance,
        data=data,
        actor=actor,
        derived={"tracking": judge_against(objective, instance.target_value, value)},
    )
    _refresh_objective(objective, actor)
    return measurement


def judge_against(objective: Objective, target, value) -> str:
    from .models.objectives import judge

    return judge(value, target, objective.comparator, objective.tolerance)


def objective_off_track_actions(
    *, actor: Any = None, raise_action: Callable[[Objective], str] | None = None
) -> list[Objective]:
    """The active objectives that are off track with no improvement action yet.

    The integrator wires this to the improvement register: given `raise_action`, called once per such
    objective, it returns the reference of the improvement record it opened, which is stored on the
    objective (so the objective is raised once). Without it, the objectives are only returned."""
    pending = list(
        Objective.objects.filter(
            status=Objective.Status.ACTIVE, tracking=Tracking.OFF_TRACK, action_reference=""
        )
    )
    if raise_action is None:
        return pending
    for objective in pending:
        reference = raise_action(objective)
        if reference:
            with transaction.atomic():
                core_services.record_update(
                    instance=objective,
                    data={},
                    derived={"action_reference": str(reference)[:40]},
                    actor=actor,
                )
    return pending


def objectives_raise_improvements(*, actor: Any = None) -> list[Objective]:
    """Put every active objective that went off track without an action into the improvement register,
    owned by the objective's owner, and note the opportunity's reference on the objective."""
    from servitium.improvement import services as improvement_services
    from servitium.improvement.models import ImprovementOpportunity, SourceKind

    def raise_action(objective: Objective) -> str:
        opportunity = improvement_services.opportunity_raise(
            kind=SourceKind.OBJECTIVE,
            source=objective,
            source_reference=objective.reference,
            description=_("Objective %(ref)s '%(title)s' is off track (target %(cmp)s %(target)s %(unit)s).")
            % {
                "ref": objective.reference,
                "title": objective.title,
                "cmp": objective.comparator,
                "target": objective.target_value.normalize(),
                "unit": objective.unit,
            },
            priority=ImprovementOpportunity.Priority.HIGH,
            owner=objective.owner,
            actor=actor,
        )
        return opportunity.reference

    return objective_off_track_actions(actor=actor, raise_action=raise_action)


# --- plan --------------------------------------------------------------------------------------------
@transaction.atomic
def plan_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> SmsPlan:
    """The one SMS plan, with a section per content item, each 'missing' until written."""
    if SmsPlan.objects.exists():
        raise ValidationError({"title": _("There is one service management plan; change it instead.")})
    plan = core_services.record_create(model=SmsPlan, data=data, actor=actor)
    for item, _label in PLAN_ITEMS:
        core_services.record_create(model=PlanSection, data={"plan": plan, "item": item}, actor=None)
    return plan


@transaction.atomic
def plan_update(
    *, actor: Any, instance: SmsPlan, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> SmsPlan:
    derived = {}
    interval = data.get("review_interval_months")
    if interval and instance.last_reviewed:
        derived["next_review"] = next_review_after(instance.last_reviewed, interval)
    return core_services.record_update(instance=instance, data=data, actor=actor, derived=derived)


def next_review_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (clamped to the month's last day)."""
    first = add_months(day, months)
    last_day = (add_months(first, 1) - dt.timedelta(days=1)).day
    return first.replace(day=min(day.day, last_day))


@transaction.atomic
def plan_review(*, actor: Any, plan: SmsPlan, reviewed_on: dt.date | None = None, note: str = "") -> SmsPlan:
    """Record a review of the plan; the next one falls an interval later."""
    day = reviewed_on or timezone.localdate()
    return core_services.record_update(
        instance=plan,
        data={},
        actor=actor,
        derived={"last_reviewed": day, "next_review": next_review_after(day, plan.review_interval_months)},
    )


@transaction.atomic
def section_update(
    *, actor: Any, instance: PlanSection, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> PlanSection:
    """Writing a section counts as reviewing it."""
    return core_services.record_update(
        instance=instance, data=data, actor=actor, derived={"last_reviewed": timezone.localdate()}
    )


@transaction.atomic
def section_transition(
    *, actor: Any, instance: PlanSection, transition: str, note: str = "", data: dict | None = None
) -> PlanSection:
    section = PlanSection.objects.select_for_update().get(pk=instance.pk)
    step = SECTION_WORKFLOW.check(section, section.status, transition)
    return core_services.record_transition(
        instance=section,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra={"last_reviewed": timezone.localdate()},
    )
