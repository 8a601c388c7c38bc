"""The lifecycle of a document version and of a disposal request, each in one transition table.

Guards that depend only on the record sit here; guards that depend on who acts (the approver is not the
author, the disposal approver is not the requester) are checked by the services, which know the actor.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from servitium.core.workflow import Transition, Workflow

from .models import DisposalRequest, DocumentVersion

S = DocumentVersion.Status


def _has_content(version) -> str | None:
    if not (version.body or "").strip() and not version.file_id:
        return _("The version has neither text nor a file; add its content first.")
    return None


def _due(version) -> str | None:
    """A version comes into force on its effective date, not before. (`as_of`: the day the service acts
    for, when a job runs for a given time; otherwise today.)"""
    today = getattr(version, "as_of", None) or timezone.localdate()
    if version.effective_date and version.effective_date > today:
        return _(
            "This version comes into force on %(date)s, not before (the nightly job releases it then)."
        ) % {"date": date_format(version.effective_date, "DATE_FORMAT")}
    return None


def _only_by_successor(version) -> str | None:
    return _("A version is superseded when a newer version of its document comes into force.")


VERSION_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition(
            "submit", frozenset({S.DRAFT}), S.IN_REVIEW, _lazy("Submit for review"), guard=_has_content
        ),
        Transition("return_to_draft", frozenset({S.IN_REVIEW}), S.DRAFT, _lazy("Return to author")),
        # The approver must not be the author: checked in services.version_transition (it needs the actor).
        Transition(
            "approve",
            frozenset({S.IN_REVIEW}),
            S.APPROVED,
            _lazy("Approve"),
            action="approve",
            guard=_has_content,
        ),
        Transition(
            "make_effective", frozenset({S.APPROVED}), S.EFFECTIVE, _lazy("Bring into force"), guard=_due
        ),
        Transition(
            "supersede", frozenset({S.EFFECTIVE}), S.SUPERSEDED, _lazy("Supersede"), guard=_only_by_successor
        ),
        Transition(
            "withdraw",
            frozenset({S.DRAFT, S.IN_REVIEW, S.APPROVED, S.EFFECTIVE}),
            S.OBSOLETE,
            _lazy("Withdraw"),
            action="approve",
        ),
    ],
)

D = DisposalRequest.Status


def _not_on_hold(request) -> str | None:
    series = request.series
    if series.legal_hold:
        return _(
            "The records of %(series)s are under legal hold (%(reason)s); nothing may be disposed of."
        ) % {
            "series": series.name,
            "reason": series.legal_hold_reason or _("no reason given"),
        }
    return None


DISPOSAL_WORKFLOW = Workflow(
    states=D.values,
    transitions=[
        # The approver must not be the requester: checked in services.disposal_transition.
        Transition(
            "approve",
            frozenset({D.REQUESTED}),
            D.APPROVED,
            _lazy("Approve disposal"),
            action="approve",
            guard=_not_on_hold,
        ),
        Transition(
            "reject", frozenset({D.REQUESTED, D.APPROVED}), D.REJECTED, _lazy("Reject"), action="approve"
        ),
        Transition(
            "dispose",
            frozenset({D.APPROVED}),
            D.DISPOSED,
            _lazy("Dispose of the records"),
            guard=_not_on_hold,
        ),
    ],
)
