"""Writes of service design and transition: requirements and their agreement, projects and their
lifecycle (who approved each stage; acceptance signed off by someone other than the author), acceptance
criteria, expected outcomes and handover items; the project a major change opens on submit, and the gate
that keeps a major change from being implemented before its project passed acceptance. What completing a
transition does to the catalogue, agreements and CMDB is in completion.py."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.changes.models import Change
from servitium.core import services as core_services
from servitium.core.approval import refuse_self_approval
from servitium.core.errors import TransitionNotAllowed

from . import completion
from . import lifecycle as L
from .models import (
    DesignProject,
    ExpectedOutcome,
    HandoverItem,
    ServiceAcceptanceCriterion,
    ServiceRequirement,
)

S = DesignProject.Status


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# --- requirements -------------------------------------------------------------------------------------------


@transaction.atomic
def requirement_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> ServiceRequirement:
    return core_services.record_create(
        model=ServiceRequirement, data=data, actor=actor, m2m=m2m, derived=derived
    )


# What an agreed requirement says: changing it after agreement needs an authorised change (2011 7.1).
REQUIREMENT_CONTENT = ("service", "customer", "kind", "statement")


@transaction.atomic
def requirement_update(
    *, actor: Any, instance: ServiceRequirement, data: dict[str, Any], m2m: dict | None = None
) -> ServiceRequirement:
    """Edit a requirement. A proposed one changes freely; an agreed one changes what it says only when the
    same update names an authorised change (else 400 on `change`), and each such revision is counted."""
    derived: dict[str, Any] = {}
    revised = [f for f in REQUIREMENT_CONTENT if f in data and data[f] != getattr(instance, f)]
    if instance.status == ServiceRequirement.Status.AGREED and revised:
        change = data.get("change")
        if change is None or (change == instance.change and instance.revision):
            raise ValidationError(
                {"change": [_("An agreed requirement changes only under a new authorised change; name it.")]}
            )
        if change.status not in Change.AUTHORISED:
            raise ValidationError(
                {
                    "change": [
                        _("%(ref)s is %(status)s, not authorised.")
                        % {"ref": change.reference, "status": change.get_status_display()}
                    ]
                }
            )
        derived = {"revision": instance.revision + 1, "revised_on": timezone.localdate()}
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def requirement_transition(
    *, actor: Any, instance: ServiceRequirement, transition: str, note: str = "", data: dict | None = None
) -> ServiceRequirement:
    """Agree (stamps the day, unless the day it was agreed is given), withdraw or propose again."""
    requirement = ServiceRequirement.objects.select_for_update().get(pk=instance.pk)
    step = L.REQUIREMENT_WORKFLOW.check(requirement, requirement.status, transition)
    extra: dict[str, Any] = {}
    if step.name == "agree" and requirement.agreed_on is None:
        extra["agreed_on"] = timezone.localdate()
    elif step.name == "reopen":
        extra.update({"agreed_on": None, "agreed_by": None})
    return core_services.record_transition(
        instance=requirement,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )


# --- projects -----------------------------------------------------------------------------------------------


def _open(project: DesignProject | None) -> None:
    """A closed or cancelled project is kept as it ended."""
    if not isinstance(project, DesignProject):
        return
    stored = DesignProject.objects.filter(pk=project.pk).values_list("status", flat=True).first()
    if (stored or project.status) in L.ENDED:
        raise TransitionNotAllowed(
            _("%(ref)s is %(status)s and kept as it ended.")
            % {"ref": project.reference, "status": project.get_status_display()}
        )


@transaction.atomic
def project_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> DesignProject:
    derived = dict(derived or {})
    derived.setdefault("author", _user(actor))
    return core_services.record_create(model=DesignProject, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def project_update(
    *, actor: Any, instance: DesignProject, data: dict[str, Any], m2m: dict | None = None
) -> DesignProject:
    _open(instance)
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def project_transition(
    *, actor: Any, instance: DesignProject, transition: str, note: str = "", data: dict | None = None
) -> DesignProject:
    """Move a project to its next stage. Approving the plan or the design records who did it; passing
    acceptance is signed off by someone other than the project's author; completing the transition
    updates the catalogue, agreements and CMDB (completion.py); closing stamps the review date."""
    project = DesignProject.objects.select_for_update().get(pk=instance.pk)
    step = L.PROJECT_WORKFLOW.check(project, project.status, transition)
    now = timezone.now()
    extra: dict[str, Any] = {}
    if step.name == "approve_plan":
        extra.update({"planning_approved_by": _user(actor), "planning_approved_at": now})
    elif step.name == "approve_design":
        extra.update({"design_approved_by": _user(actor), "design_approved_at": now})
    elif step.name == "start_acceptance" and project.tested_on is None:
        extra["tested_on"] = timezone.localdate(now)
    elif step.name == "pass_acceptance":
        refuse_self_approval(
            actor,
            users=[project.author_id],
            message=_("The author of a design and transition project may not sign off its acceptance."),
        )
        extra.update({"accepted_by": _user(actor), "accepted_at": now})
    elif step.name == "complete_transition":
        extra["transitioned_at"] = now
    elif step.name == "close":
        extra["closed_at"] = now
        if project.reviewed_at is None:
            extra["reviewed_at"] = timezone.localdate(now)
    project = core_services.record_transition(
        instance=project,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )
    if step.name == "complete_transition":
        completion.apply(project, actor=actor)
    return project


# --- criteria, outcomes, handover items ---------------------------------------------------------------------


def _evaluated(values: dict[str, Any], instance: Any = None) -> dict[str, Any]:
    """A result given without a date is evaluated today."""
    result = values.get("result", getattr(instance, "result", ""))
    when = values.get("evaluated_on", getattr(instance, "evaluated_on", None))
    return {"evaluated_on": timezone.localdate()} if result and when is None else {}


@transaction.atomic
def criterion_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> ServiceAcceptanceCriterion:
    _open({**data, **(derived or {})}.get("project"))
    derived = {**_evaluated({**data, **(derived or {})}), **(derived or {})}
    return core_services.record_create(
        model=ServiceAcceptanceCriterion, data=data, actor=actor, m2m=m2m, derived=derived
    )


@transaction.atomic
def criterion_update(
    *, actor: Any, instance: ServiceAcceptanceCriterion, data: dict[str, Any], m2m: dict | None = None
) -> ServiceAcceptanceCriterion:
    _open(instance.project)
    return core_services.record_update(
        instance=instance, data=data, actor=actor, m2m=m2m, derived=_evaluated(data, instance)
    )


def _child_create(model):
    @transaction.atomic
    def create(*, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None):
        _open({**data, **(derived or {})}.get("project"))
        return core_services.record_create(model=model, data=data, actor=actor, m2m=m2m, derived=derived)

    create.__doc__ = f"Add a {model._meta.verbose_name} to an open project."
    return create


def _child_update(model):
    @transaction.atomic
    def update(*, actor: Any, instance: Any, data: dict[str, Any], m2m: dict | None = None):
        _open(instance.project)
        _open(data.get("project"))
        return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)

    update.__doc__ = f"Change a {model._meta.verbose_name} of an open project."
    return update


outcome_create = _child_create(ExpectedOutcome)
outcome_update = _child_update(ExpectedOutcome)
handover_create = _child_create(HandoverItem)
handover_update = _child_update(HandoverItem)


@transaction.atomic
def child_delete(*, actor: Any, instance: Any) -> None:
    """Remove a criterion, outcome or handover item of an open project."""
    _open(instance.project)
    core_services.record_delete(instance=instance, actor=actor)


# --- the major change: its project and its gate -------------------------------------------------------------

KIND_OF_CHANGE = {
    "service_removal": DesignProject.Kind.REMOVAL,
    "service_transfer": DesignProject.Kind.TRANSFER,
}


def open_for_major_change(change: Any, actor: Any) -> None:
    """A change of major impact, on submit, gets its design and transition project (one per change: a
    change submitted again after revision keeps it), and the change names it (design_reference)."""
    if not change.routed_to_design:
        return
    project = change.design_projects.exclude(status=S.CANCELLED).order_by("pk").first()
    if project is None:
        service = change.affected_services.order_by("pk").first()
        kind = KIND_OF_CHANGE.get(change.change_type)
        if kind is None:
            kind = (
                DesignProject.Kind.NEW
                if service and service.status == "pipeline"
                else DesignProject.Kind.CHANGED
            )
        project = project_create(
            actor=None,  # opened by the system on the change's submission (the change log names the change)
            data={},
            derived={
                "title": change.title[:250],
                "kind": kind,
                "service": service,
                "change": change,
                "author": _user(actor),
            },
        )
    if change.design_reference != project.reference:
        from servitium.changes import services as change_services

        change_services.change_update(
            actor=None, instance=change, data={"design_reference": project.reference}
        )


def unaccepted_design(change: Any) -> str | None:
    """Guard on implementing a change: a major change routed to design and transition waits until its
    project has passed acceptance (2011 5.1, 5.4; 2018 8.5.2.3)."""
    if not change.routed_to_design:
        return None
    projects = list(change.design_projects.exclude(status=S.CANCELLED).order_by("pk"))
    if any(p.status in L.PASSED_ACCEPTANCE for p in projects):
        return None
    if not projects:
        return _(
            "%(change)s is a major change: it is implemented after its design and transition project has "
            "passed acceptance, and it has no such project."
        ) % {"change": change.reference}
    project = projects[0]
    blocked = L.next_step_blocked(project)
    missing = blocked[0][1] if blocked else _("its next step is to be taken")
    return _(
        "%(change)s is a major change: it waits for %(project)s to pass acceptance. %(project)s is in "
        "%(status)s; %(missing)s"
    ) % {
        "change": change.reference,
        "project": project.reference,
        "status": project.get_status_display(),
        "missing": missing,
    }
