"""Writes of documented information: documents and their versions (review, approval, coming into force,
superseding), acknowledgements, the records register and disposal. Every write goes through the audited
core services; every rule that names the actor is checked here, for every channel."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core import changelog, permissions
from servitium.core import services as core_services
from servitium.core.approval import person_of, refuse_self_approval
from servitium.core.errors import ApplicationError, TransitionNotAllowed
from servitium.core.models import ChangeRecord

from .lifecycle import DISPOSAL_WORKFLOW, VERSION_WORKFLOW
from .models import DisposalRequest, Document, DocumentAcknowledgement, DocumentVersion, RecordSeries

V = DocumentVersion.Status


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), on the month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


# --- documents ---


@transaction.atomic
def document_create(
    *, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None, derived: dict | None = None
) -> Document:
    """Register a document; its first review falls one review interval from today unless given."""
    derived = dict(derived or {})
    if not data.get("next_review") and not derived.get("next_review"):
        months = data.get("review_interval_months") or derived.get("review_interval_months") or 12
        derived["next_review"] = add_months(timezone.localdate(), int(months))
    return core_services.record_create(model=Document, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def document_update(
    *, actor: Any, instance: Document, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> Document:
    derived = {}
    new_review = data.get("next_review")
    if new_review and instance.review_flagged and new_review >= timezone.localdate():
        derived["review_flagged"] = False
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def document_review(
    *, actor: Any, document: Document, note: str = "", today: dt.date | None = None
) -> Document:
    """Record that the document was reviewed and still fits (no new version needed): the next review falls
    one interval later and the overdue flag clears."""
    today = today or timezone.localdate()
    document = Document.objects.select_for_update().get(pk=document.pk)
    before = changelog.snapshot(document)
    document.last_reviewed = today
    document.next_review = add_months(today, document.review_interval_months)
    document.review_flagged = False
    document.full_clean()
    document.save()
    changelog.record(
        document,
        action=ChangeRecord.Action.UPDATE,
        actor=actor,
        before=before,
        message=note or _("Reviewed; still suitable"),
    )
    return document


def documents_flag_review_overdue(*, today: dt.date | None = None) -> list[Document]:
    """Flag documents past their next review date (and clear the flag of those reviewed since)."""
    today = today or timezone.localdate()
    flagged = list(Document.objects.filter(next_review__lt=today, review_flagged=False))
    core_services.record_bulk_update(
        instances=flagged, derived={"review_flagged": True}, actor=None, message=_("Review overdue")
    )
    cleared = list(Document.objects.filter(review_flagged=True).exclude(next_review__lt=today))
    core_services.record_bulk_update(instances=cleared, derived={"review_flagged": False}, actor=None)
    return flagged


# --- versions ---


def _next_label(document: Document) -> str:
    count = document.versions.count()
    return f"{count + 1}.0"


@transaction.atomic
def version_create(
    *, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None, derived: dict | None = None
) -> DocumentVersion:
    """Write a new draft version. The author defaults to the person of the acting account; the account is
    kept too, so that neither can approve it."""
    data = dict(data)
    document = data.get("document") or (derived or {}).get("document")
    if document is None:
        raise ValidationError({"document": [_("Say which document this is a version of.")]})
    derived = dict(derived or {})
    if not data.get("version") and not derived.get("version"):
        derived["version"] = _next_label(document)
    if not data.get("author") and not derived.get("author"):
        derived["author"] = person_of(actor)
    if getattr(actor, "is_authenticated", False):
        derived["created_by"] = actor
    return core_services.record_create(
        model=DocumentVersion, data=data, actor=actor, m2m=m2m, derived=derived
    )


def _ensure_draft(version: DocumentVersion) -> None:
    if version.status not in DocumentVersion.EDITABLE:
        raise TransitionNotAllowed(
            _("Version %(version)s is %(status)s and kept as it is; write a new version to change it.")
            % {"version": version, "status": version.get_status_display()}
        )


@transaction.atomic
def version_update(
    *, actor: Any, instance: DocumentVersion, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> DocumentVersion:
    """Change a draft (only drafts change: what was reviewed or approved stays as it was)."""
    version = DocumentVersion.objects.select_for_update().get(pk=instance.pk)
    _ensure_draft(version)
    return core_services.record_update(instance=version, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def version_delete(*, actor: Any, instance: DocumentVersion) -> None:
    """Only a draft that was never submitted may be deleted; everything else is kept as evidence."""
    _ensure_draft(instance)
    if instance.submitted_at is not None or instance.approved_at is not None:
        raise TransitionNotAllowed(_("This version went through review and is kept."))
    core_services.record_delete(instance=instance, actor=actor)


@transaction.atomic
def version_attach_file(*, actor: Any, version: DocumentVersion, upload) -> DocumentVersion:
    """Store the version's file as a core attachment (size and type limits, SHA-256) while it is a draft."""
    version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
    _ensure_draft(version)
    attachment = core_services.attachment_store(target=version, upload=upload, actor=actor)
    return core_services.record_update(
        instance=version, data={}, derived={"file": attachment, "file_sha256": attachment.sha256}, actor=actor
    )


