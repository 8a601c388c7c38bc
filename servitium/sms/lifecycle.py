"""Lifecycles of the management-system records: context issues, scope versions, objectives and the
sections of the SMS plan."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from servitium.core.workflow import Transition, Workflow

from .models import ContextIssue, Objective, PlanSection, ScopeStatement

I = ContextIssue.Status  # noqa: E741

CONTEXT_WORKFLOW = Workflow(
    states=I.values,
    transitions=[
        Transition("close", frozenset({I.OPEN}), I.CLOSED, _("No longer relevant")),
        Transition("reopen", frozenset({I.CLOSED}), I.OPEN, _("Monitor again")),
    ],
)

S = ScopeStatement.Status


def _scope_incomplete(scope) -> str | None:
    if not scope.text.strip():
        return str(_("The scope statement has no text."))
    if not scope.services.exists():
        return str(_("A scope names the services it covers."))
    return None


SCOPE_WORKFLOW = Workflow(
    states=S.values,
    # The approver is someone other than the author: the service checks the acting user.
    transitions=[
        Transition("approve", frozenset({S.DRAFT}), S.APPROVED, _("Approve"), guard=_scope_incomplete),
        Transition("revise", frozenset({S.APPROVED}), S.DRAFT, _("Back to draft")),
        Transition("make_current", frozenset({S.APPROVED}), S.CURRENT, _("Make current")),
    ],
)

O = Objective.Status  # noqa: E741


def _objective_unplanned(objective) -> str | None:
    missing = [
        str(label)
        for name, label in (
            ("actions", _("what will be done")),
            ("resources", _("resources needed")),
            ("evaluation", _("how results are judged")),
        )
        if not getattr(objective, name).strip()
    ]
    if missing:
        return str(
            _("The objective cannot be activated without its plan: %(items)s.")
            % {"items": ", ".join(missing)}
        )
    return None


OBJECTIVE_WORKFLOW = Workflow(
    states=O.values,
    transitions=[
        Transition("activate", frozenset({O.DRAFT}), O.ACTIVE, _("Activate"), guard=_objective_unplanned),
        Transition("achieve", frozenset({O.ACTIVE}), O.ACHIEVED, _("Mark achieved")),
        Transition("reopen", frozenset({O.ACHIEVED, O.WITHDRAWN}), O.ACTIVE, _("Reopen")),
        Transition("withdraw", frozenset({O.DRAFT, O.ACTIVE}), O.WITHDRAWN, _("Withdraw")),
    ],
)

P = PlanSection.Status


def _section_incomplete(section) -> str | None:
    if not section.text.strip():
        return str(_("Write the section (or say where it is kept) before marking it complete."))
    if section.owner_id is None:
        return str(_("A complete section has an owner."))
    return None


def _section_empty(section) -> str | None:
    return None if section.text.strip() else str(_("Write something before saving a draft."))


SECTION_WORKFLOW = Workflow(
    states=P.values,
    transitions=[
        Transition("draft", frozenset({P.MISSING}), P.DRAFT, _("Mark as draft"), guard=_section_empty),
        Transition(
            "complete",
            frozenset({P.MISSING, P.DRAFT}),
            P.COMPLETE,
            _("Mark complete"),
            guard=_section_incomplete,
        ),
        Transition("revise", frozenset({P.COMPLETE}), P.DRAFT, _("Revise")),
    ],
)
