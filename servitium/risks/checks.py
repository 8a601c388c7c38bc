"""Conformity checks evidenced by the risk register (2011 4.1.1.g, 4.5.3.d; 2018 6.1).

Each is bound to the leaf obligations it shows: the register holds the kinds of risk the standard names,
the acceptance criteria and approach are set, risks beyond the appetite are treated with planned actions,
risks are reviewed on time and treatment is judged by a residual assessment.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core.checks import MET, NOT_MET, CheckResult, Evidence, record_rule, register, tally

from .models import Risk, RiskAction, RiskMatrix
from .selectors import active_matrix

OPEN = ~Q(status=Risk.Status.CLOSED)

record_rule(
    "risks.organizational_risks_recorded",
    requirements=["iso20000-1:2018#6.1.2.a.1"],
    title=_("Risks to the management system and the organization are recorded"),
    model="risks.Risk",
    where={"kind": "risk", "category": "sms"},
)
record_rule(
    "risks.service_risks_recorded",
    requirements=["iso20000-1:2018#6.1.2.a.2"],
    title=_("Risks of not meeting service requirements are recorded"),
    model="risks.Risk",
    where={"kind": "risk", "category": "service"},
)
record_rule(
    "risks.other_party_risks_recorded",
    requirements=["iso20000-1:2018#6.1.2.a.3"],
    title=_("Risks from suppliers and other parties are recorded and linked to them"),
    model="risks.Risk",
    where={"kind": "risk", "suppliers__isnull": False},
)
record_rule(
    "risks.service_risks_state_customer_effect",
    requirements=["iso20000-1:2018#6.1.2.b"],
    title=_("Open service risks and opportunities state their effect on customers"),
    model="risks.Risk",
    where=lambda: Q(category="service") & OPEN,
    every=~Q(customer_impact=""),
)
record_rule(
    "risks.acceptance_criteria_set",
    requirements=["iso20000-1:2018#6.1.2.c"],
    title=_("The active risk matrix states the risk acceptance criteria"),
    model="risks.RiskMatrix",
    where=lambda: Q(active=True) & ~Q(acceptance_criteria=""),
)
record_rule(
    "risks.approach_set",
    requirements=["iso20000-1:2018#6.1.2.d"],
    title=_("The active risk matrix states the risk management approach"),
    model="risks.RiskMatrix",
    where=lambda: Q(active=True) & ~Q(approach=""),
)
record_rule(
    "risks.opportunities_pursued",
    requirements=["iso20000-1:2018#6.1.1.c"],
    title=_("Opportunities to improve are recorded and pursued"),
    model="risks.Risk",
    where={"kind": "opportunity", "status__in": ["treated", "monitored", "closed"]},
)


@register(
    "risks.open_risks_assessed",
    requirements=["iso20000-1:2018#6.1.3.a", "iso20000-1:2011#4.1.1.g"],
    title=_("Every open risk has an owner and is assessed for likelihood and impact (its priority)"),
)
def open_risks_assessed() -> CheckResult:
    risks = Risk.objects.filter(OPEN, kind=Risk.Kind.RISK)
    counted = tally(risks, Q(owner__isnull=False, score__isnull=False))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d open risks have an owner and a score."),
        not_met=_("%(bad)d of %(n)d open risks lack an owner or an assessment."),
        none=_("The risk register holds no open risks."),
    )


def _planned_action() -> Exists:
    return Exists(
        RiskAction.objects.filter(risk=OuterRef("pk"))
        .exclude(status=RiskAction.Status.CANCELLED)
        .exclude(owner__isnull=True)
        .exclude(due_date__isnull=True)
    )


@register(
    "risks.beyond_appetite_treated",
    requirements=[
        "iso20000-1:2018#6.1.1.b",
        "iso20000-1:2018#6.1.3.a",
        "iso20000-1:2011#4.1.1.g",
        "iso20000-1:2011#4.5.3.d",
        "iso20000-1:2011#4.5.5.1.s6",
    ],
    title=_("Risks beyond the appetite have a treatment with actions that have an owner and a due date"),
)
def beyond_appetite_treated() -> CheckResult:
    """Accepting such a risk with a reason counts as a decided treatment; otherwise at least one action
    with an owner and a due date must be planned."""
    matrix = active_matrix()
    risks = Risk.objects.filter(OPEN, kind=Risk.Kind.RISK, score__gt=matrix.appetite).annotate(
        planned=_planned_action()
    )
    accepted = Q(treatment_option=Risk.Treatment.ACCEPT) & ~Q(acceptance_reason="")
    decided = ~Q(status__in=(Risk.Status.IDENTIFIED, Risk.Status.ASSESSED))
    good = decided & (accepted | (~Q(treatment_option="") & Q(planned=True)))
    counted = tally(risks, good, newest_first="-score")
    return CheckResult.from_counts(
        total=counted.total,
        good=counted.good,
        met=_("All %(n)d open risks scoring above %(a)d are treated with planned actions.")
        % {"n": counted.total, "a": matrix.appetite},
        not_met=_(
            "%(bad)d of %(n)d open risks scoring above %(a)d have no treatment with owned, dated actions."
        )
        % {"bad": counted.total - counted.good, "n": counted.total, "a": matrix.appetite},
        none=_("No open risk scores above the appetite (%(a)d).") % {"a": matrix.appetite},
        evidence=counted.evidence,
        gaps=counted.gaps,
        figures={"appetite": matrix.appetite},
    )


@register(
    "risks.reviewed_on_schedule",
    requirements=["iso20000-1:2018#6.1.1.a", "iso20000-1:2011#4.5.3.d"],
    title=_("Open risks and opportunities have a review date and are reviewed by it"),
)
def reviewed_on_schedule() -> CheckResult:
    today = timezone.localdate()
    risks = Risk.objects.filter(OPEN).exclude(status=Risk.Status.IDENTIFIED)
    counted = tally(risks, Q(review_date__gte=today))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d assessed open risks are within their review date."),
        not_met=_("%(bad)d of %(n)d assessed open risks are past their review date or have none."),
        none=_("No assessed open risks to review."),
    )


@register(
    "risks.treatment_effect_evaluated",
    requirements=["iso20000-1:2018#6.1.3.b"],
    title=_("Risks whose treatment actions are done have their residual risk assessed"),
)
def treatment_effect_evaluated() -> CheckResult:
    done = RiskAction.objects.filter(risk=OuterRef("pk"), status=RiskAction.Status.DONE)
    still_open = RiskAction.objects.filter(risk=OuterRef("pk"), status__in=RiskAction.OPEN)
    risks = Risk.objects.annotate(done=Exists(done), pending=Exists(still_open)).filter(
        done=True, pending=False
    )
    counted = tally(risks, Q(residual_score__isnull=False))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d risks with completed treatment have a residual assessment."),
        not_met=_("%(bad)d of %(n)d risks with completed treatment have no residual assessment."),
        none=_("No risk has completed its treatment actions yet."),
    )


@register(
    "risks.matrix_in_force",
    requirements=["iso20000-1:2011#4.1.1.g"],
    title=_("A risk matrix with an appetite is in force for assessing risks to the services"),
)
def matrix_in_force() -> CheckResult:
    matrix = RiskMatrix.objects.filter(active=True).first()
    if matrix is None:
        return CheckResult(NOT_MET, _("No risk matrix is active."), {"total": 0})
    return CheckResult(
        MET,
        _("Risks are scored on “%(name)s”; the appetite is %(a)d.")
        % {"name": matrix.name, "a": matrix.appetite},
        {"appetite": matrix.appetite},
        [Evidence.of(matrix)],
    )
