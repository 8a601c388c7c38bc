"""A slice of the sealed change log that proves itself outside Servitium.

An auditor receives entries `first..last` of the chain as their canonical bytes together with the hash of
the entry just before the slice (the anchor) and each entry's chain hash. Recomputing
`sha256(previous_hash + "\\n" + canonical)` from the anchor must give every chain hash in turn, and, when the
slice reaches the head, the head hash recorded at export. Nothing but the standard library is needed to
check it: `VERIFIER` is a self-contained script that evidence packs carry.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .models import ChainSeal, ChangeRecord

FORMAT = "servitium-changelog-slice/1"


@dataclass(frozen=True)
class Slice:
    header: dict[str, Any]
    lines: list[str]  # one JSON object per entry: {"seq", "chain_hash", "canonical"}

    def to_jsonl(self) -> str:
        return "\n".join([json.dumps(self.header, sort_keys=True), *self.lines]) + "\n"


def _entries(first: int, last: int, chunk: int = 5000) -> Iterator[ChangeRecord]:
    start = first
    while start <= last:
        rows = list(ChangeRecord.objects.filter(seq__gte=start, seq__lte=last).order_by("seq")[:chunk])
        if not rows:
            return
        yield from rows
        start = rows[-1].seq + 1


def export_slice(*, first_seq: int | None = None, last_seq: int | None = None) -> Slice:
    """The sealed entries from `first_seq` to `last_seq` (default: the whole chain up to its head)."""
    head = ChainSeal.objects.filter(pk=1).first()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, "")
    first = max(1, first_seq or 1)
    last = min(head_seq, last_seq if last_seq is not None else head_seq)
    anchor = ""
    if first > 1:
        before = ChangeRecord.objects.filter(seq=first - 1).values_list("chain_hash", flat=True).first()
        anchor = before or ""
    lines = [
        json.dumps(
            {"seq": e.seq, "chain_hash": e.chain_hash, "canonical": e.canonical_content().decode()},
            ensure_ascii=False,
            sort_keys=True,
        )
        for e in _entries(first, last)
    ]
    header = {
        "format": FORMAT,
        "first_seq": first,
        "last_seq": last,
        "anchor_hash": anchor,
        "head_seq": head_seq,
        "head_hash": head_hash,
        "entries": len(lines),
    }
    return Slice(header, lines)


def verify_jsonl(text: str) -> tuple[bool, str]:
    """Check an exported slice: the same algorithm as `VERIFIER`, for use inside Servitium and tests."""
    namespace: dict[str, Any] = {}
    exec(compile(VERIFIER, "verify_changelog.py", "exec"), namespace)  # noqa: S102 (our own constant)
    return namespace["verify"](text)


# Stdlib-only; written into evidence packs as verify_changelog.py. Keep in step with
# ChangeRecord.compute_hash.
VERIFIER = '''\
"""Verify a Servitium change-log slice (JSON lines): python3 verify_changelog.py changelog.jsonl"""
import hashlib
import json
import sys


def verify(text):
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return False, "empty file"
    header = json.loads(lines[0])
    if header.get("format") != "servitium-changelog-slice/1":
        return False, "unknown format"
    previous = header["anchor_hash"]
    expected = header["first_seq"]
    count = 0
    for line in lines[1:]:
        entry = json.loads(line)
        if entry["seq"] != expected:
            return False, "sequence gap at %s (expected %s)" % (entry["seq"], expected)
        content = json.loads(entry["canonical"])
        if content.get("seq") != entry["seq"]:
            return False, "entry %s: its content names another position" % entry["seq"]
        digest = hashlib.sha256(previous.encode() + b"\\n" + entry["canonical"].encode()).hexdigest()
        if digest != entry["chain_hash"]:
            return False, "entry %s (id %s) does not match the chain" % (entry["seq"], content.get("id"))
        previous, expected, count = digest, expected + 1, count + 1
    if count != header["entries"]:
        return False, "the header announces %s entries, the file has %s" % (header["entries"], count)
    if count and expected - 1 != header["last_seq"]:
        return False, "the slice ends at %s, not %s" % (expected - 1, header["last_seq"])
    if header["last_seq"] == header["head_seq"] and count and previous != header["head_hash"]:
        return False, "the last entry does not match the chain head"
    return True, "%d entries verified (seq %s-%s)" % (count, header["first_seq"], header["last_seq"])


if __name__ == "__main__":
    with open(sys.argv[1] if len(sys.argv) > 1 else "changelog.jsonl", encoding="utf-8") as handle:
        ok, message = verify(handle.read())
    print(("OK: " if ok else "FAILED: ") + message)
    sys.exit(0 if ok else 1)
'''
