"""Conformity checks evidenced by the resources and competence records (2011 4.4.1, 4.4.2; 2018 7.1, 7.2).

Awareness (2011 4.4.2.d; 2018 7.3) is evidenced by the documents app's acknowledgements, not here.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servitium.core.checks import CheckResult, Evidence, register, tally
from servitium.core.models import Attachment

from . import selectors
from .models import CompetenceRequirement, PersonCompetence, ResourceBudget, TrainingRecord


@register(
    "competence.roles_have_requirements",
    requirements=["iso20000-1:2018#7.2.a", "iso20000-1:2011#4.4.2.a"],
    title=_("The competence each role needs is recorded: every staff member's role has requirements"),
)
def roles_have_requirements() -> CheckResult:
    """Staff are the provider's active people with a job title or in a team; each must fall under at least
    one requirement (by job title or team)."""
    titles = {
        t.casefold()
        for t in CompetenceRequirement.objects.exclude(job_title="").values_list("job_title", flat=True)
    }
    teams = set(CompetenceRequirement.objects.exclude(team=None).values_list("team_id", flat=True))
    staff = list(
        selectors.staff_people()
        .filter(Q(teams__isnull=False) | ~Q(job_title=""))
        .distinct()
        .prefetch_related("teams")
    )
    covered = [
        p for p in staff if p.job_title.casefold() in titles or any(t.pk in teams for t in p.teams.all())
    ]
    missing = [p for p in staff if p not in covered]
    return CheckResult.from_counts(
        total=len(staff),
        good=len(covered),
        met=_("The roles of all %(n)d staff members have competence requirements.") % {"n": len(staff)},
        not_met=_("%(bad)d of %(n)d staff members hold a role without competence requirements.")
        % {"bad": len(missing), "n": len(staff)},
        none=_("No staff members are recorded."),
        evidence=list(CompetenceRequirement.objects.order_by("-pk")[:20]),
        gaps=missing[:20],
    )


@register(
    "competence.people_meet_requirements",
    requirements=["iso20000-1:2018#7.2.b"],
    title=_(
        "People hold the competences their roles require, at the required level and with current certificates"
    ),
)
def people_meet_requirements() -> CheckResult:
    rows, roles = selectors.gaps()
    good = [g for g in rows if g.status == selectors.MET]
    short = [g for g in rows if g.status != selectors.MET]
    unmet = [r for r in roles if r.status == "unmet"]
    result = CheckResult.from_counts(
        total=len(rows),
        good=len(good),
        met=_("All %(n)d role requirements are met by the people who hold the roles.") % {"n": len(rows)},
        not_met=_(
            "%(bad)d of %(n)d person-requirement pairs fall short (%(expired)d expired certificates); "
            "%(unmet)d requirements are met by nobody in the role."
        )
        % {
            "bad": len(short),
            "n": len(rows),
            "expired": sum(1 for g in short if g.status == selectors.EXPIRED),
            "unmet": len(unmet),
        },
        none=_("No one holds a role with competence requirements."),
        figures={"unmet_requirements": len(unmet)},
    )
    result.evidence = [Evidence.of(g.requirement) for g in good[:20]]
    result.gaps = [_gap_evidence(g) for g in short[:20]]
    return result


def _gap_evidence(gap: selectors.Gap) -> Evidence:
    label = (
        f"{gap.person.name}: {gap.requirement.competence.name} {gap.held}/{gap.requirement.required_level}"
    )
    return Evidence("parties.person", gap.person.pk, f"{label} ({gap.status})")


def _addressed(gap: selectors.Gap, training: dict, since: dt.date) -> bool:
    """Training booked, or taken after the certificate lapsed (expired) or within the last year (other
    gaps), for this person and competence."""
    for date, result in training.get((gap.person.pk, gap.requirement.competence_id), ()):
        if result == TrainingRecord.Result.BOOKED:
            return True
        if date > gap.expired_on if gap.expired_on else date >= since:
            return True
    return False


@register(
    "competence.gaps_addressed",
    requirements=["iso20000-1:2018#7.2.c", "iso20000-1:2011#4.4.2.b"],
    title=_("Where people fall short of their role, training is booked or was taken in the last year"),
)
def gaps_addressed() -> CheckResult:
    since = timezone.localdate() - dt.timedelta(days=365)
    short = [g for g in selectors.gaps()[0] if g.status != selectors.MET]
    training: dict[tuple[int, int], list] = {}
    for person, competence, date, result in TrainingRecord.objects.exclude(competence=None).values_list(
        "person_id", "competence_id", "date", "result"
    ):
        training.setdefault((person, competence), []).append((date, result))
    addressed = [g for g in short if _addressed(g, training, since)]
    open_ = [g for g in short if not _addressed(g, training, since)]
    result = CheckResult.from_counts(
        total=len(short),
        good=len(addressed),
        met=_("Training is under way for all %(n)d competence gaps.") % {"n": len(short)},
        not_met=_("%(bad)d of %(n)d competence gaps have no training booked or taken.")
        % {"bad": len(open_), "n": len(short)},
        none=_("Nobody falls short of their role's requirements."),
    )
    result.gaps = [_gap_evidence(g) for g in open_[:20]]
    result.evidence = [_gap_evidence(g) for g in addressed[:20]]
    return result


@register(
    "competence.training_effectiveness_evaluated",
    requirements=["iso20000-1:2018#7.2.c", "iso20000-1:2011#4.4.2.c"],
    title=_("Training taken in the last year records how its effectiveness was evaluated"),
)
def training_effectiveness_evaluated() -> CheckResult:
    since = timezone.localdate() - dt.timedelta(days=365)
    taken = TrainingRecord.objects.filter(date__gte=since, date__lte=timezone.localdate()).exclude(
        result=TrainingRecord.Result.BOOKED
    )
    counted = tally(taken, ~Q(effectiveness=""))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d training records of the last year say how their effect was checked."),
        not_met=_("%(bad)d of %(n)d training records of the last year have no evaluation of effectiveness."),
        none=_("No training was taken in the last year."),
    )


@register(
    "competence.records_have_evidence",
    requirements=["iso20000-1:2018#7.2.d", "iso20000-1:2011#4.4.2.e"],
    title=_("Competences held are recorded with an assessment date and evidence (text or attached files)"),
)
def records_have_evidence() -> CheckResult:
    files = Attachment.objects.filter(
        target_type=ContentType.objects.get_for_model(PersonCompetence), object_id=OuterRef("pk")
    )
    held = PersonCompetence.objects.annotate(has_file=Exists(files))
    counted = tally(held, Q(assessed_on__isnull=False) & (~Q(evidence="") | Q(has_file=True)))
    return CheckResult.from_tally(
        counted,
        met=_("All %(n)d competences held are dated and evidenced."),
        not_met=_("%(bad)d of %(n)d competences held lack an assessment date or evidence."),
        none=_("No competences held are recorded."),
    )


@register(
    "competence.services_resourced",
    requirements=["iso20000-1:2018#7.1.s1", "iso20000-1:2011#4.4.1.a", "iso20000-1:2011#4.4.1.b"],
    title=_("Every live service has an owner and a budget for the current year"),
)
def services_resourced() -> CheckResult:
    from servitium.catalog.models import Service

    year = timezone.localdate().year
    budgeted = ResourceBudget.objects.filter(service=OuterRef("pk"), year=year)
    live = Service.objects.filter(status="live").annotate(budgeted=Exists(budgeted))
    counted = tally(live, Q(owner__isnull=False, budgeted=True), newest_first="name")
    return CheckResult.from_counts(
        total=counted.total,
        good=counted.good,
        met=_("All %(n)d live services have an owner and a %(year)d budget.")
        % {"n": counted.total, "year": year},
        not_met=_("%(bad)d of %(n)d live services lack an owner or a %(year)d budget.")
        % {"bad": counted.total - counted.good, "n": counted.total, "year": year},
        none=_("No live services."),
        evidence=counted.evidence,
        gaps=counted.gaps,
        figures={"year": year},
    )


@register(
    "competence.resources_managed",
    requirements=["iso20000-1:2011#4.5.3.c"],
    title=_(
        "People, technology and information are managed: every team member's competence is assessed, every "
        "CI in use has an owner, every series of the records register has an owner"
    ),
)
def resources_managed() -> CheckResult:
    from servitium.cmdb.models import ConfigurationItem
    from servitium.documents.models import RecordSeries
    from servitium.parties.models import Person

    assessed = PersonCompetence.objects.filter(person=OuterRef("pk"), assessed_on__isnull=False)
    people = (
        Person.objects.filter(
            active=True, teams__isnull=False, organization__kind__in=("provider", "internal")
        )
        .distinct()
        .annotate(assessed=Exists(assessed))
    )
    parts = {
        _("people"): tally(people, Q(assessed=True), newest_first="name"),
        _("CIs in use"): tally(ConfigurationItem.objects.filter(status="in_use"), Q(owner__isnull=False)),
        _("records series"): tally(RecordSeries.objects.all(), Q(owner__isnull=False)),
    }
    short = [
        _("%(bad)d of %(n)d %(kind)s") % {"bad": t.total - t.good, "n": t.total, "kind": kind}
        for kind, t in parts.items()
        if t.good < t.total
    ]
    return CheckResult.from_counts(
        total=sum(t.total for t in parts.values()),
        good=sum(t.good for t in parts.values()),
        met=_("Every team member's competence is assessed; every CI in use and records series has an owner."),
        not_met=_("Not managed (no assessed competence, or no owner): %(list)s.")
        % {"list": "; ".join(short)},
        none=_("No team members, CIs in use or records series yet."),
        evidence=[e for t in parts.values() for e in t.evidence[:7]],
        gaps=[g for t in parts.values() for g in t.gaps[:7]],
        figures={str(kind): {"total": t.total, "good": t.good} for kind, t in parts.items()},
    )
