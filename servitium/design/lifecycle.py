"""Lifecycles of service requirements (proposed -> agreed / withdrawn) and of design and transition
projects: planning -> design -> build (and test) -> acceptance -> transition -> review -> closed, or
cancelled before the review. Each guard says in plain words what the next step still lacks."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from servitium.core.workflow import Transition, Workflow

from .models import AcceptanceResult, DesignProject, ServiceRequirement

R = ServiceRequirement.Status
S = DesignProject.Status
K = DesignProject.Kind

# The stages in order; a project "past" a stage has finished it.
STAGES = (S.PLANNING, S.DESIGN, S.BUILD, S.ACCEPTANCE, S.TRANSITION, S.REVIEW, S.CLOSED)
# The change of major impact may be implemented once its project is here ("passed acceptance").
PASSED_ACCEPTANCE = (S.TRANSITION, S.REVIEW, S.CLOSED)
ENDED = (S.CLOSED, S.CANCELLED)


def past(stage: str) -> tuple[str, ...]:
    """Statuses of projects that have finished `stage`."""
    return STAGES[STAGES.index(stage) + 1 :]


def requirement_agreeable(requirement: ServiceRequirement) -> str | None:
    if requirement.agreed_by_id is None:
        return _("Name who agreed the requirement (agreed_by) first.")
    return None


REQUIREMENT_WORKFLOW = Workflow(
    states=R.values,
    transitions=[
        Transition("agree", frozenset({R.PROPOSED}), R.AGREED, _lazy("Agree"), guard=requirement_agreeable),
        Transition("withdraw", frozenset({R.PROPOSED, R.AGREED}), R.WITHDRAWN, _lazy("Withdraw")),
        Transition("reopen", frozenset({R.WITHDRAWN}), R.PROPOSED, _lazy("Propose again")),
    ],
)

# (field, label) of what planning must state before design starts (2011 5.2 a-j; 2018 8.5.2.1 a-h).
PLANNING_ITEMS = (
    ("authorities", _lazy("authorities and responsibilities")),
    ("party_activities", _lazy("activities of each party")),
    ("communication", _lazy("communication to interested parties")),
    ("resources_human", _lazy("human resources")),
    ("resources_technical", _lazy("technical resources")),
    ("resources_information", _lazy("information resources")),
    ("resources_financial", _lazy("financial resources")),
    ("milestones", _lazy("milestones")),
    ("risks", _lazy("risks")),
    ("dependencies", _lazy("dependencies")),
    ("testing", _lazy("testing")),
    ("impacts_financial", _lazy("financial impact")),
    ("impacts_organisational", _lazy("organisational impact")),
    ("impacts_technical", _lazy("technical impact")),
    ("impacts_sms", _lazy("impact on the SMS")),
)
# What design must state before build (2011 5.3 a-k; 2018 8.5.2.2 a-g).
DESIGN_ITEMS = (
    ("delivery_responsibilities", _lazy("delivery authorities and responsibilities")),
    ("delivery_activities", _lazy("delivery activities of each party")),
    ("staffing", _lazy("staffing, competence and training")),
    ("financial_needs", _lazy("financial needs")),
    ("technology", _lazy("technology")),
    ("plans_and_policies", _lazy("plans and policies")),
    ("agreements_notes", _lazy("contracts and agreements")),
    ("sms_changes", _lazy("changes to the SMS")),
    ("catalogue_updates", _lazy("catalogue updates")),
    ("procedures", _lazy("procedures, measures and information")),
    ("effect_on_services", _lazy("effect on other services")),
)


def _blank(project: DesignProject, names) -> list[str]:
    return [str(label) for name, label in names if not (getattr(project, name) or "").strip()]


def _saved(project: DesignProject) -> bool:
    return project.pk is not None


def planning_missing(project: DesignProject) -> list[str]:
    """What the plan still lacks (empty: ready for design)."""
    missing = _blank(project, PLANNING_ITEMS)
    if project.service_id is None:
        missing.insert(0, str(_lazy("the service")))
    if project.planned_start is None or project.planned_end is None:
        missing.append(str(_lazy("planned start and end")))
    if _saved(project):
        if not project.requirements.exists():
            missing.append(str(_lazy("the requirements it meets")))
        if not project.criteria.exists():
            missing.append(str(_lazy("acceptance criteria")))
        if not project.outcomes.exists():
            missing.append(str(_lazy("measurable expected outcomes")))
        if project.kind in (K.REMOVAL, K.TRANSFER) and not project.handover_items.exists():
            missing.append(str(_lazy("handover items (what is archived, disposed of or handed over)")))
    if project.plan_agreed_by_id is None or project.plan_agreed_on is None:
        missing.append(str(_lazy("the customer's agreement to the plan (plan_agreed_by, plan_agreed_on)")))
    return missing


def _plan_ready(project: DesignProject) -> str | None:
    missing = planning_missing(project)
    if missing:
        return _("Before design the plan needs: %(items)s.") % {"items": "; ".join(missing)}
    return None


def _design_ready(project: DesignProject) -> str | None:
    missing = _blank(project, DESIGN_ITEMS)
    if missing:
        return _("Before build the design needs: %(items)s.") % {"items": "; ".join(missing)}
    return None


def _tested(project: DesignProject) -> str | None:
    if not (project.test_results or "").strip():
        return _("Record the test results (test_results) before acceptance.")
    return None


def acceptance_missing(project: DesignProject) -> str | None:
    """Why the project has not passed acceptance yet (None: it may go to transition)."""
    criteria = list(project.criteria.all()) if _saved(project) else []
    if not criteria:
        return _("Record the acceptance criteria first.")
    open_ = [c for c in criteria if not c.result]
    if open_:
        return _("%(n)d of %(total)d acceptance criteria are not evaluated yet.") % {
            "n": len(open_),
            "total": len(criteria),
        }
    failed = [c for c in criteria if c.result == AcceptanceResult.NOT_MET]
    if failed:
        if project.deploy_decision == DesignProject.Decision.DO_NOT_DEPLOY:
            return _(
                "%(n)d criteria are not met and the decision was not to deploy: rework (back to build)."
            ) % {"n": len(failed)}
        if (
            project.deploy_decision != DesignProject.Decision.DEPLOY
            or project.decision_by_id is None
            or not (project.decision_reason or "").strip()
        ):
            return _(
                "%(n)d criteria are not met: record the decision to deploy anyway (deploy_decision, "
                "decision_by, decision_reason) or rework the service."
            ) % {"n": len(failed)}
    return None


def _transitioned(project: DesignProject) -> str | None:
    missing = []
    if not (project.transition_report or "").strip():
        missing.append(str(_lazy("the transition report")))
    if project.kind in (K.NEW, K.CHANGED) and _saved(project) and not project.releases.exists():
        missing.append(str(_lazy("the release that deployed it")))
    if missing:
        return _("Before the review the transition needs: %(items)s.") % {"items": "; ".join(missing)}
    return None


def review_missing(project: DesignProject) -> str | None:
    missing = []
    if _saved(project) and project.outcomes.filter(achieved="").exists():
        missing.append(str(_lazy("the achieved value of every expected outcome")))
    if not (project.review_conclusions or "").strip():
        missing.append(str(_lazy("the review conclusions")))
    if not (project.reported_to or "").strip():
        missing.append(str(_lazy("to whom the outcome was reported")))
    if _saved(project) and project.handover_items.filter(done_at=None).exists():
        missing.append(str(_lazy("every handover item done")))
    if missing:
        return _("Before closing the review needs: %(items)s.") % {"items": "; ".join(missing)}
    return None


PROJECT_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition(
            "approve_plan", frozenset({S.PLANNING}), S.DESIGN, _lazy("Approve the plan"), guard=_plan_ready
        ),
        Transition(
            "approve_design", frozenset({S.DESIGN}), S.BUILD, _lazy("Approve the design"), guard=_design_ready
        ),
        Transition(
            "start_acceptance",
            frozenset({S.BUILD}),
            S.ACCEPTANCE,
            _lazy("Tested: to acceptance"),
            guard=_tested,
        ),
        Transition(
            "pass_acceptance",
            frozenset({S.ACCEPTANCE}),
            S.TRANSITION,
            _lazy("Passed acceptance"),
            guard=acceptance_missing,
        ),
        Transition("rework", frozenset({S.ACCEPTANCE}), S.BUILD, _lazy("Back to build")),
        Transition(
            "complete_transition",
            frozenset({S.TRANSITION}),
            S.REVIEW,
            _lazy("Transition complete"),
            guard=_transitioned,
        ),
        Transition(
            "close", frozenset({S.REVIEW}), S.CLOSED, _lazy("Close after review"), guard=review_missing
        ),
        Transition(
            "cancel",
            frozenset({S.PLANNING, S.DESIGN, S.BUILD, S.ACCEPTANCE, S.TRANSITION}),
            S.CANCELLED,
            _lazy("Cancel"),
        ),
    ],
)


def next_step_blocked(project: DesignProject) -> list[tuple[str, str]]:
    """(label, reason) of every forward step from the project's status that is refused now."""
    blocked = []
    for step in PROJECT_WORKFLOW.from_state(project.status):
        if step.name in ("cancel", "rework") or step.guard is None:
            continue
        reason = step.guard(project)
        if reason:
            blocked.append((str(step.label), reason))
    return blocked
