"""Writes of internal audit: programmes and their items, audits (with the independence rule on every write
that names the team, the scope or the auditees), the checklist drawn up from the catalogue and the live
results, verdicts, and findings that open entries in the improvement register."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import services as core_services
from servitium.core.errors import ApplicationError, TransitionNotAllowed
from servitium.improvement import services as improvement_services
from servitium.improvement.models import Nonconformity, SourceKind

from . import independence, selectors
from .lifecycle import AUDIT_WORKFLOW
from .models import Audit, ChecklistItem, Finding, ProgrammeItem, split_keys

TEAM_FIELDS = {"lead_auditor", "auditors", "auditees", "scope_areas"}


def _check_area(name: str, field: str) -> None:
    if name not in permissions.AREAS:
        raise ValidationError(
            {
                field: [
                    _("Unknown process area %(name)s. Known: %(known)s.")
                    % {"name": name, "known": ", ".join(sorted(permissions.AREAS))}
                ]
            }
        )


def _check_keys(text: str, field: str) -> None:
    keys = split_keys(text or "")
    found = selectors.requirements_by_key(keys)
    unknown = [k for k in keys if k not in found]
    if unknown:
        raise ValidationError(
            {
                field: [
                    _("Unknown requirements: %(keys)s (write framework#identifier).")
                    % {"keys": ", ".join(unknown)}
                ]
            }
        )


# --- programme ------------------------------------------------------------------------------------------


@transaction.atomic
def programme_item_create(
    *, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> ProgrammeItem:
    """Add a process area to the programme, with the clauses audited there."""
    _check_area(data.get("area", ""), "area")
    _check_keys(data.get("clauses", ""), "clauses")
    return core_services.record_create(model=ProgrammeItem, data=data, m2m=m2m, actor=actor)


@transaction.atomic
def programme_item_update(
    *, actor: Any, instance: ProgrammeItem, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> ProgrammeItem:
    if "clauses" in data:
        _check_keys(data["clauses"], "clauses")
    return core_services.record_update(instance=instance, data=data, m2m=m2m, actor=actor)


# --- audits ---------------------------------------------------------------------------------------------


def _check_scope(values: dict[str, Any]) -> None:
    areas = values.get("scope_areas") or []
    if not isinstance(areas, list):
        raise ValidationError({"scope_areas": [_("A list of process area names.")]})
    for name in areas:
        _check_area(name, "scope_areas")
    _check_keys(values.get("scope_clauses", ""), "scope_clauses")


def _team(audit: Audit | None, data: dict[str, Any], m2m: dict[str, Any]) -> dict[str, Any]:
    """The audit team, scope and auditees as they will be after this write."""

    def people(name: str) -> list[Any]:
        if name in m2m:
            return list(m2m[name])
        return list(getattr(audit, name).all()) if audit is not None else []

    return {
        "lead": data["lead_auditor"] if "lead_auditor" in data else getattr(audit, "lead_auditor", None),
        "auditors": people("auditors"),
        "auditees": people("auditees"),
        "areas": data["scope_areas"] if "scope_areas" in data else getattr(audit, "scope_areas", []),
    }


@transaction.atomic
def audit_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> Audit:
    """Plan an audit. Refused (400 naming the person and the process) when an auditor would audit their
    own work (see `independence`)."""
    m2m = dict(m2m or {})
    item = data.get("programme_item")
    data = dict(data)
    if item is not None:
        data.setdefault("programme", item.programme)
        data.setdefault("scope_areas", [item.area])
        data.setdefault("scope_clauses", item.clauses)
    _check_scope(data)
    independence.check_team(**_team(None, data, m2m))
    return core_services.record_create(model=Audit, data=data, m2m=m2m, actor=actor)


@transaction.atomic
def audit_update(
    *, actor: Any, instance: Audit, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> Audit:
    """Change a planned or running audit; the team is checked again against the scope."""
    running = instance.status in (Audit.Status.PLANNED, Audit.Status.IN_PROGRESS)
    if not running and (set(data) - {"summary"} or m2m):
        raise TransitionNotAllowed(
            _("A %(status)s audit is kept as it was.") % {"status": instance.get_status_display()}
        )
    m2m = dict(m2m or {})
    _check_scope(
        {
            "scope_areas": data.get("scope_areas", instance.scope_areas),
            "scope_clauses": data.get("scope_clauses", instance.scope_clauses),
        }
    )
    independence.check_team(**_team(instance, data, m2m))
    return core_services.record_update(instance=instance, data=data, m2m=m2m, actor=actor)


def audit_delete(*, actor: Any, instance: Audit) -> None:
    raise ApplicationError(_("An audit is kept as evidence; cancel it instead."), code="kept_as_evidence")


@transaction.atomic
def checklist_generate(*, actor: Any, audit: Audit) -> list[ChecklistItem]:
    """One checklist item per leaf obligation of the clauses in scope, with its status in the latest
    assessment; items already there are kept (with their verdicts)."""
    found = selectors.requirements_by_key(audit.clause_keys())
    leaves = selectors.leaves_under(list(found.values()))
    have = set(audit.checklist.values_list("requirement_id", flat=True))
    statuses = selectors.live_statuses(leaves)
    new = [
        ChecklistItem(audit=audit, requirement_id=rid, live_status=statuses.get(rid, ""), order=n)
        for n, rid in enumerate(leaves)
        if rid not in have
    ]
    return core_services.record_bulk_create(
        model=ChecklistItem,
        instances=new,
        actor=actor,
        message=_("Checklist of %(ref)s") % {"ref": audit.reference},
    )


@transaction.atomic
def audit_transition(
    *, actor: Any, instance: Audit, transition: str, note: str = "", data: dict | None = None
) -> Audit:
    """Start (the team is checked again and the checklist drawn up), report (with the summary, once every
    checklist item has a verdict), close (once its nonconformities are closed), cancel."""
    audit = Audit.objects.select_for_update().get(pk=instance.pk)
    step = AUDIT_WORKFLOW.get(transition)
    given = {"summary": data["summary"]} if data and data.get("summary") else {}
    stored = {f: getattr(audit, f) for f in given}
    for name, value in given.items():
        setattr(audit, name, value)
    if audit.status in step.sources:
        missing = [f for f in step.needs if not str(getattr(audit, f) or "").strip()]
        if missing:
            raise ValidationError({f: [_("Needed for this step.")] for f in missing})
    AUDIT_WORKFLOW.check(audit, audit.status, transition)
    extra: dict[str, Any] = dict(given)
    today = timezone.localdate()
    if step.name == "start":
        try:
            independence.check_team(
                lead=audit.lead_auditor,
                auditors=audit.auditors.all(),
                areas=audit.scope_areas,
                auditees=audit.auditees.all(),
            )
        except ValidationError as exc:
            raise TransitionNotAllowed(" ".join(exc.messages)) from None
        extra["started_on"] = today
    elif step.name == "report":
        extra["reported_on"] = today
    for name, value in stored.items():
        setattr(audit, name, value)
    audit = core_services.record_transition(
        instance=audit,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )
    if step.name == "start" and not audit.checklist.exists():
        checklist_generate(actor=actor, audit=audit)
    return audit


# --- checklist and findings -----------------------------------------------------------------------------


@transaction.atomic
def checklist_item_update(
    *, actor: Any, instance: ChecklistItem, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> ChecklistItem:
    """The auditor's verdict and notes, while the audit runs."""
    if instance.audit.status != Audit.Status.IN_PROGRESS:
        raise TransitionNotAllowed(_("Verdicts are recorded while the audit is in progress."))
    return core_services.record_update(instance=instance, data=data, m2m=m2m, actor=actor)


