"""The assessment engine: run every registered check once, then give every requirement a status.

Statuses (documented in docs/user-guide/conformity.md):
- met: every piece of evidence that applies shows the requirement fulfilled;
- not met / partly met: evidence shows a shortfall (a check found failing records, which it names; an
  attestation expired); "partly" when something else behind the requirement is met;
- no evidence: nothing can judge it yet (no check applies, no attestation recorded) -- never a failure;
- not applicable: an approved exclusion covers it or one of its ancestors, or its checks found nothing
  in the records that falls under it.

Roll-up rule. A requirement's status is combined from its *components*:
- each check bound to it (a check that raised counts as not met; "not applicable" checks are left out);
- its attestation: a valid one counts as met. When the catalogue says the requirement needs one
  (`evidence: attestation|both`), an expired one counts as not met (named) and none at all as no evidence;
- the status of each of its sub-requirements (children), and, for a 20000-9 scenario or a 20000-5
  activity, of each clause it lists (`applicable_clauses`); "not applicable" ones are left out;
- through the crosswalk, when the requirement has no applicable check and no attestation in force of its
  own: the combined status its counterparts in the other edition earned from their own evidence ("via
  crosswalk"); this also stands in for an attestation the requirement would otherwise lack.
Combining (`combine`): all met -> met; any failure (not met, partly met) -> partly met when something is
met, else not met; otherwise (only met and no evidence) -> no evidence. So a failing leaf makes every
ancestor at best partly met, and a requirement only half evidenced never reads met. No component at all
-> no evidence, unless its checks all reported "not applicable" -> not applicable.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import transaction
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _

from servitium.core import checks as registry
from servitium.core.checks import FAILED, MET, NO_EVIDENCE, NOT_APPLICABLE, NOT_MET, PARTLY_MET

from .models import Attestation, Exclusion, Requirement

EVIDENCE_SHOWN = 50  # evidence and gap items kept per result


def combine(statuses: Iterable[str]) -> str | None:
    """all met -> met; a failure -> partly met (if something is met) or not met; else no evidence;
    nothing -> None."""
    relevant = [s for s in statuses if s != NOT_APPLICABLE]
    if not relevant:
        return None
    if all(s == MET for s in relevant):
        return MET
    if any(s in FAILED for s in relevant):
        return PARTLY_MET if any(s in (MET, PARTLY_MET) for s in relevant) else NOT_MET
    return NO_EVIDENCE


def _ref(object_type: str, obj: Any, label: str) -> dict[str, Any]:
    return {
        "object_type": object_type,
        "object_id": obj.pk,
        "label": label[:200],
        "url": obj.get_absolute_url(),
    }


def _link(object_type: str, object_id: int) -> str:
    """The detail page of an evidence record, built without loading it."""
    try:
        model = apps.get_model(object_type)
        return model(pk=object_id).get_absolute_url() or ""
    except (LookupError, NoReverseMatch, AttributeError, ValueError):
        return ""


def _items(items: Iterable[Any]) -> list[dict[str, Any]]:
    out = []
    for item in list(items)[:EVIDENCE_SHOWN]:
        out.append(
            {
                "object_type": item.object_type,
                "object_id": item.object_id,
                "label": item.label,
                "url": _link(item.object_type, item.object_id),
            }
        )
    return out


@dataclass
class CheckOutcome:
    id: str
    title: str
    requirements: tuple[str, ...]
    status: str
    message: str
    figures: dict[str, Any] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    error: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": str(self.title),
            "requirements": list(self.requirements),
            "status": self.status,
            "message": self.message,
            "figures": self.figures,
            "error": self.error,
            "seconds": round(self.seconds, 4),
        }


def run_checks(progress: Callable[[str], None] | None = None) -> dict[str, CheckOutcome]:
    """Run every registered check through the permission-free system path; a failing check is recorded as
    an error (not met) and the run goes on."""
    with registry.one_run():
        return _run_each(progress)


def _run_each(progress: Callable[[str], None] | None) -> dict[str, CheckOutcome]:
    outcomes = {}
    for check in sorted(registry.REGISTRY.values(), key=lambda c: c.id):
        started = time.perf_counter()
        try:
            # A savepoint: on PostgreSQL a failed query would otherwise poison the enclosing transaction.
            with transaction.atomic():
                result = check.run()
            outcome = CheckOutcome(
                check.id,
                check.title,
                check.requirements,
                result.status,
                str(result.message),
                dict(result.figures),
                _items(result.evidence),
                _items(result.gaps),
            )
        except Exception as exc:  # noqa: BLE001  (any failure of one check is a finding, not a crash)
            outcome = CheckOutcome(
                check.id,
                check.title,
                check.requirements,
                NOT_MET,
                _("The check failed with %(name)s: %(text)s") % {"name": type(exc).__name__, "text": exc},
                error=True,
            )
        outcome.seconds = time.perf_counter() - started
        outcomes[check.id] = outcome
        if progress:
            progress(check.id)
    return outcomes


@dataclass
class Evaluation:
    status: str
    message: str
    figures: dict[str, Any]
    evidence: list[dict[str, Any]]
    gaps: list[dict[str, Any]]
    checks: list[dict[str, Any]]
    attestation_id: int | None = None
    via_crosswalk: str = ""
    own_evidence: bool = False  # did a check or an attestation of its own count (crosswalk source)?


@dataclass
class Catalogue:
    """Every requirement as plain values, with its links, read in four queries."""

    rows: dict[int, dict[str, Any]]
    children: dict[int, list[int]]
    clauses: dict[int, list[int]]
    maps_to: dict[int, list[int]]
    by_key: dict[str, int]

    @classmethod
    def load(cls) -> Catalogue:
        rows = {
            r["id"]: r
            for r in Requirement.objects.values(
                "id", "identifier", "title", "parent_id", "evidence", "kind", "framework__slug"
            )
        }
        children: dict[int, list[int]] = defaultdict(list)
        for row in rows.values():
            row["key"] = f"{row['framework__slug']}#{row['identifier']}"
            if row["parent_id"]:
                children[row["parent_id"]].append(row["id"])
        clauses: dict[int, list[int]] = defaultdict(list)
        for a, b in Requirement.applicable_clauses.through.objects.values_list(
            "from_requirement_id", "to_requirement_id"
        ):
            clauses[a].append(b)
        maps: dict[int, list[int]] = defaultdict(list)
        for a, b in Requirement.maps_to.through.objects.values_list(
            "from_requirement_id", "to_requirement_id"
        ):
            maps[a].append(b)
        return cls(rows, children, clauses, maps, {r["key"]: r["id"] for r in rows.values()})


@dataclass
class Judged:
    """What the engine reads besides the checks: attestations (valid and expired) and approved exclusions."""

    attestations: dict[int, Attestation] = field(default_factory=dict)
    expired: dict[int, Attestation] = field(default_factory=dict)
    excluded: dict[int, Exclusion] = field(default_factory=dict)  # requirement (and descendants) -> exclusion

    @classmethod
    def load(cls, catalogue: Catalogue, day: dt.date) -> Judged:
        valid, expired = attestations_on(day)
        excluded: dict[int, Exclusion] = {}
        approved = Exclusion.objects.filter(approved_by__isnull=False, approved_at__isnull=False)
        for exclusion in approved.select_related("requirement").order_by("id"):
            stack = [exclusion.requirement_id]
            while stack:  # the exclusion covers everything under the requirement too
                rid = stack.pop()
                if rid not in excluded:
                    excluded[rid] = exclusion
                    stack += catalogue.children.get(rid, [])
        return cls(valid, expired, excluded)


class Evaluator:
    """Applies the roll-up rule (module docstring) to every requirement, memoised."""

    def __init__(
        self,
        catalogue: Catalogue,
        outcomes: dict[str, CheckOutcome],
        judged: Judged,
        crosswalk: dict[int, Evaluation] | None = None,
    ) -> None:
        self.cat = catalogue
        self.judged = judged
        self.crosswalk = crosswalk
        self.memo: dict[int, Evaluation] = {}
        self.checks_by_req: dict[int, list[CheckOutcome]] = defaultdict(list)
        for outcome in outcomes.values():
            for key in outcome.requirements:
                if key in catalogue.by_key:
                    self.checks_by_req[catalogue.by_key[key]].append(outcome)

    def evaluate(self, req_id: int) -> Evaluation:
        if req_id not in self.memo:
            self.memo[req_id] = self._evaluate(req_id)
        return self.memo[req_id]

    def _excluded(self, req_id: int, exclusion: Exclusion) -> Evaluation:
        own = exclusion.requirement_id == req_id
        where = (
            ""
            if own
            else _(" (excluded with %(key)s)") % {"key": self.cat.rows[exclusion.requirement_id]["key"]}
        )
        return Evaluation(
            status=NOT_APPLICABLE,
            message=_("Excluded from the SMS%(where)s: %(why)s")
            % {"where": where, "why": exclusion.justification[:300]},
            figures={},
            evidence=[_ref("conformity.exclusion", exclusion, str(exclusion))],
            gaps=[],
            checks=[],
        )

    def _evaluate(self, req_id: int) -> Evaluation:
        exclusion = self.judged.excluded.get(req_id)
        if exclusion is not None:
            return self._excluded(req_id, exclusion)
        row = self.cat.rows[req_id]
        checks = self.checks_by_req.get(req_id, [])
        components: list[str] = [c.status for c in checks if c.status != NOT_APPLICABLE]
        messages = [c.message for c in checks]
        evidence = [item for c in checks for item in c.evidence]
        gaps = [item for c in checks for item in c.gaps]
        attestation = self.judged.attestations.get(req_id)
        if attestation is not None:
            components.append(MET)
            messages.append(
                _("Attested by %(by)s, reviewed by %(rev)s, until %(until)s: %(text)s Evidence: %(evidence)s")
                % {
                    "by": attestation.attested_by,
                    "rev": attestation.reviewed_by,
                    "until": attestation.valid_until.isoformat(),
                    "text": attestation.statement[:200],
                    "evidence": attestation.evidence[:200] or "-",
                }
            )
            evidence.append(_ref("conformity.attestation", attestation, str(attestation)))
        needs_attestation = attestation is None and row["evidence"] in (
            Requirement.Evidence.ATTESTATION,
            Requirement.Evidence.BOTH,
        )
        own = bool(components)  # evidence of its own: a check that applies or an attestation in force
        via = ""
        if not own and self.crosswalk is not None:
            sources = [
                (other, self.crosswalk[other])
                for other in self.cat.maps_to.get(req_id, [])
                if other in self.crosswalk and self.crosswalk[other].own_evidence
            ]
            proven = combine(e.status for _o, e in sources)
            if proven is not None:
                components.append(proven)
                via = ", ".join(self.cat.rows[o]["key"] for o, _e in sources)
                messages.append(_("Shown through the crosswalk from %(via)s.") % {"via": via})
                evidence += [item for _o, e in sources for item in e.evidence]
                gaps += [item for _o, e in sources for item in e.gaps]
        if needs_attestation and not via:
            lapsed = self.judged.expired.get(req_id)
            if lapsed is not None:
                components.append(NOT_MET)
                messages.append(
                    _("Attestation %(att)s expired on %(until)s.")
                    % {"att": str(lapsed)[:80], "until": lapsed.valid_until.isoformat()}
                )
                gaps.append(_ref("conformity.attestation", lapsed, str(lapsed)))
            else:
                components.append(NO_EVIDENCE)
                messages.append(_("No attestation recorded for %(key)s.") % {"key": row["key"]})
        parts = self.cat.children.get(req_id, []) + self.cat.clauses.get(req_id, [])
        part_statuses = {p: self.evaluate(p).status for p in parts}
        components += list(part_statuses.values())
        failed = [p for p, s in part_statuses.items() if s in FAILED]
        unproven = [p for p, s in part_statuses.items() if s == NO_EVIDENCE]
        gaps += [
            {
                "object_type": "conformity.requirement",
                "object_id": p,
                "label": self.cat.rows[p]["key"],
                "url": "",
            }
            for p in failed
        ]
        status = combine(components)
        if status is None:
            if checks or (parts and all(s == NOT_APPLICABLE for s in part_statuses.values())):
                status = NOT_APPLICABLE
                messages.append(_("Nothing in the records falls under this requirement."))
            else:
                status = NO_EVIDENCE
                messages.append(_("No evidence yet: no check, record rule or attestation shows this."))
        if parts:
            met = sum(1 for s in part_statuses.values() if s == MET)
            messages.append(
                _(
                    "Of %(n)d sub-requirements or clauses: %(met)d met, %(failed)d failed, "
                    "%(none)d without evidence."
                )
                % {"met": met, "n": len(parts), "failed": len(failed), "none": len(unproven)}
            )
        figures: dict[str, Any] = {
            "parts": len(parts),
            "parts_met": sum(1 for s in part_statuses.values() if s == MET),
            "parts_failed": len(failed),
            "parts_no_evidence": len(unproven),
            "parts_not_applicable": sum(1 for s in part_statuses.values() if s == NOT_APPLICABLE),
        }
        figures.update({c.id: c.figures for c in checks if c.figures})
        return Evaluation(
            status=status,
            message=" ".join(m for m in messages if m),
            figures=figures,
            evidence=evidence[:EVIDENCE_SHOWN],
            gaps=gaps[:EVIDENCE_SHOWN],
            checks=[{"id": c.id, "status": c.status, "message": c.message, "error": c.error} for c in checks],
            attestation_id=attestation.pk if attestation else None,
            via_crosswalk=via,
            own_evidence=own,
        )


def attestations_on(day: dt.date) -> tuple[dict[int, Attestation], dict[int, Attestation]]:
    """Per requirement: the attestation in force on `day` (the one valid longest), and the one that
    expired last, to name when none is in force."""
    valid: dict[int, Attestation] = {}
    expired: dict[int, Attestation] = {}
    started = Attestation.objects.filter(valid_from__lte=day).select_related(
        "requirement", "attested_by", "reviewed_by"
    )
    for att in started.order_by("valid_until", "id"):
        (valid if att.valid_until >= day else expired)[att.requirement_id] = att
    return valid, {rid: att for rid, att in expired.items() if rid not in valid}


def evaluate_all(
    catalogue: Catalogue, outcomes: dict[str, CheckOutcome], day: dt.date
) -> dict[int, Evaluation]:
    """Two passes: the first without the crosswalk, the second lets it fill requirements with no
    evidence of their own from what the first pass found in the other edition (no cycles possible)."""
    judged = Judged.load(catalogue, day)
    first = Evaluator(catalogue, outcomes, judged)
    for req_id in catalogue.rows:
        first.evaluate(req_id)
    second = Evaluator(catalogue, outcomes, judged, crosswalk=first.memo)
    for req_id in catalogue.rows:
        second.evaluate(req_id)
    return second.memo
