"""Conformity checks evidenced by service design and transition (2011 clause 5; 2018 8.2.2, 8.5.2).

A project counts as evidence for a stage only once it has finished that stage: a project still in
planning says nothing about its design, one still in design nothing about its testing. Each planning and
design item is its own rule bound to its own leaf, naming the projects that lack it.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.changes.models import Change
from servitium.core.checks import CheckResult, record_rule, register, tally

from . import lifecycle as L
from .models import AcceptanceResult, DesignProject, ServiceAcceptanceCriterion, ServiceRequirement

S = DesignProject.Status
K = DesignProject.Kind
MODEL = "design.DesignProject"
Y2011, Y2018 = "iso20000-1:2011", "iso20000-1:2018"
REQUIREMENT_DECIDED_WITHIN_DAYS = 60  # a requirement still only proposed after this long is a gap


def _past(stage: str, *kinds: str) -> Q:
    condition = Q(status__in=L.past(stage))
    return condition & Q(kind__in=kinds) if kinds else condition


def _filled(*names: str) -> Q:
    condition = Q()
    for name in names:
        condition &= ~Q(**{name: ""})
    return condition


def _rule(
    rule_id: str, leaves: list[str], title: str, stage: str, every: Q, kinds: tuple[str, ...] = ()
) -> None:
    record_rule(
        f"design.{rule_id}",
        requirements=leaves,
        title=title,
        model=MODEL,
        where=_past(stage, *kinds),
        every=every,
    )


@register(
    "design.major_changes_have_projects",
    # Routed: every change of major impact, and the categories the change policy always treats as major
    # (removal and transfer of a service), so one check evidences both 2018 leaves.
    requirements=[f"{Y2011}#5.1.s1", f"{Y2018}#8.5.1.2.s3", f"{Y2018}#8.5.1.2.s4"],
    title=_(
        "Every change of major impact (removals and transfers of services always) goes through a design "
        "and transition project"
    ),
)
def major_changes_have_projects() -> CheckResult:
    from servitium.changes.models import Change

    routed = Change.objects.filter(routed_to_design=True).exclude(status__in=["draft", "cancelled"])
    projects = DesignProject.objects.filter(change=OuterRef("pk")).exclude(status=S.CANCELLED)
    counted = tally(routed.annotate(has_project=Exists(projects)), Q(has_project=True))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d major changes have a design and transition project."),
        not_met=_("%(bad)d of %(n)d major changes have no design and transition project."),
        none=_("No change of major impact has been raised."),
    )


record_rule(
    "design.new_services_have_projects",
    requirements=[f"{Y2018}#8.5.1.2.s2"],
    title=_("Every service in the pipeline is brought in by a design and transition project for it"),
    model="catalog.Service",
    where=Q(status="pipeline"),
    every=Q(design_projects__kind=K.NEW, design_projects__status__in=L.STAGES),
)
record_rule(
    "design.live_services_have_agreed_requirements",
    requirements=[f"{Y2011}#4.1.4.a"],
    title=_("Every live service has its service requirements written down and agreed"),
    model="catalog.Service",
    where=Q(status="live"),
    every=Q(service_requirements__status=ServiceRequirement.Status.AGREED),
)


# --- general (2011 5.1) -------------------------------------------------------------------------------------

_rule(
    "projects_under_change_control",
    [f"{Y2011}#5.1.s3"],
    _("Design and transition projects past planning are taken forward under a change"),
    S.PLANNING,
    Q(change__isnull=False) | Q(changes__isnull=False),
)
_rule(
    "outputs_reviewed",
    [f"{Y2011}#5.1.s5"],
    _("The plan and the design of each project were reviewed and approved before the next stage"),
    S.PLANNING,
    Q(planning_approved_at__isnull=False) & (Q(status=S.DESIGN) | Q(design_approved_at__isnull=False)),
)

# --- requirements (2011 5.2.s1, 5.2.s2; 2018 8.2.2.s1, 8.5.2.1.s1) ------------------------------------------

_rule(
    "requirements_identified",
    [f"{Y2011}#5.2.s1", f"{Y2018}#8.2.2.s1", f"{Y2018}#8.5.2.1.s1"],
    _("Each project past planning names the service requirements it meets"),
    S.PLANNING,
    Q(requirements__isnull=False),
)
_rule(
    "planning_agreed",
    [f"{Y2011}#5.2.s2", f"{Y2018}#8.5.2.1.s1"],
    _("Each project's plan was agreed with the customer and meets only agreed requirements"),
    S.PLANNING,
    Q(plan_agreed_on__isnull=False, plan_agreed_by__isnull=False)
    & ~Q(requirements__status__in=[ServiceRequirement.Status.PROPOSED, ServiceRequirement.Status.WITHDRAWN]),
)
record_rule(
    "design.requirements_decided",
    requirements=[f"{Y2011}#5.2.s2", f"{Y2018}#8.2.2.s1"],
    title=_("Service requirements are agreed or withdrawn, not left proposed"),
    model="design.ServiceRequirement",
    where=lambda: Q(raised_on__lte=timezone.localdate() - dt.timedelta(days=REQUIREMENT_DECIDED_WITHIN_DAYS)),
    every=~Q(status=ServiceRequirement.Status.PROPOSED),
)

# --- planning items (2011 5.2 a-j, 5.2.s3; 2018 8.5.2.1 a-h) ------------------------------------------------

PLANNING_RULES = [
    (
        "plan_authorities",
        ["5.2.a", "8.5.2.1.a"],
        _("authorities and responsibilities"),
        _filled("authorities"),
    ),
    (
        "plan_party_activities",
        ["5.2.b", "8.5.2.1.b"],
        _("activities of each party"),
        _filled("party_activities"),
    ),
    ("plan_communication", ["5.2.c"], _("communication to interested parties"), _filled("communication")),
    (
        "plan_resources",
        ["5.2.d", "8.5.2.1.c"],
        _("human, technical, information and financial resources"),
        _filled("resources_human", "resources_technical", "resources_information", "resources_financial"),
    ),
    (
        "plan_timescales",
        ["5.2.e", "8.5.2.1.b"],
        _("timescales"),
        Q(planned_start__isnull=False, planned_end__isnull=False) & _filled("milestones"),
    ),
    ("plan_risks", ["5.2.f"], _("risks"), _filled("risks")),
    (
        "plan_dependencies",
        ["5.2.g", "8.5.2.1.d"],
        _("dependencies on other services"),
        _filled("dependencies"),
    ),
    ("plan_testing", ["5.2.h", "8.5.2.1.e"], _("testing"), _filled("testing")),
    (
        "plan_acceptance_criteria",
        ["5.2.i", "8.5.2.1.f"],
        _("service acceptance criteria"),
        Q(criteria__isnull=False),
    ),
    (
        "plan_measurable_outcomes",
        ["5.2.j", "8.5.2.1.g"],
        _("expected outcomes in measurable terms"),
        Q(outcomes__isnull=False),
    ),
    (
        "plan_impacts",
        ["5.2.s3", "8.5.2.1.h"],
        _("financial, organisational, technical and SMS impacts"),
        _filled("impacts_financial", "impacts_organisational", "impacts_technical", "impacts_sms"),
    ),
]


def _bind(leaves: list[str]) -> list[str]:
    return [f"{Y2018 if leaf.startswith('8.') else Y2011}#{leaf}" for leaf in leaves]


for rule_id, leaves, item, every in PLANNING_RULES:
    _rule(
        rule_id,
        _bind(leaves),
        _("Each project past planning states %(item)s") % {"item": item},
        S.PLANNING,
        every,
    )

_rule(
    "removal_planned",
    _bind(["5.2.s4", "8.5.2.1.s2"]),
    _("The removal of a service is planned item by item (data, documents, CIs, contracts, agreements)"),
    S.PLANNING,
    Q(handover_items__isnull=False),
    kinds=(K.REMOVAL,),
)
_rule(
    "transfer_planned",
    _bind(["5.2.s4", "8.5.2.1.s3"]),
    _("The transfer of a service is planned item by item"),
    S.PLANNING,
    Q(handover_items__isnull=False),
    kinds=(K.TRANSFER,),
)

# --- design items (2011 5.3 a-k; 2018 8.5.2.2 a-g) ----------------------------------------------------------

DESIGN_RULES = [
    (
        "design_responsibilities",
        ["5.3.a", "8.5.2.2.a"],
        _("delivery authorities and responsibilities"),
        _filled("delivery_responsibilities"),
    ),
    ("design_activities", ["5.3.b"], _("delivery activities of each party"), _filled("delivery_activities")),
    (
        "design_staffing",
        ["5.3.c", "8.5.2.2.b", "8.5.2.2.c"],
        _("staffing, competence and training"),
        _filled("staffing"),
    ),
    ("design_financial_needs", ["5.3.d", "8.5.2.2.b"], _("financial needs"), _filled("financial_needs")),
    ("design_technology", ["5.3.e", "8.5.2.2.b"], _("technology"), _filled("technology")),
    ("design_plans_policies", ["5.3.f"], _("plans and policies"), _filled("plans_and_policies")),
    ("design_contracts", ["5.3.g", "8.5.2.2.d"], _("contracts and agreements"), _filled("agreements_notes")),
    ("design_sms_changes", ["5.3.h", "8.5.2.2.e"], _("changes to the SMS"), _filled("sms_changes")),
    ("design_catalogue", ["5.3.j", "8.5.2.2.g"], _("catalogue updates"), _filled("catalogue_updates")),
    ("design_procedures", ["5.3.k"], _("procedures, measures and information"), _filled("procedures")),
    (
        "design_other_services",
        ["8.5.2.2.f"],
        _("the effect on other services"),
        _filled("effect_on_services"),
    ),
]
for rule_id, leaves, item, every in DESIGN_RULES:
    _rule(
        rule_id,
        _bind(leaves),
        _("Each project past design states %(item)s") % {"item": item},
        S.DESIGN,
        every,
    )

_rule(
    "design_slas",
    _bind(["5.3.i", "8.5.2.2.d"]),
    _("Each new or changed service's design names its service level agreements"),
    S.DESIGN,
    Q(agreements__isnull=False),
    kinds=(K.NEW, K.CHANGED),
)

# --- build, acceptance, transition, review (2011 5.4; 2018 8.5.2.3) -----------------------------------------

_rule(
    "tested",
    _bind(["5.4.s1", "8.5.2.3.s1"]),
    _("Each project past build and test records its test results"),
    S.BUILD,
    _filled("test_results"),
)
_rule(
    "acceptance_verified",
    _bind(["5.4.s2", "8.5.2.3.s2"]),
    _("Each project past acceptance evaluated every acceptance criterion"),
    S.ACCEPTANCE,
    Q(criteria__isnull=False) & ~Q(criteria__result=""),
)


def _with_failed_criteria() -> Q:
    failed = ServiceAcceptanceCriterion.objects.filter(result=AcceptanceResult.NOT_MET).values("project")
    return Q(status__in=L.past(S.ACCEPTANCE), pk__in=failed)


record_rule(
    "design.decision_on_failed_criteria",
    requirements=_bind(["5.4.s3", "8.5.2.3.s2"]),
    title=_("A service that failed acceptance criteria was deployed only on a recorded, reasoned decision"),
    model=MODEL,
    where=_with_failed_criteria,
    every=Q(deploy_decision=DesignProject.Decision.DEPLOY, decision_by__isnull=False)
    & _filled("decision_reason"),
)
_rule(
    "deployed_through_release",
    _bind(["5.4.s4", "8.5.2.3.s3"]),
    _("Each new or changed service was deployed through a release"),
    S.TRANSITION,
    Q(releases__isnull=False),
    kinds=(K.NEW, K.CHANGED),
)
_rule(
    "outcomes_reported",
    _bind(["5.4.s5", "8.5.2.3.s4"]),
    _("Each closed project reports the outcomes achieved against those expected, to the interested parties"),
    S.REVIEW,
    _filled("review_conclusions", "reported_to") & Q(outcomes__isnull=False) & ~Q(outcomes__achieved=""),
)


# An agreed requirement revised afterwards names the authorised change that allowed it (2011 7.1.s5). The
# service refuses such a revision without one; the rule also catches a revision written around it.
record_rule(
    "design.requirement_changes_controlled",
    requirements=["iso20000-1:2011#7.1.s5"],
    title=_("Every agreed service requirement revised after agreement names the authorised change"),
    model="design.ServiceRequirement",
    where={"status": "agreed", "revision__gt": 0},
    every=Q(change__status__in=Change.AUTHORISED),
)
