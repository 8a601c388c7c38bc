"""Coverage report: for each leaf obligation of an edition, what kind of evidence rule can judge it.

A leaf is a requirement without sub-requirements. Its coverage is the strongest rule bound to it directly:
- `check`: an automated check over the records;
- `record_rule`: a declared record rule ("a current record of a kind exists / every record has ...");
- `attestation_only`: no check or rule, but the catalogue asks for an attestation or one is recorded;
- `nothing`: no way yet to show it (it reads "no evidence" until an attestation is recorded).
A requirement is *fully covered* when every leaf under it has a check or a record rule and none asks for an
attestation as well (`attestation_needed`): only such a requirement can read "met" from the records alone."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from servitium.core import checks as registry

from .models import Attestation, Exclusion, Requirement

COVERAGES = ("check", "record_rule", "attestation_only", "nothing")
EDITIONS = ("iso20000-1:2011", "iso20000-1:2018")


def _rules_by_key() -> dict[str, list[registry.Check]]:
    found: dict[str, list[registry.Check]] = defaultdict(list)
    for check in registry.REGISTRY.values():
        for key in check.requirements:
            found[key].append(check)
    return found


def coverage(slug: str) -> dict[str, Any]:
    """The coverage report of one framework (see the module docstring)."""
    rows = list(
        Requirement.objects.filter(framework__slug=slug)
        .order_by("order", "id")
        .values("id", "identifier", "title", "parent_id", "evidence")
    )
    children: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        if row["parent_id"]:
            children[row["parent_id"]].append(row["id"])
    attested = set(Attestation.objects.values_list("requirement_id", flat=True))
    excluded = set(
        Exclusion.objects.filter(approved_by__isnull=False, approved_at__isnull=False).values_list(
            "requirement_id", flat=True
        )
    )
    rules = _rules_by_key()
    leaves, by_id = [], {}
    for row in rows:
        bound = rules.get(f"{slug}#{row['identifier']}", [])
        kinds = {c.kind for c in bound}
        if registry.CHECK in kinds:
            kind = "check"
        elif registry.RECORD_RULE in kinds:
            kind = "record_rule"
        elif row["evidence"] != Requirement.Evidence.RECORDS or row["id"] in attested:
            kind = "attestation_only"
        else:
            kind = "nothing"
        by_id[row["id"]] = kind
        if not children.get(row["id"]):
            leaves.append(
                {
                    "identifier": row["identifier"],
                    "title": row["title"],
                    "coverage": kind,
                    "rules": sorted(c.id for c in bound),
                    "excluded": row["id"] in excluded,
                    "attestation_needed": row["evidence"] != Requirement.Evidence.RECORDS,
                }
            )

    person = {row["id"] for row in rows if row["evidence"] != Requirement.Evidence.RECORDS}

    def automated(rid: int) -> bool:
        """Records alone can show it: every leaf below has a check or rule and asks for no attestation
        (the catalogue says when a person must vouch for something even where records are checked)."""
        kids = children.get(rid)
        if not kids:
            return by_id[rid] in ("check", "record_rule") and rid not in person
        return all(automated(k) for k in kids)

    counts = {k: sum(1 for leaf in leaves if leaf["coverage"] == k) for k in COVERAGES}
    return {
        "framework": slug,
        "leaves": len(leaves),
        **counts,
        "share_automated": round((counts["check"] + counts["record_rule"]) / len(leaves), 3)
        if leaves
        else None,
        "fully_covered": [r["identifier"] for r in rows if children.get(r["id"]) and automated(r["id"])],
        "obligations": leaves,
    }


def coverage_all() -> list[dict[str, Any]]:
    """The report of both editions of ISO/IEC 20000-1."""
    return [coverage(slug) for slug in EDITIONS]