def _refuse_self_approval(actor: Any, version: DocumentVersion) -> None:
    """The approver is neither the version's author nor the account that wrote it."""
    refuse_self_approval(
        actor,
        users=[version.created_by_id],
        people=[version.author_id],
        message=_(
            "You wrote version %(version)s, so you cannot approve it: the approver must be someone "
            "other than the author."
        )
        % {"version": version},
    )


def _transition(
    version: DocumentVersion, *, actor: Any, target: str, note: str, extra: dict
) -> DocumentVersion:
    return core_services.record_transition(
        instance=version, actor=actor, field="status", target=target, message=note, extra=extra
    )


@transaction.atomic
def version_transition(
    *,
    actor: Any,
    instance: DocumentVersion,
    transition: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> DocumentVersion:
    """Move a version along its lifecycle.

    approve: by someone other than the author (400 otherwise), with the comment recorded; make_effective:
    only once approved and on its effective date; the version in force before it becomes superseded (kept,
    read-only, marked obsolete) and the document's review cycle restarts. withdraw: no longer in force."""
    now = now or timezone.now()
    version = (
        DocumentVersion.objects.select_for_update(of=("self",))
        .select_related("document", "author")
        .get(pk=instance.pk)
    )
    step = VERSION_WORKFLOW.get(transition)
    if step.name == "supersede":
        raise TransitionNotAllowed(str(step.guard(version)))
    if step.name == "approve" and version.status in step.sources:
        _refuse_self_approval(actor, version)
    version.as_of = timezone.localtime(now).date()  # the day the effective-date guard judges by
    VERSION_WORKFLOW.check(version, version.status, transition)
    message = note or str(step.label)
    extra: dict[str, Any] = {}
    if step.name == "submit":
        extra["submitted_at"] = now
    elif step.name == "return_to_draft":
        extra["submitted_at"] = None
    elif step.name == "approve":
        extra.update(
            {
                "approved_by": actor if getattr(actor, "is_authenticated", False) else None,
                "approved_at": now,
                "approval_note": note,
            }
        )
    elif step.name == "make_effective":
        return _make_effective(version, actor=actor, now=now, message=message)
    elif step.name == "withdraw":
        extra["retired_at"] = now
    version = _transition(version, actor=actor, target=step.target, note=message, extra=extra)
    if step.name == "withdraw":
        document = Document.objects.select_for_update().get(pk=version.document_id)
        if document.current_version_id == version.pk:
            core_services.record_update(
                instance=document, data={}, derived={"current_version": None}, actor=actor
            )
    return version


def _make_effective(
    version: DocumentVersion, *, actor: Any, now: dt.datetime, message: str
) -> DocumentVersion:
    document = Document.objects.select_for_update().get(pk=version.document_id)
    for previous in DocumentVersion.objects.select_for_update().filter(document=document, status=V.EFFECTIVE):
        _transition(
            previous,
            actor=actor,
            target=V.SUPERSEDED,
            note=_("Superseded by version %(version)s") % {"version": version.version},
            extra={"retired_at": now, "superseded_by": version},
        )
    today = timezone.localtime(now).date()
    version = _transition(
        version,
        actor=actor,
        target=V.EFFECTIVE,
        note=message,
        extra={"effective_at": now, "effective_date": version.effective_date or today},
    )
    core_services.record_update(
        instance=document,
        data={},
        derived={
            "current_version": version,
            "last_reviewed": today,
            "next_review": add_months(today, document.review_interval_months),
            "review_flagged": False,
        },
        actor=actor,
    )
    return version


def versions_bring_into_force(*, now: dt.datetime | None = None) -> list[DocumentVersion]:
    """The nightly release: approved versions whose effective date has come are brought into force."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    due = DocumentVersion.objects.filter(status=V.APPROVED, effective_date__lte=today).order_by(
        "effective_date"
    )
    released = []
    for version in due:
        released.append(
            version_transition(
                actor=None,
                instance=version,
                transition="make_effective",
                note=_("In force from its effective date"),
                now=now,
            )
        )
    return released


# --- acknowledgements ---


@transaction.atomic
def acknowledgement_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> DocumentAcknowledgement:
    """The acting person confirms having read a document: its version in force, or the version named (which
    must be the one in force). Acknowledging twice is harmless (the first stands)."""
    data, derived = dict(data), dict(derived or {})
    person = derived.pop("person", None) or person_of(actor)
    if person is None:
        raise ValidationError(
            {"person": [_("Only people acknowledge documents; your account has no person.")]}
        )
    version = data.pop("version", None) or derived.pop("version", None)
    document = (
        data.pop("document", None) or derived.pop("document", None) or getattr(version, "document", None)
    )
    if document is None:
        raise ValidationError({"document": [_("Say which document you have read.")]})
    document = Document.objects.select_related("current_version").get(pk=document.pk)  # as stored now
    if not document.requires_acknowledgement:
        raise ValidationError(
            {"document": [_("%(doc)s does not ask for acknowledgement.") % {"doc": document}]}
        )
    current = document.current_version
    if current is None:
        raise ValidationError(
            {"document": [_("%(doc)s has no version in force to acknowledge.") % {"doc": document}]}
        )
    if version is not None and version.pk != current.pk:
        raise ValidationError(
            {"version": [_("Acknowledge the version in force (%(version)s).") % {"version": current}]}
        )
    existing = DocumentAcknowledgement.objects.filter(version=current, person=person).first()
    if existing is not None:
        return existing
    derived.update(
        {
            "document": document,
            "version": current,
            "person": person,
            "acknowledged_at": timezone.now(),
            **derived,
        }
    )
    return core_services.record_create(model=DocumentAcknowledgement, data=data, actor=actor, derived=derived)


# --- records register and disposal ---


def series_due_records(series: RecordSeries, *, today: dt.date | None = None, cutoff: dt.date | None = None):
    """The records of the series' record type past their retention (created before the cut-off)."""
    model = series.model_class()
    if model is None:
        return None
    today = today or timezone.localdate()
    limit = add_months(today, -series.retention_months)
    cutoff = min(cutoff, limit) if cutoff else limit
    start = timezone.make_aware(dt.datetime.combine(cutoff, dt.time.min))
    return model._default_manager.filter(created__lt=start)


def series_flag_due(*, today: dt.date | None = None) -> list[RecordSeries]:
    """The nightly look at the register: how many records of each series are past their retention."""
    now = timezone.now()
    changed = []
    for series in RecordSeries.objects.all():
        records = series_due_records(series, today=today)
        due = records.count() if records is not None else 0
        if due != series.due_for_disposal:
            changed.append(series)
            core_services.record_update(
                instance=series,
                data={},
                derived={"due_for_disposal": due, "checked_at": now},
                actor=None,
            )
        else:
            RecordSeries.objects.filter(pk=series.pk).update(checked_at=now)
    return [s for s in changed if s.due_for_disposal]


@transaction.atomic
def disposal_request_create(
    *, actor: Any, data: dict[str, Any], m2m: dict | None = None, derived: dict | None = None
) -> DisposalRequest:
    """Ask to dispose of a series' records created before a cut-off. Records still inside their retention
    cannot be named, and nothing under legal hold can be asked for."""
    series = data.get("series") or (derived or {}).get("series")
    cutoff = data.get("cutoff") or (derived or {}).get("cutoff")
    if series is None:
        raise ValidationError({"series": [_("Say which record series.")]})
    if series.legal_hold:
        raise ValidationError(
            {
                "series": [
                    _("%(series)s is under legal hold (%(reason)s); nothing may be disposed of.")
                    % {"series": series.name, "reason": series.legal_hold_reason}
                ]
            }
        )
    if cutoff is None:
        raise ValidationError({"cutoff": [_("Give the date before which records were created.")]})
    limit = add_months(timezone.localdate(), -series.retention_months)
    if cutoff > limit:
        raise ValidationError(
            {
                "cutoff": [
                    _("Records created after %(limit)s are still inside their retention of %(n)d months.")
                    % {"limit": limit.isoformat(), "n": series.retention_months}
                ]
            }
        )
    records = series_due_records(series, cutoff=cutoff)
    derived = {
        **(derived or {}),
        "record_count": records.count() if records is not None else 0,
        "requested_by": actor if getattr(actor, "is_authenticated", False) else None,
    }
    return core_services.record_create(
        model=DisposalRequest, data=data, actor=actor, m2m=m2m, derived=derived
    )


@transaction.atomic
def disposal_request_update(*, actor: Any, instance: DisposalRequest, data: dict, m2m: dict | None = None):
    if instance.status != DisposalRequest.Status.REQUESTED:
        raise TransitionNotAllowed(_("Only an open request can be changed."))
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def disposal_request_delete(*, actor: Any, instance: DisposalRequest) -> None:
    """An open request may be withdrawn; decided ones are kept as evidence."""
    if instance.status != DisposalRequest.Status.REQUESTED:
        raise TransitionNotAllowed(_("A decided disposal request is kept."))
    core_services.record_delete(instance=instance, actor=actor)


@transaction.atomic
def disposal_transition(
    *,
    actor: Any,
    instance: DisposalRequest,
    transition: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> DisposalRequest:
    """approve: by someone other than the requester, never under legal hold; reject; dispose: carries out
    the approved disposal — records kept in the system are deleted one by one through the audited delete
    (each leaves its change-log entry), and the request records how many."""
    request = (
        DisposalRequest.objects.select_for_update(of=("self",)).select_related("series").get(pk=instance.pk)
    )
    step = DISPOSAL_WORKFLOW.get(transition)
    if step.name == "approve" and request.status in step.sources:
        refuse_self_approval(
            actor,
            users=[request.requested_by_id],
            message=_("You requested disposal %(ref)s, so you cannot approve it: a second person must.")
            % {"ref": request.reference},
        )
    DISPOSAL_WORKFLOW.check(request, request.status, transition)
    now = timezone.now()
    message = note or str(step.label)
    extra: dict[str, Any] = {}
    if step.name in ("approve", "reject"):
        extra = {
            "decided_by": actor if getattr(actor, "is_authenticated", False) else None,
            "decided_at": now,
            "decision_note": note,
        }
    elif step.name == "dispose":
        disposed = _dispose(request, actor=actor)
        extra = {"disposed_at": now, "disposed_count": disposed}
        message = _("%(note)s: %(n)d records of %(series)s created before %(cutoff)s (%(method)s)") % {
            "note": message,
            "n": disposed,
            "series": request.series.name,
            "cutoff": request.cutoff.isoformat(),
            "method": request.series.get_disposal_method_display(),
        }
    request = core_services.record_transition(
        instance=request, actor=actor, field="status", target=step.target, message=message, extra=extra
    )
    if step.name == "dispose":
        series_flag_due()
    return request


def _dispose(request: DisposalRequest, *, actor: Any) -> int:
    """Delete the records in the system (methods delete and anonymise alike: the system keeps no half
    records); records kept elsewhere are disposed of by people, and the request records that it was done."""
    series = request.series
    records = series_due_records(series, cutoff=request.cutoff)
    if records is None:
        return request.record_count
    count = 0
    for record in records.order_by("pk").iterator(chunk_size=200):
        if actor is not None and not permissions.can(actor, permissions.DELETE, record):
            raise ApplicationError(
                _("You may not delete %(record)s; ask someone who may delete these records.")
                % {"record": record},
                code="not_permitted",
                extra={},
            )
        core_services.record_delete(instance=record, actor=actor)
        count += 1
    return count
