"""Writes of management review: planning a review, its transitions (the pack prepared, frozen when the
review is held, the minutes approved by the chair), and the actions it gives people."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from servitium.core import services as core_services
from servitium.core.approval import person_of
from servitium.core.errors import TransitionNotAllowed

from . import pack as review_pack
from .lifecycle import ACTION_WORKFLOW, REVIEW_WORKFLOW
from .models import ManagementReview, ReviewAction

S = ManagementReview.Status
# Once the minutes are approved they are the record of the review; once held, its period is what the
# frozen pack covered.
FROZEN_AFTER_APPROVAL = ("minutes", "decisions", "held_on", "chair", "attendees")
FROZEN_AFTER_HOLDING = ("period_start", "period_end")


@transaction.atomic
def review_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> ManagementReview:
    """Plan a management review (its pack is prepared through the transitions)."""
    return core_services.record_create(model=ManagementReview, data=data, actor=actor, m2m=m2m)


def _refuse_frozen(review: ManagementReview, data: dict[str, Any], m2m: dict[str, Any]) -> None:
    frozen: tuple[str, ...] = ()
    if review.status in (S.MINUTES_APPROVED, S.CLOSED):
        frozen = FROZEN_AFTER_APPROVAL + FROZEN_AFTER_HOLDING
    elif review.status == S.HELD:
        frozen = FROZEN_AFTER_HOLDING
    errors = {}
    for name in frozen:
        if name in data and data[name] != getattr(review, name):
            errors[name] = [
                _("This cannot change any more: the review is %(s)s.") % {"s": review.get_status_display()}
            ]
        if name in m2m and {p.pk for p in m2m[name]} != set(review.attendees.values_list("pk", flat=True)):
            errors[name] = [
                _("This cannot change any more: the review is %(s)s.") % {"s": review.get_status_display()}
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def review_update(
    *, actor: Any, instance: ManagementReview, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> ManagementReview:
    review = ManagementReview.objects.select_for_update().get(pk=instance.pk)
    _refuse_frozen(review, data, m2m or {})
    if data.get("held_on") and data["held_on"] > timezone.localdate():
        raise ValidationError({"held_on": [_("A review cannot have been held in the future.")]})
    return core_services.record_update(instance=review, data=data, actor=actor, m2m=m2m)


def _held_on(data: dict[str, Any] | None, review: ManagementReview) -> dt.date:
    raw = (data or {}).get("held_on")
    if raw in (None, ""):
        return review.held_on or timezone.localdate()
    value = raw if isinstance(raw, dt.date) else parse_date(str(raw)) if _is_date(raw) else None
    if value is None:
        raise ValidationError({"held_on": [_("Give the date as YYYY-MM-DD.")]})
    if value > timezone.localdate():
        raise ValidationError({"held_on": [_("A review cannot have been held in the future.")]})
    return value


def _is_date(raw: Any) -> bool:
    try:
        return parse_date(str(raw)) is not None
    except ValueError:
        return False


def _check_chair(review: ManagementReview, actor: Any) -> None:
    """Only the chair approves the minutes (the system — demo, imports — acts with no actor)."""
    if actor is None:
        return
    person = person_of(actor)
    if person is None or person.pk != review.chair_id:
        raise TransitionNotAllowed(
            _("Only the chair of the review, %(chair)s, approves its minutes.") % {"chair": review.chair}
        )


def freeze_pack(*, review: ManagementReview, actor: Any, pack: review_pack.Pack) -> str:
    """Store the pack as PDF on the review (an attachment with its SHA-256) and return the digest."""
    pdf = review_pack.render_pdf(pack, review)
    upload = SimpleUploadedFile(f"{review.reference}-review-pack.pdf", pdf, content_type="application/pdf")
    attachment = core_services.attachment_store(target=review, upload=upload, actor=actor)
    return attachment.sha256


@transaction.atomic
def review_transition(
    *, actor: Any, instance: ManagementReview, transition: str, note: str = "", data: dict | None = None
) -> ManagementReview:
    """Move a review along its lifecycle. Preparing assembles the pack from live data; holding assembles
    it once more and freezes it as a PDF with its digest; approving the minutes is the chair's."""
    review = (
        ManagementReview.objects.select_for_update(of=("self",)).select_related("chair").get(pk=instance.pk)
    )
    step = REVIEW_WORKFLOW.check(review, review.status, transition)
    extra: dict[str, Any] = {}
    if step.name in ("prepare_pack", "hold"):
        held_on = _held_on(data, review) if step.name == "hold" else None
        current = review_pack.pack_for(review, actor)
        extra.update({"pack_prepared_at": current.generated_at, "pack_topics": current.coverage})
        if step.name == "hold":
            extra["held_on"] = held_on
            extra["pack_sha256"] = freeze_pack(review=review, actor=actor, pack=current)
    elif step.name == "approve_minutes":
        _check_chair(review, actor)
        extra["minutes_approved_at"] = timezone.now()
    return core_services.record_transition(
        instance=review,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )


# --- actions --------------------------------------------------------------------------------------------


def _check_review_open(review: ManagementReview | None) -> None:
    if review is not None and review.status == S.CANCELLED:
        raise ValidationError({"review": [_("A cancelled review gives no actions.")]})


@transaction.atomic
def action_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> ReviewAction:
    """Record an action a review gave someone; it needs an owner and a due date (declared required)."""
    _check_review_open(data.get("review"))
    return core_services.record_create(model=ReviewAction, data=data, actor=actor)


@transaction.atomic
def action_update(
    *, actor: Any, instance: ReviewAction, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> ReviewAction:
    return core_services.record_update(instance=instance, data=data, actor=actor)


@transaction.atomic
def action_transition(
    *, actor: Any, instance: ReviewAction, transition: str, note: str = "", data: dict | None = None
) -> ReviewAction:
    """Complete or cancel an action with a note of what was done (or why not), or reopen it."""
    action = ReviewAction.objects.select_for_update().get(pk=instance.pk)
    step = ACTION_WORKFLOW.get(transition)
    given = str((data or {}).get("completion_note") or "").strip()
    stored_note = action.completion_note
    if given:
        action.completion_note = given
    if action.status in step.sources and step.needs and not action.completion_note.strip():
        raise ValidationError(
            {"completion_note": [_("Needed to %(step)s.") % {"step": str(step.label).lower()}]}
        )
    ACTION_WORKFLOW.check(action, action.status, transition)
    action.completion_note = stored_note  # the change log's "before" is what was stored
    extra: dict[str, Any] = {}
    if given:
        extra["completion_note"] = given
    if step.name in ("complete", "cancel"):
        extra["completed_on"] = timezone.localdate()
    else:
        extra["completed_on"] = None
    return core_services.record_transition(
        instance=action,
        actor=actor,
        field="status",
        target=step.target,
        message=note or str(step.label),
        extra=extra,
    )
