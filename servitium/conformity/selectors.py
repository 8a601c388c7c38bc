"""Reads of the conformity engine: roll-ups of an assessment, differences between runs, the gap analysis,
the implementation plan's status and phase achievement. Each reads the results in one query."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from servitium.core import charts
from servitium.core.checks import FAILED, MET, NO_EVIDENCE, NOT_APPLICABLE, NOT_MET, PARTLY_MET

from .engine import combine
from .models import Assessment, PlanItem, Requirement, Result

STATUS_ORDER = (MET, PARTLY_MET, NOT_MET, NO_EVIDENCE, NOT_APPLICABLE)
FAILURES_FIRST = (NOT_MET, PARTLY_MET, NO_EVIDENCE, MET, NOT_APPLICABLE)
# The roll-up areas of the catalogues (catalogue.PROCESSES) as people name them.
PROCESS_NAMES = {
    "sms": _("Service management system"),
    "design-transition": _("Design and transition of services"),
    "service-level": _("Service level management"),
    "service-reporting": _("Service reporting"),
    "continuity-availability": _("Continuity and availability"),
    "budgeting-accounting": _("Budgeting and accounting"),
    "capacity": _("Capacity management"),
    "information-security": _("Information security"),
    "business-relationship": _("Business relationship management"),
    "supplier": _("Supplier management"),
    "incident": _("Incident management"),
    "service-request": _("Service request management"),
    "problem": _("Problem management"),
    "configuration": _("Configuration management"),
    "change": _("Change management"),
    "release": _("Release and deployment"),
    "asset": _("Asset management"),
    "catalogue": _("Service catalogue"),
    "demand": _("Demand management"),
    "context": _("Context of the organization"),
    "leadership": _("Leadership"),
    "planning": _("Planning"),
    "support": _("Support of the SMS"),
    "performance-evaluation": _("Performance evaluation"),
    "improvement": _("Improvement"),
}
ACTIVITIES = "iso20000-5:2010"
SCENARIOS = "iso20000-9:2015"


def latest_assessment(*, covering: str | None = None) -> Assessment | None:
    """The newest run; with `covering`, the newest one holding results of that framework."""
    runs = Assessment.objects.all()
    if covering:
        # A run covers one framework or, without one, all of them.
        runs = runs.filter(Q(framework__isnull=True) | Q(framework__slug=covering))
    return runs.order_by("-started_at", "-id").first()


def result_rows(assessment: Assessment, slug: str | None = None) -> list[dict[str, Any]]:
    """Results with the requirement fields roll-ups need, in catalogue order."""
    results = Result.objects.filter(assessment=assessment)
    if slug:
        results = results.filter(requirement__framework__slug=slug)
    return list(
        results.order_by("requirement__framework__slug", "requirement__order").values(
            "id",
            "status",
            "message",
            "via_crosswalk",
            "requirement_id",
            "requirement__identifier",
            "requirement__title",
            "requirement__parent_id",
            "requirement__process",
            "requirement__kind",
            "requirement__phases",
            "requirement__framework__slug",
        )
    )


def _row(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "result": r["id"],
        "requirement": r["requirement_id"],
        "identifier": r["requirement__identifier"],
        "title": r["requirement__title"],
        "status": r["status"],
        "via_crosswalk": r["via_crosswalk"],
    }


def counts(statuses) -> dict[str, int]:
    tally = Counter(statuses)
    return {s: tally.get(s, 0) for s in STATUS_ORDER}


def outcomes(tally: dict[str, int]) -> dict[str, int]:
    """Status counts folded into what people read: met, failed, no evidence, not applicable."""
    return {
        "met": tally.get(MET, 0),
        "failed": sum(tally.get(s, 0) for s in FAILED),
        "no_evidence": tally.get(NO_EVIDENCE, 0),
        "not_applicable": tally.get(NOT_APPLICABLE, 0),
    }


def by_clause(assessment: Assessment, slug: str, depth: int = 2) -> list[dict[str, Any]]:
    """Clauses down to `depth` levels (4, 4.1, ...) with their status, for the heat map and the CLI."""
    rows = result_rows(assessment, slug)
    parents = {r["requirement_id"]: r["requirement__parent_id"] for r in rows}

    def level(rid: int | None) -> int:
        n = 0
        while rid is not None:
            rid, n = parents.get(rid), n + 1
        return n

    out = []
    for r in rows:
        lvl = level(r["requirement_id"])
        if lvl <= depth and r["requirement__kind"] in ("clause", "section"):
            out.append({**_row(r), "level": lvl})
    return out


def heat_map(assessment: Assessment, slug: str) -> list[dict[str, Any]]:
    """Top-level clauses, each with its own status and its sub-clauses as cells."""
    rows = by_clause(assessment, slug)
    top: list[dict[str, Any]] = []
    for row in rows:
        if row["level"] == 1:
            top.append({**row, "cells": []})
        elif top:
            top[-1]["cells"].append(row)
    return top


def by_process(assessment: Assessment, slug: str | None = None) -> list[dict[str, Any]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for r in result_rows(assessment, slug):
        if r["requirement__framework__slug"].startswith("iso20000-1"):
            grouped[r["requirement__process"]].append(r["status"])
    return [
        {
            "process": p,
            "name": str(PROCESS_NAMES.get(p, p)),
            "status": combine(s) or NOT_APPLICABLE,
            "counts": counts(s),
        }
        for p, s in sorted(grouped.items())
    ]


def by_edition(assessment: Assessment) -> list[dict[str, Any]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for r in result_rows(assessment):
        grouped[r["requirement__framework__slug"]].append(r["status"])
    out = []
    for slug, statuses in sorted(grouped.items()):
        tally = counts(statuses)
        applicable = len(statuses) - tally[NOT_APPLICABLE]
        out.append(
            {
                "framework": slug,
                "counts": tally,
                **outcomes(tally),
                "share_met": round(tally[MET] / applicable, 3) if applicable else None,
            }
        )
    return out


def readiness(figures: dict[str, Any]) -> dict[str, Any]:
    """Of the clauses that apply (not excluded): how many are met, the share, and "ready" when all are."""
    applicable = figures.get("parts", 0) - figures.get("parts_not_applicable", 0)
    met = figures.get("parts_met", 0)
    return {
        "clauses_applicable": applicable,
        "clauses_met": met,
        "clauses_failed": figures.get("parts_failed", 0),
        "clauses_no_evidence": figures.get("parts_no_evidence", 0),
        "share_met": round(met / applicable, 3) if applicable else None,
        "ready": met == applicable,
    }


def by_scenario(assessment: Assessment, slug: str = SCENARIOS) -> list[dict[str, Any]]:
    """20000-9 scenarios: the share of the clauses each lists that are met (excluded ones left out); ready
    only when every one is met or excluded."""
    rows = [r for r in result_rows(assessment, slug) if r["requirement__kind"] == "scenario"]
    clauses = defaultdict(list)
    through = Requirement.applicable_clauses.through.objects.filter(
        from_requirement_id__in=[r["requirement_id"] for r in rows]
    ).values_list("from_requirement_id", "to_requirement__identifier")
    for scenario_id, identifier in through:
        clauses[scenario_id].append(identifier)
    results = Result.objects.filter(
        assessment=assessment, requirement_id__in=[r["requirement_id"] for r in rows]
    ).only("requirement_id", "gaps", "figures")
    found = {res.requirement_id: res for res in results}
    out = []
    for r in rows:
        res = found.get(r["requirement_id"])
        gaps = [g["label"] for g in res.gaps] if res else []
        out.append(
            {
                **_row(r),
                **readiness(res.figures if res else {}),
                "applicable_clauses": sorted(clauses[r["requirement_id"]], key=_clause_key),
                "unmet": [g.split("#", 1)[-1] for g in gaps if "#" in g],
            }
        )
    return out


def _clause_key(identifier: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in identifier.replace("-", ".").split("."))


def by_phase(assessment: Assessment) -> list[dict[str, Any]]:
    """20000-5 activities grouped by the phase(s) they belong to: status, counts, the share of applicable
    activities met, and ready when all are met (or excluded)."""
    phases: dict[int, list[str]] = defaultdict(list)
    for r in result_rows(assessment, ACTIVITIES):
        if r["requirement__kind"] == "activity":
            for phase in r["requirement__phases"] or []:
                phases[phase].append(r["status"])
    out = []
    for p, s in sorted(phases.items()):
        tally = counts(s)
        applicable = len(s) - tally[NOT_APPLICABLE]
        out.append(
            {
                "phase": p,
                "status": combine(s) or NOT_APPLICABLE,
                "counts": tally,
                "share_met": round(tally[MET] / applicable, 3) if applicable else None,
                "ready": tally[MET] == applicable,
            }
        )
    return out


def diff(newer: Assessment, older: Assessment) -> list[dict[str, Any]]:
    """Requirements whose status differs between two runs (present in either)."""
    before = {r["requirement_id"]: r for r in result_rows(older)}
    after = {r["requirement_id"]: r for r in result_rows(newer)}
    changes = []
    for rid in [*after, *(k for k in before if k not in after)]:
        old, new = before.get(rid), after.get(rid)
        if old and new and old["status"] == new["status"]:
            continue
        ref = new or old
        changes.append(
            {
                "requirement": rid,
                "framework": ref["requirement__framework__slug"],
                "identifier": ref["requirement__identifier"],
                "title": ref["requirement__title"],
                "before": old["status"] if old else None,
                "after": new["status"] if new else None,
            }
        )
    return changes


# --- gap analysis (ISO/IEC 20000-5, 5.8) -------------------------------------------------------------------

# The items 5.8 asks a gap analysis to quantify, in our own words, each tied to the clauses of both
# editions whose results speak to it. Items no record can show (culture) rely on attestations.
GAP_ITEMS: list[tuple[str, str, dict[str, tuple[str, ...]]]] = [
    (
        "a",
        _("Management systems already in place and their scope"),
        {"iso20000-1:2011": ("4", "4.1", "4.5"), "iso20000-1:2018": ("4", "5", "6")},
    ),
    (
        "b",
        _(
            "Documents and records: policies, process descriptions, procedures, SLAs, supplier contracts, "
            "records of achievement"
        ),
        {
            "iso20000-1:2011": ("4.3", "6.1", "7.2", "6.2"),
            "iso20000-1:2018": ("7.5", "8.3.3", "8.3.4", "9.4"),
        },
    ),
    (
        "c",
        _("How work is actually done in the processes"),
        {"iso20000-1:2011": ("5", "6", "7", "8", "9"), "iso20000-1:2018": ("8",)},
    ),
    (
        "d",
        _("Service reviews, internal audits and earlier conformity assessments"),
        {"iso20000-1:2011": ("4.5.4",), "iso20000-1:2018": ("9.2", "9.3")},
    ),
    (
        "e",
        _("Workload characteristics and the service levels actually achieved"),
        {"iso20000-1:2011": ("6.1", "6.2", "6.5"), "iso20000-1:2018": ("8.3.3", "8.4.3", "9.4")},
    ),
    (
        "f",
        _("Service improvement plans, recent or under way"),
        {"iso20000-1:2011": ("4.5.5",), "iso20000-1:2018": ("10",)},
    ),
    (
        "g",
        _("Roles, responsibilities and authorities defined; staff skills and competence"),
        {"iso20000-1:2011": ("4.1.4", "4.4.2"), "iso20000-1:2018": ("5.3", "7.2")},
    ),
    (
        "h",
        _("The organization's culture (shown by attestation)"),
        {"iso20000-1:2011": ("4.1",), "iso20000-1:2018": ("5.1",)},
    ),
    (
        "i",
        _("Major changes planned to structure, services or technology"),
        {"iso20000-1:2011": ("5", "9.2"), "iso20000-1:2018": ("8.5.1", "8.5.2")},
    ),
    (
        "j",
        _("Statutory, regulatory and contractual obligations"),
        {"iso20000-1:2011": ("4.1.1", "7.2"), "iso20000-1:2018": ("4.2", "8.3.4")},
    ),
]


def gap_analysis(assessment: Assessment) -> dict[str, Any]:
    """For each 5.8 item: the status of the clauses that speak to it and what falls short."""
    rows = result_rows(assessment)
    by_ident = {(r["requirement__framework__slug"], r["requirement__identifier"]): r for r in rows}
    items = []
    for letter, title, clauses in GAP_ITEMS:
        found = [
            by_ident[(slug, c)] for slug, idents in clauses.items() for c in idents if (slug, c) in by_ident
        ]
        statuses = [r["status"] for r in found]
        items.append(
            {
                "item": letter,
                "title": str(title),
                "status": combine(statuses) or NO_EVIDENCE,
                "counts": counts(statuses),
                "requirements": [{**_row(r), "framework": r["requirement__framework__slug"]} for r in found],
                "gaps": [
                    f"{r['requirement__framework__slug']}#{r['requirement__identifier']}"
                    for r in found
                    if r["status"] in FAILED
                ],
                "without_evidence": [
                    f"{r['requirement__framework__slug']}#{r['requirement__identifier']}"
                    for r in found
                    if r["status"] == NO_EVIDENCE
                ],
            }
        )
    return {
        "assessment": assessment.reference,
        "date": assessment.started_at.isoformat(),
        "editions": by_edition(assessment),
        "items": items,
        "open_nonconformities": assessment.summary.get("open_nonconformities"),
    }


# --- implementation plan ------------------------------------------------------------------------------------


def plan_statuses(items: list[PlanItem], assessment: Assessment | None) -> dict[int, str]:
    """Each plan item's status from the latest results of its activity (which roll up its clauses): done
    when met, in progress when part of what is behind it is met, else not started."""
    found: dict[int, tuple[str, dict]] = {}
    if assessment is not None:
        rows = Result.objects.filter(
            assessment=assessment, requirement_id__in=[i.activity_id for i in items]
        ).values_list("requirement_id", "status", "figures")
        found = {rid: (status, figures or {}) for rid, status, figures in rows}
    out = {}
    for item in items:
        status, figures = found.get(item.activity_id, ("", {}))
        if status == MET:
            out[item.pk] = PlanItem.Progress.DONE
        elif status == PARTLY_MET or (status == NO_EVIDENCE and figures.get("parts_met")):
            out[item.pk] = PlanItem.Progress.IN_PROGRESS
        else:
            out[item.pk] = PlanItem.Progress.NOT_STARTED
    return out


def plan_achievement(items: list[PlanItem], statuses: dict[int, str]) -> list[dict[str, Any]]:
    """Per phase: how many activities are done, the share done and the open ones (achievement analysis)."""
    phases: dict[int, list[PlanItem]] = defaultdict(list)
    for item in items:
        for phase in item.activity.phases or []:
            phases[phase].append(item)
    out = []
    for phase, members in sorted(phases.items()):
        current = [(i, i.manual_status or statuses.get(i.pk, PlanItem.Progress.NOT_STARTED)) for i in members]
        done = sum(1 for _i, s in current if s == PlanItem.Progress.DONE)
        out.append(
            {
                "phase": phase,
                "activities": len(members),
                "done": done,
                "in_progress": sum(1 for _i, s in current if s == PlanItem.Progress.IN_PROGRESS),
                "share_done": round(done / len(members), 3) if members else None,
                "open": [i.activity.identifier for i, s in current if s != PlanItem.Progress.DONE],
            }
        )
    return out


def assessment_export(assessment: Assessment) -> dict[str, Any]:
    """The whole run as JSON-ready data (CLI `--format json`, evidence pack)."""
    results = Result.objects.filter(assessment=assessment).select_related("requirement__framework")
    return {
        "reference": assessment.reference,
        "framework": assessment.framework.slug if assessment.framework_id else None,
        "started_at": assessment.started_at.isoformat(),
        "finished_at": assessment.finished_at.isoformat(),
        "catalogue_digest": assessment.catalogue_digest,
        "summary": assessment.summary,
        "checks": assessment.check_outcomes,
        "results": [
            {
                "requirement": f"{r.requirement.framework.slug}#{r.requirement.identifier}",
                "status": r.status,
                "message": r.message,
                "figures": r.figures,
                "evidence": r.evidence,
                "gaps": r.gaps,
                "checks": r.checks,
                "attestation": r.attestation_id,
                "via_crosswalk": r.via_crosswalk,
            }
            for r in results
        ],
    }


def met_trend_chart(runs: list[Assessment], edition: str) -> SafeString:
    """The share of the edition's applicable requirements met per run (oldest first) as linked columns:
    green from 80 %, orange from 50 %, red below; the tooltip adds the share not or partly met."""
    columns = []
    for run in runs:
        counts = run.summary.get("frameworks", {}).get(edition)
        if not counts:
            continue
        total = sum(v for k, v in counts.items() if k != "not_applicable") or 1
        met = round(100 * counts.get("met", 0) / total)
        failed = round(100 * (counts.get("not_met", 0) + counts.get("partly_met", 0)) / total)
        colour = charts.GOOD if met >= 80 else charts.WARN if met >= 50 else charts.BAD
        note = _("%(ref)s: %(met)s %% met, %(failed)s %% not or partly met") % {
            "ref": run.reference,
            "met": met,
            "failed": failed,
        }
        columns.append(
            charts.Column(
                label=date_format(run.started_at, "d.m."),
                value=met,
                colour=colour,
                note=note,
                href=reverse("conformity:assessment_detail", args=[run.pk]),
            )
        )
    width = min(560, 40 + 34 * max(len(columns), 4))
    return charts.columns(
        columns, maximum=100, unit=" %", title=_("Share met per run"), width=width, css_class="trend-chart"
    )
