"""Lifecycles of configuration audits (planned -> in progress -> reconciled -> closed) and of their
findings (open <-> closed). Importing discovered data is what starts an audit: see `audits.audit_import`."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from servitium.core.workflow import Transition, Workflow

from .records import AuditFinding, ConfigurationAudit

A = ConfigurationAudit.Status
F = AuditFinding.Status


def _findings_open(audit: ConfigurationAudit) -> str | None:
    open_count = audit.findings.filter(status=F.OPEN).count()
    if open_count:
        return _("%(n)d finding(s) are still open; close each before closing the audit.") % {"n": open_count}
    return None


AUDIT_WORKFLOW = Workflow(
    states=A.values,
    transitions=[
        Transition("reconcile", frozenset({A.IN_PROGRESS}), A.RECONCILED, _lazy("Reconcile")),
        Transition("close", frozenset({A.RECONCILED}), A.CLOSED, _lazy("Close"), guard=_findings_open),
    ],
)

FINDING_WORKFLOW = Workflow(
    states=F.values,
    transitions=[
        Transition("close", frozenset({F.OPEN}), F.CLOSED, _lazy("Close"), needs=("resolution",)),
        Transition("reopen", frozenset({F.CLOSED}), F.OPEN, _lazy("Reopen")),
    ],
)
