"""Reads of internal audit: requirement keys and the leaves under them, live conformity statuses, the
suggested audit frequency of a programme item, programme progress, the audit report's figures and the
management review input."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.db.models import Q
from django.utils import timezone

from servitium.conformity import selectors as conformity_selectors
from servitium.conformity.models import Requirement, Result
from servitium.core import permissions
from servitium.improvement.models import Nonconformity

from .models import Audit, AuditProgramme, ChecklistItem, Finding, ProgrammeItem

BASE_MONTHS = {"high": 6, "medium": 12, "low": 24}  # how often an area is audited by its risk
SHORTEST_MONTHS = 3


def requirements_by_key(keys: list[str]) -> dict[str, Requirement]:
    """The requirements named by `<framework slug>#<identifier>` keys (unknown keys are left out)."""
    wanted = Q(pk__in=[])
    for key in keys:
        slug, _sep, identifier = key.partition("#")
        wanted |= Q(framework__slug=slug, identifier=identifier)
    found = Requirement.objects.filter(wanted).select_related("framework")
    return {f"{r.framework.slug}#{r.identifier}": r for r in found}


def leaves_under(requirements: list[Requirement]) -> list[int]:
    """Ids of the leaf obligations under these requirements (a leaf itself counts), in catalogue order."""
    if not requirements:
        return []
    rows = list(
        Requirement.objects.filter(framework__in={r.framework_id for r in requirements})
        .order_by("framework_id", "order", "id")
        .values_list("id", "parent_id")
    )
    children: dict[int, list[int]] = defaultdict(list)
    for rid, parent in rows:
        if parent:
            children[parent].append(rid)
    position = {rid: n for n, (rid, _parent) in enumerate(rows)}
    leaves: set[int] = set()
    stack = [r.pk for r in requirements]
    while stack:
        rid = stack.pop()
        if children.get(rid):
            stack.extend(children[rid])
        else:
            leaves.add(rid)
    return sorted(leaves, key=lambda rid: position.get(rid, 0))


def live_statuses(requirement_ids: list[int]) -> dict[int, str]:
    """Each requirement's status in the latest assessment that covers it."""
    statuses: dict[int, str] = {}
    if not requirement_ids:
        return statuses
    runs = {}
    for slug in (
        Requirement.objects.filter(pk__in=requirement_ids)
        .values_list("framework__slug", flat=True)
        .distinct()
    ):
        run = conformity_selectors.latest_assessment(covering=slug)
        if run is not None:
            runs[run.pk] = run
    for run in runs.values():
        rows = Result.objects.filter(assessment=run, requirement_id__in=requirement_ids)
        statuses.update(dict(rows.values_list("requirement_id", "status")))
    return statuses


def _open_ncs_under(keys: list[str]) -> int:
    if not keys:
        return 0
    under = Q(pk__in=[])
    for key in keys:
        under |= Q(requirement=key) | Q(requirement__startswith=f"{key}.")
    return Nonconformity.objects.exclude(status=Nonconformity.Status.CLOSED).filter(under).count()


def last_audit(item: ProgrammeItem) -> Audit | None:
    """The latest reported audit of the item's area (in this or an earlier programme)."""
    done = Audit.objects.filter(status__in=Audit.DONE, programme_item__area=item.area)
    return done.order_by("-reported_on", "-id").first()


def suggested_frequency(item: ProgrammeItem) -> int:
    """Months between audits of the item's area: by its risk (high 6, medium 12, low 24), halved when
    nonconformities under its clauses are open, halved again when its last audit found a major one;
    never below 3."""
    months = BASE_MONTHS.get(item.risk_level, 12)
    if _open_ncs_under(item.clause_keys()):
        months //= 2
    previous = last_audit(item)
    if previous is not None and previous.findings.filter(grade=Finding.Grade.MAJOR).exists():
        months //= 2
    return max(months, SHORTEST_MONTHS)


def item_progress(programme: AuditProgramme, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Each item of the programme: audited in its year (a reported or closed audit of the item), planned,
    or overdue (its month has passed without one)."""
    today = today or timezone.localdate()
    rows = []
    for item in programme.items.all():
        audits = list(item.audits.exclude(status=Audit.Status.CANCELLED))
        done = [a for a in audits if a.status in Audit.DONE]
        month_over = (programme.year, item.planned_month) < (today.year, today.month)
        state = "audited" if done else ("overdue" if month_over else "planned")
        rows.append({"item": item, "audits": audits, "state": state})
    return rows


def report(audit: Audit) -> dict[str, Any]:
    """The audit report's figures: findings by grade, checklist verdicts and live statuses."""
    checklist = list(audit.checklist.select_related("requirement__framework"))
    findings = list(audit.findings.select_related("requirement", "owner", "nonconformity", "opportunity"))
    verdicts = Counter(c.verdict or "none" for c in checklist)
    live = Counter(c.live_status or "no_evidence" for c in checklist)
    return {
        "checklist": checklist,
        "findings": findings,
        "by_grade": [
            (label, sum(1 for f in findings if f.grade == value)) for value, label in Finding.Grade.choices
        ],
        "verdicts": [(label, verdicts.get(value, 0)) for value, label in ChecklistItem.Verdict.choices]
        + [("—", verdicts.get("none", 0))],
        "live": sorted(live.items()),
        "items": len(checklist),
    }


def audit_results_review(start: dt.date, end: dt.date, user: Any) -> dict[str, Any]:
    """Review input: audits reported in the period with their findings by grade; the programme's overdue
    items; the latest conformity assessment's figures per edition."""
    audits = permissions.restrict(Audit.objects.all(), user)
    reported = list(
        audits.filter(reported_on__gte=start, reported_on__lte=end)
        .order_by("reported_on")
        .prefetch_related("findings")
    )
    grades = Counter(f.grade for a in reported for f in a.findings.all())
    programme = permissions.restrict(AuditProgramme.objects.filter(year=end.year), user).first()
    overdue = (
        [row["item"] for row in item_progress(programme, end) if row["state"] == "overdue"]
        if programme
        else []
    )
    assessment = conformity_selectors.latest_assessment()
    return {
        "audits": [{"audit": a, "grades": _graded(a.findings.all())} for a in reported],
        "grades": [(label, grades.get(value, 0)) for value, label in Finding.Grade.choices],
        "planned": audits.filter(status=Audit.Status.PLANNED, planned_start__gte=start).count(),
        "programme": programme,
        "overdue_items": overdue,
        "assessment": assessment,
        "editions": conformity_selectors.by_edition(assessment) if assessment else [],
    }


def _graded(findings) -> list[tuple[str, int]]:
    counts = Counter(f.grade for f in findings)
    return [(str(label), counts[value]) for value, label in Finding.Grade.choices if counts.get(value)]


def home_figures(user: Any, today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    audits = permissions.restrict(Audit.objects.all(), user)
    programme = permissions.restrict(AuditProgramme.objects.filter(year=today.year), user).first()
    progress = item_progress(programme, today) if programme else []
    return {
        "programme": programme,
        "items": len(progress),
        "audited": sum(1 for r in progress if r["state"] == "audited"),
        "overdue": [r["item"] for r in progress if r["state"] == "overdue"],
        "in_progress": audits.filter(status=Audit.Status.IN_PROGRESS).count(),
        "planned": audits.filter(status=Audit.Status.PLANNED).count(),
    }
