"""Signed chain heads kept outside the database: the anchor file and its witnesses.

After a seal, the head the chain reached (position, hash, time) is signed with the anchor key
(core/ledgerkey.py) and appended as one JSON line to the anchor file (`settings.ANCHOR_FILE`, opened for
appending only, each line fsync'd) and, when configured, sent to witnesses (a webhook, mail) through the
task queue, so that a slow or failing witness never holds up sealing and never costs the line in the file.
`verify-changelog` checks the database against these lines: a chain rewritten with recomputed hashes no
longer passes through the signed hashes, and a chain cut short ends before the last of them.

Every line carries "v": 1, "key" (the key id) and "sig" (Ed25519 over the rest, canonical JSON); kinds:

- "head" {seq, hash, at, refused}: a seal reached `seq`; `refused` lists the ids of entries it kept out
  of the chain. The first line ever written also says `legacy_through`: entries up to that position were
  sealed before entries carried MACs.
- "restore" {seq, hash, at, backup}: `servitium restore` put back a chain ending at `seq`. Heads signed
  before it beyond that position belong to the history the restore rolled back.
- "discard" {ids, at}: refused entries deleted on purpose (`seal-changelog --discard-refused`).
"""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

from . import ledgerkey, witness

if TYPE_CHECKING:  # the library is loaded by those who sign or check (not by every writing process)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

logger = logging.getLogger(__name__)

DOMAIN = b"servitium change-log anchor/1\n"
TAIL_BYTES = 64 * 1024


@dataclass
class Anchor:
    kind: str
    line_no: int
    at: dt.datetime
    seq: int = 0
    hash: str = ""
    refused: list[int] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    legacy_through: int | None = None
    superseded_by: Anchor | None = None  # a later restore that rolled this head (or restore) back

    def describe(self) -> str:
        where = f" (anchor file line {self.line_no})" if self.line_no else ""
        return f"the signed {self.kind} of {self.at:%Y-%m-%d %H:%M:%S} UTC{where}"


def _message(line: dict[str, Any]) -> bytes:
    body = {k: v for k, v in line.items() if k != "sig"}
    return DOMAIN + json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(record: dict[str, Any], key: ledgerkey.AnchorKey | None = None) -> dict[str, Any]:
    key = key or ledgerkey.current()
    line = {"v": 1, **record, "key": key.key_id}
    line["sig"] = base64.b64encode(key.private.sign(_message(line))).decode()
    return line


def append(line: dict[str, Any], path: Path | None = None) -> None:
    """Append one line to the anchor file and make it durable before returning."""
    path = Path(path or settings.ANCHOR_FILE)
    created = not path.exists()
    data = (witness.line_text(line) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # several sealers (task worker threads, a command) may append at once
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:  # the new file's directory entry must survive a crash too
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def trusted_keys(extra: list[Ed25519PublicKey] | None = None) -> dict[str, Ed25519PublicKey]:
    """The public keys whose signatures count: the configured key's, or those given instead (an
    earlier key, or an auditor checking with the public key alone)."""
    keys = {ledgerkey.key_id_of(k): k for k in extra or []}
    if not extra:
        current = ledgerkey.current()
        keys[current.key_id] = current.public
    return keys


def _parse(text: str, line_no: int, keys: dict[str, Ed25519PublicKey]) -> Anchor:
    """One line as an Anchor; ValueError saying what is wrong with it."""
    from cryptography.exceptions import InvalidSignature

    try:
        line = json.loads(text)
        key = keys.get(line["key"])
        if key is None:
            raise ValueError(f"signed by key {line['key']!r}, which is not a trusted key")
        key.verify(base64.b64decode(line["sig"], validate=True), _message(line))
        kind = line["kind"]
        at = dt.datetime.fromisoformat(line["at"])
        if kind == "discard":
            return Anchor(kind, line_no, at, ids=[int(i) for i in line["ids"]])
        if kind not in ("head", "restore"):
            raise ValueError(f"unknown kind {kind!r}")
        return Anchor(
            kind,
            line_no,
            at,
            seq=int(line["seq"]),
            hash=str(line["hash"]),
            refused=[int(i) for i in line.get("refused", [])],
            legacy_through=line.get("legacy_through"),
        )
    except InvalidSignature:
        raise ValueError("the signature does not match the line (the line was altered)") from None
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not a readable anchor ({type(exc).__name__}: {exc})") from None


def _lines(path: Path, start: int = 0) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line; from `start` on, the numbers are unknown (0)."""
    with path.open("rb") as handle:
        handle.seek(start)
        if start:
            handle.readline()  # a partial line
        for number, raw in enumerate(handle, 1):
            text = raw.decode("utf-8", errors="replace").strip()
            if text:
                yield (0 if start else number), text


def read(
    path: Path | None = None, keys: dict[str, Ed25519PublicKey] | None = None
) -> tuple[list[Anchor], list[str]]:
    """Every line of the anchor file, with the problems of those that do not count (unreadable, altered,
    signed by another key). Each head (or restore) a later restore rolled back is marked `superseded_by`
    it."""
    path = Path(path or settings.ANCHOR_FILE)
    keys = keys if keys is not None else trusted_keys()
    anchors: list[Anchor] = []
    problems: list[str] = []
    if not path.exists():
        return anchors, problems
    for number, text in _lines(path):
        try:
            anchors.append(_parse(text, number, keys))
        except ValueError as exc:
            problems.append(f"anchor file line {number}: {exc}")
    restores = [a for a in anchors if a.kind == "restore"]
    for anchor in anchors:
        if anchor.kind == "discard":
            continue
        for restore in restores:
            if restore.line_no > anchor.line_no and anchor.seq > restore.seq:
                anchor.superseded_by = restore
                break
    return anchors, problems


LATEST_AMONG = 8  # concurrent sealers may append their heads out of order, never by more than a few


def latest_head(path: Path | None = None) -> Anchor | None:
    """The head the last seal (or restore) signed. Read backwards from the end of the file, checking only
    the last few signatures: the sealer asks each minute, and the file grows for years."""
    path = Path(path or settings.ANCHOR_FILE)
    if not path.exists():
        return None
    keys = trusted_keys()
    size = path.stat().st_size
    for start in (max(0, size - TAIL_BYTES), 0):
        best, seen = None, 0
        for number, text in reversed(list(_lines(path, start))):
            try:
                anchor = _parse(text, number, keys)
            except ValueError:
                continue
            if anchor.kind == "restore":  # what came before it was rolled back
                return best or anchor
            if anchor.kind == "head":
                best = anchor if best is None or anchor.seq > best.seq else best
                seen += 1
                if seen == LATEST_AMONG:
                    return best
        if best is not None or start == 0:
            return best
    return None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def record(record: dict[str, Any]) -> dict[str, Any]:
    """Sign, append and hand to the witnesses; returns the line."""
    line = sign({**record, "at": record.get("at") or _now()})
    append(line)
    _to_witnesses(line)
    return line


def _to_witnesses(line: dict[str, Any]) -> None:
    try:
        witness.send(line)
    except Exception:  # the queue being down must not fail a seal whose line is already on disk
        logger.exception("could not queue the change-log anchor at seq %s for the witness", line.get("seq"))
