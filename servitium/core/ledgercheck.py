"""Verification of the change log against its signed heads (`servitium verify-changelog`).

Three things hold an entry in place, each covering what the others cannot:

- the chain: each sealed entry's hash covers its content and the hash before it, so a change to one entry
  shows unless every later hash is recomputed;
- the signed heads in the anchor file (core/anchors.py): recomputing the hashes changes the hash at every
  signed position from the altered entry on, and deleting entries from the end leaves the chain short of
  the last signed position; neither can be signed again without the key;
- the entry MAC (core/ledgerkey.py): an entry's content is bound to the key when it is written, so a row
  put into the table without the key (sealed or not, forged or altered) does not verify at all.

What none of them can show: entries written after the last signed head and deleted before the next seal,
and anything done by someone holding the key (see docs/operator-guide.md, "Change log anchoring").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.db.models import Count, Min

from . import anchors, ledgerkey
from .models import ChainSeal, ChangeRecord

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

MAX_FINDINGS = 200  # enough to see the shape of any damage; the count says how many there were


@dataclass
class Finding:
    what: str
    seq: int | None = None
    entry_id: int | None = None
    through: tuple[int, int] | None = None  # (seq, entry id) of the last of a run of the same finding

    def __str__(self) -> str:
        if self.seq is not None and self.through is not None:
            return (
                f"seq {self.seq}-{self.through[0]} (entries {self.entry_id}-{self.through[1]}): {self.what}"
            )
        if self.seq is not None:
            return f"seq {self.seq} (entry {self.entry_id}): {self.what}"
        if self.entry_id is not None:
            return f"entry {self.entry_id} (not in the chain): {self.what}"
        return self.what


@dataclass
class Verification:
    checked: int = 0  # sealed entries walked
    last_seq: int = 0
    findings: list[Finding] = field(default_factory=list)
    hidden: int = 0  # findings beyond MAX_FINDINGS
    anchors: int = 0  # signed lines that count
    latest: anchors.Anchor | None = None  # the signed head furthest along
    unanchored: tuple[int, int] | None = None  # sealed positions no signed head covers yet
    unsealed: int = 0  # entries with a valid MAC waiting for the next seal
    macs_checked: bool = True
    legacy_through: int = 0  # positions sealed before entries carried MACs
    rolled_back: list[anchors.Anchor] = field(default_factory=list)  # heads a restore rolled back

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def broken_id(self) -> int | None:
        return self.findings[0].entry_id if self.findings else None

    @property
    def reason(self) -> str:
        return self.findings[0].what if self.findings else ""

    def add(self, finding: Finding) -> None:
        last = self.findings[-1] if self.findings else None
        if last is not None and _continues(last, finding):  # one line for a run of the same finding
            last.through = (finding.seq, finding.entry_id)
            return
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(finding)
        else:
            self.hidden += 1


def _continues(last: Finding, finding: Finding) -> bool:
    if last.seq is None or finding.seq is None or last.what != finding.what:
        return False
    return (last.through[0] if last.through else last.seq) + 1 == finding.seq


def sealed_entries(after: int = 0, chunk: int = 5000) -> Iterator[ChangeRecord]:
    last = after
    while True:
        rows = list(ChangeRecord.objects.filter(seq__gt=last).order_by("seq")[:chunk])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def legacy_prefix(head_seq: int) -> int:
    """The positions sealed before entries carried MACs: those before the first sealed entry with one."""
    first = (
        ChangeRecord.objects.filter(seq__isnull=False).exclude(mac="").aggregate(first=Min("seq"))["first"]
    )
    return head_seq if first is None else first - 1


def unsigned_span_problem(signed: anchors.Anchor | None, head: ChainSeal, key: ledgerkey.AnchorKey) -> str:
    """What is wrong with the chain between the last signed head and the database's head ('' if nothing):
    the sealer checks this before it extends the chain and signs again, so that it never signs over rows
    someone else chained in."""
    if signed is None:
        return ""
    if head.last_seq < signed.seq:
        return (
            f"the chain ends at seq {head.last_seq}, before {signed.describe()} at seq {signed.seq}: "
            "entries were deleted from its end or the database was rolled back"
        )
    previous = ""
    if signed.seq:
        stored = ChangeRecord.objects.filter(seq=signed.seq).values_list("chain_hash", flat=True).first()
        if stored != signed.hash:
            return (
                f"the entry at seq {signed.seq} is missing or no longer has the hash of {signed.describe()}: "
                "sealed history was rewritten"
            )
        previous = stored
    expected = signed.seq + 1
    for entry in sealed_entries(after=signed.seq):
        if entry.seq != expected or entry.compute_hash(previous) != entry.chain_hash:
            return f"seq {entry.seq} (entry {entry.id}) does not follow the chain after {signed.describe()}"
        if not ledgerkey.mac_valid(entry, key):
            return f"seq {entry.seq} (entry {entry.id}) was chained in without a valid MAC"
        previous, expected = entry.chain_hash, expected + 1
    if head.last_seq != expected - 1 or head.last_hash != previous:
        return "the chain head does not match the last sealed entry"
    return ""


def _mac_problem(entry: ChangeRecord, key: ledgerkey.AnchorKey) -> str:
    if ledgerkey.mac_valid(entry, key):
        return ""
    if not entry.mac:
        return "has no MAC: put into the table without the key, not written by Servitium"
    return "its MAC does not match its content: changed since it was written, or not written by Servitium"


def verify(
    public_keys: list[Ed25519PublicKey] | None = None, anchor_file: Path | None = None
) -> Verification:
    """Walk the whole chain and compare it with every signed head (of the anchor file, or of the file
    given: say, the heads a witness collected); report each finding."""
    result = Verification()
    key = ledgerkey.existing()
    if key is None and not public_keys:
        result.add(Finding("no anchor key is configured: signatures and entry MACs cannot be checked"))
        return result
    lines, problems = anchors.read(anchor_file, keys=anchors.trusted_keys(public_keys))
    for problem in problems:
        result.add(Finding(problem))
    signed: dict[int, anchors.Anchor] = {}
    for anchor in lines:
        if anchor.kind == "discard":
            continue
        if anchor.superseded_by is not None:
            result.rolled_back.append(anchor)
            continue
        result.anchors += 1
        other = signed.setdefault(anchor.seq, anchor)
        if other.hash != anchor.hash:
            result.add(
                Finding(f"{anchor.describe()} and {other.describe()} sign different hashes", anchor.seq)
            )
        if result.latest is None or anchor.seq >= result.latest.seq:
            result.latest = anchor
    head = ChainSeal.objects.filter(pk=1).first()
    genesis = [a.legacy_through for a in lines if a.legacy_through is not None]
    result.legacy_through = min(genesis) if genesis else legacy_prefix(head.last_seq if head else 0)
    result.macs_checked = key is not None  # MACs need the secret key itself, not the public one
    _walk(result, signed, key)
    _check_head(result, head, signed)
    _check_outside_chain(result, lines, key)
    return result


def _walk(result: Verification, signed: dict[int, anchors.Anchor], key: ledgerkey.AnchorKey | None) -> None:
    previous, expected = "", 1
    last_matching, differing = 0, []
    for entry in sealed_entries():
        problems = []
        if entry.seq != expected:
            problems.append(f"sequence gap: expected seq {expected}")
        if entry.compute_hash(previous) != entry.chain_hash:
            problems.append("content or hash does not match the chain")
        if key is not None and entry.seq > result.legacy_through and (problem := _mac_problem(entry, key)):
            problems.append(problem)
        anchor = signed.get(entry.seq)
        if anchor is not None:
            if anchor.hash == entry.chain_hash:
                last_matching = entry.seq
            else:
                differing.append(anchor)
                if len(differing) == 1:
                    problems.append(
                        f"its chain hash differs from {anchor.describe()}: the chain was rewritten at or "
                        f"before this position, after seq {last_matching} (the last signed position that "
                        "still matches)"
                    )
        if problems:
            result.add(Finding("; ".join(problems), entry.seq, entry.id))
        # Go on from what is stored, so that each later break is reported on its own.
        previous, expected = entry.chain_hash, entry.seq + 1
        result.checked += 1
        result.last_seq = entry.seq
    if len(differing) > 1:
        result.add(Finding(f"{len(differing) - 1} later signed heads differ from the chain as well"))


def _check_head(result: Verification, head: ChainSeal | None, signed: dict[int, anchors.Anchor]) -> None:
    last = ChangeRecord.objects.filter(seq=result.last_seq).values_list("chain_hash", flat=True).first() or ""
    if head is not None and (head.last_seq != result.last_seq or head.last_hash != last):
        result.add(Finding(f"the chain head (seq {head.last_seq}) does not match the last sealed entry"))
    furthest = max(signed.values(), key=lambda a: a.seq, default=None)
    if furthest is not None and furthest.seq > result.last_seq:
        result.add(
            Finding(
                f"the chain ends at seq {result.last_seq}, but {furthest.describe()} reached seq "
                f"{furthest.seq}: entries were deleted or the database was rolled back"
            )
        )
    anchored = furthest.seq if furthest is not None else 0
    if result.last_seq > anchored:
        result.unanchored = (anchored + 1, result.last_seq)


def _check_outside_chain(
    result: Verification, lines: list[anchors.Anchor], key: ledgerkey.AnchorKey | None
) -> None:
    """Entries the sealer refused, entries waiting for it, and copies of entries."""
    refused_by_seals = {i for a in lines for i in a.refused}
    present = set()
    for entry in ChangeRecord.objects.exclude(refused="").order_by("id").iterator(2000):
        present.add(entry.id)
        what = f"kept out of the chain by the sealer: {entry.refused}"
        if entry.id not in refused_by_seals:  # someone wrote the refusal into the row, not a seal
            what = f"marked as refused ({entry.refused}), but no signed seal refused it"
            if key is not None and ledgerkey.mac_valid(entry, key):
                what += "; its MAC is valid: written by Servitium and kept out of the chain by other means"
        result.add(Finding(what, None, entry.id))
    for entry in ChangeRecord.objects.filter(seq__isnull=True, refused="").order_by("id").iterator(2000):
        if key is not None and (problem := _mac_problem(entry, key)):
            result.add(Finding(f"not sealed yet, and {problem} (the next seal refuses it)", None, entry.id))
        else:
            result.unsealed += 1
    discarded = {i for a in lines if a.kind == "discard" for i in a.ids}
    for anchor in lines:
        for entry_id in anchor.refused:
            if entry_id not in present and entry_id not in discarded:
                result.add(
                    Finding(
                        f"refused by the seal of {anchor.describe()} and since deleted from the database "
                        "(not through seal-changelog --discard-refused)",
                        None,
                        entry_id,
                    )
                )
    copies = (
        ChangeRecord.objects.filter(refused="")
        .exclude(mac="")
        .values("mac")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("mac", flat=True)
    )
    for mac in copies[:MAX_FINDINGS]:
        ids = list(
            ChangeRecord.objects.filter(mac=mac, refused="").order_by("id").values_list("id", flat=True)
        )
        result.add(
            Finding(f"entries {', '.join(map(str, ids))} carry the same MAC: all but the first are copies")
        )
