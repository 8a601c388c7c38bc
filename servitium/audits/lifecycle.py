"""The audit lifecycle: planned -> in progress -> reported -> closed (or cancelled before it is reported)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servitium.core.workflow import Transition, Workflow

from .models import Audit, Finding

S = Audit.Status


def _all_judged(audit: Audit) -> str | None:
    missing = audit.checklist.filter(verdict="").count()
    if missing:
        return _("%(n)d checklist items have no verdict yet.") % {"n": missing}
    return None


def _followed_up(audit: Audit) -> str | None:
    """An audit closes once the nonconformities it found are closed (follow-up verified)."""
    open_refs = [
        f.nonconformity.reference
        for f in audit.findings.filter(grade__in=Finding.NONCONFORMITIES).select_related("nonconformity")
        if f.nonconformity is not None and f.nonconformity.status != "closed"
    ]
    if open_refs:
        return _("Its nonconformities are not closed yet: %(refs)s.") % {"refs": ", ".join(open_refs)}
    return None


AUDIT_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition("start", frozenset({S.PLANNED}), S.IN_PROGRESS, gettext_lazy("Start the audit")),
        Transition(
            "report",
            frozenset({S.IN_PROGRESS}),
            S.REPORTED,
            gettext_lazy("Report"),
            needs=("summary",),
            guard=_all_judged,
        ),
        Transition("close", frozenset({S.REPORTED}), S.CLOSED, gettext_lazy("Close"), guard=_followed_up),
        Transition("cancel", frozenset({S.PLANNED, S.IN_PROGRESS}), S.CANCELLED, gettext_lazy("Cancel")),
    ],
)
