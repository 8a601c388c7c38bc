"""The evidence pack: one ZIP an auditor can take away and check without Servitium.

Contents: `index.html` (results by clause), `evidence.csv` (the evidence and gap records per requirement),
`assessment.json` (the run as stored), `changelog.jsonl` (the change-log entries of the evidence records,
each with the exact bytes its chain hash covers and the hash before it: the chain proof),
`changelog-chain.jsonl` (the sealed chain without a gap from the earliest of those entries up to the chain
head, so that no entry in between can be altered without changing the head), `verify_changelog.py`,
`MANIFEST.sha256` (a SHA-256 per file) and `verify.py` (standard library only) that re-checks every file
hash, every chain hash, the unbroken chain to the head, and that each listed entry is the one in that chain.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from servitium.core import chainproof
from servitium.core.models import ChainSeal, ChangeRecord

from . import selectors
from .models import Assessment, Framework, Result

VERIFY_SCRIPT = Path(__file__).with_name("verify_pack.py")
CHANGELOG_LIMIT = 20000  # entries of the slice; the pack says when more exist
CHAIN_LIMIT = 500_000  # the unbroken chain to the head covers at most this many entries (the newest)


def _results(assessment: Assessment, framework: Framework) -> list[Result]:
    return list(
        Result.objects.filter(assessment=assessment, requirement__framework=framework)
        .select_related("requirement", "attestation")
        .order_by("requirement__order")
    )


def _evidence_csv(results: list[Result]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["requirement", "status", "kind", "object_type", "object_id", "label", "url"])
    for r in results:
        for kind, items in (("evidence", r.evidence), ("gap", r.gaps)):
            for item in items:
                label = str(item.get("label", ""))
                if label[:1] in ("=", "+", "-", "@"):
                    label = "'" + label  # keep spreadsheets from running it as a formula
                writer.writerow(
                    [
                        r.requirement.identifier,
                        r.status,
                        kind,
                        item.get("object_type"),
                        item.get("object_id"),
                        label,
                        item.get("url", ""),
                    ]
                )
    return out.getvalue().encode()


def _changelog_slice(results: list[Result]) -> tuple[bytes, dict[str, Any]]:
    """Entries of the evidence records with their chain proof (hash before + covered bytes + hash)."""
    by_type: dict[str, set[int]] = {}
    for r in results:
        for item in r.evidence:
            by_type.setdefault(item["object_type"], set()).add(int(item["object_id"]))
    entries: list[ChangeRecord] = []
    for object_type, ids in by_type.items():
        entries += ChangeRecord.objects.filter(object_type=object_type, object_id__in=ids)[:CHANGELOG_LIMIT]
    entries.sort(key=lambda e: e.id)
    sealed = [e for e in entries if e.seq is not None][:CHANGELOG_LIMIT]
    previous = dict(
        ChangeRecord.objects.filter(seq__in=[e.seq - 1 for e in sealed if e.seq > 1]).values_list(
            "seq", "chain_hash"
        )
    )
    lines = []
    for e in sealed:
        lines.append(
            json.dumps(
                {
                    "id": e.id,
                    "seq": e.seq,
                    "object_type": e.object_type,
                    "object_id": e.object_id,
                    "action": e.action,
                    "previous_hash": previous.get(e.seq - 1, "") if e.seq > 1 else "",
                    "content": e.canonical_content().decode(),
                    "chain_hash": e.chain_hash,
                },
                ensure_ascii=False,
            )
        )
    head = ChainSeal.objects.filter(pk=1).first()
    facts = {
        "entries": len(sealed),
        "unsealed_entries_left_out": sum(1 for e in entries if e.seq is None),
        "chain_head": {"seq": head.last_seq, "hash": head.last_hash} if head else None,
    }
    return ("\n".join(lines) + ("\n" if lines else "")).encode(), facts


def build_pack(*, assessment: Assessment, framework: Framework) -> bytes:
    """The ZIP as bytes (packs are small: evidence is capped per result)."""
    results = _results(assessment, framework)
    export = selectors.assessment_export(assessment)
    prefix = f"{framework.slug}#"
    export["results"] = [r for r in export["results"] if r["requirement"].startswith(prefix)]
    changelog, chain = _changelog_slice(results)
    first = min((json.loads(line)["seq"] for line in changelog.decode().splitlines()), default=None)
    head_seq = chain["chain_head"]["seq"] if chain.get("chain_head") else 0
    unbroken = chainproof.export_slice(first_seq=max(first or head_seq, head_seq - CHAIN_LIMIT + 1, 1))
    chain["unbroken_chain"] = {
        k: unbroken.header[k] for k in ("first_seq", "last_seq", "entries", "head_hash")
    }
    index = render_to_string(
        "conformity/evidence_index.html",
        {
            "assessment": assessment,
            "framework": framework,
            "results": results,
            "chain": chain,
            "generated": timezone.now(),
        },
    ).encode()
    files = {
        "index.html": index,
        "evidence.csv": _evidence_csv(results),
        "assessment.json": json.dumps(export, indent=2, default=str, ensure_ascii=False).encode(),
        "changelog.jsonl": changelog,
        "chain.json": json.dumps(chain, indent=2).encode(),
        "changelog-chain.jsonl": unbroken.to_jsonl().encode(),
        "verify_changelog.py": chainproof.VERIFIER.encode(),
        "verify.py": VERIFY_SCRIPT.read_bytes(),
    }
    manifest = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as pack:
        for name, data in files.items():
            pack.writestr(name, data)
        pack.writestr("MANIFEST.sha256", manifest)
    return buffer.getvalue()


def pack_for(*, framework: Framework, actor: Any = None) -> tuple[Assessment, bytes]:
    """A pack from the latest assessment covering the framework (one is run when there is none)."""
    from .services import assessment_run

    assessment = selectors.latest_assessment(covering=framework.slug)
    if assessment is None:
        assessment = assessment_run(actor=actor, framework=framework)
    return assessment, build_pack(assessment=assessment, framework=framework)