@transaction.atomic
def finding_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> Finding:
    """Record a finding of a running audit. A major or minor nonconformity opens a nonconformity in the
    improvement register (source: internal audit, this finding); an opportunity for improvement opens an
    improvement opportunity."""
    audit = data.get("audit")
    if audit is not None and audit.status != Audit.Status.IN_PROGRESS:
        raise ValidationError({"audit": [_("Findings are recorded while the audit is in progress.")]})
    finding = core_services.record_create(model=Finding, data=data, m2m=m2m, actor=actor)
    raised = _raise_improvement(finding, actor)
    if raised:
        finding = core_services.record_update(instance=finding, data={}, derived=raised, actor=actor)
    return finding


def _raise_improvement(finding: Finding, actor: Any) -> dict[str, Any]:
    requirement = finding.requirement
    key = f"{requirement.framework.slug}#{requirement.identifier}" if requirement else ""
    text = f"{finding.audit.reference}: {finding.description}"
    if finding.grade in Finding.NONCONFORMITIES:
        nc = improvement_services.nonconformity_open(
            kind=SourceKind.INTERNAL_AUDIT,
            source=finding,
            source_reference=finding.audit.reference,
            grade=Nonconformity.Grade.MAJOR
            if finding.grade == Finding.Grade.MAJOR
            else Nonconformity.Grade.MINOR,
            requirement=key,
            description=text,
            owner=finding.owner,
            actor=actor,
        )
        return {"nonconformity": nc}
    if finding.grade == Finding.Grade.OPPORTUNITY:
        ofi = improvement_services.opportunity_raise(
            kind=SourceKind.INTERNAL_AUDIT,
            source=finding,
            source_reference=finding.audit.reference,
            description=text,
            owner=finding.owner,
            actor=actor,
        )
        return {"opportunity": ofi}
    return {}


def finding_delete(*, actor: Any, instance: Finding) -> None:
    raise ApplicationError(_("A finding is kept as evidence."), code="kept_as_evidence")
