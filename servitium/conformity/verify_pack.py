#!/usr/bin/env python3
"""Verify a Servitium evidence pack with the Python standard library only.

    python3 verify.py                 # inside the unpacked pack
    python3 verify.py pack.zip        # or on the ZIP itself

Checks that every file listed in MANIFEST.sha256 is present with exactly that SHA-256, that no other file
was added, and that every change-log entry in changelog.jsonl hashes, with the hash before it, to its
chain hash (SHA-256 of previous hash, a newline, and the entry's content). Exit status 0 when everything
verifies, 1 otherwise; each problem is printed.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from pathlib import Path


def read_files(target: Path) -> dict[str, bytes]:
    if target.is_file():
        with zipfile.ZipFile(target) as pack:
            return {name: pack.read(name) for name in pack.namelist() if not name.endswith("/")}
    return {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()}


def verify(files: dict[str, bytes]) -> list[str]:
    problems = []
    manifest = files.get("MANIFEST.sha256")
    if manifest is None:
        return ["MANIFEST.sha256 is missing"]
    listed = {}
    for line in manifest.decode().splitlines():
        digest, _sep, name = line.partition("  ")
        listed[name] = digest
    for name, digest in sorted(listed.items()):
        if name not in files:
            problems.append(f"{name}: missing")
        elif hashlib.sha256(files[name]).hexdigest() != digest:
            problems.append(f"{name}: SHA-256 does not match the manifest")
    extra = set(files) - set(listed) - {"MANIFEST.sha256"}
    problems += [f"{name}: not in the manifest" for name in sorted(extra)]
    listed_entries = []
    for number, line in enumerate(files.get("changelog.jsonl", b"").decode().splitlines(), 1):
        entry = json.loads(line)
        listed_entries.append(entry)
        data = entry["previous_hash"].encode() + b"\n" + entry["content"].encode()
        if hashlib.sha256(data).hexdigest() != entry["chain_hash"]:
            problems.append(f"changelog.jsonl line {number} (entry {entry['id']}): chain hash does not match")
    problems += verify_unbroken_chain(files, listed_entries)
    return problems


def verify_unbroken_chain(files: dict[str, bytes], listed_entries: list[dict]) -> list[str]:
    """The chain without a gap up to the head, checked by the pack's verify_changelog.py; every listed entry
    inside its range must be the entry at that position."""
    text = files.get("changelog-chain.jsonl")
    script = files.get("verify_changelog.py")
    if text is None or script is None:
        return ["changelog-chain.jsonl or verify_changelog.py is missing"]
    namespace: dict = {"__name__": "verify_changelog"}
    exec(compile(script, "verify_changelog.py", "exec"), namespace)  # noqa: S102 (the pack's own verifier)
    ok, message = namespace["verify"](text.decode())
    if not ok:
        return [f"changelog-chain.jsonl: {message}"]
    by_seq = {}
    for line in text.decode().splitlines()[1:]:
        entry = json.loads(line)
        by_seq[entry["seq"]] = entry["chain_hash"]
    first = json.loads(text.decode().splitlines()[0])["first_seq"]
    return [
        f"changelog.jsonl entry {e['id']}: not the entry at position {e['seq']} of the chain"
        for e in listed_entries
        if e["seq"] >= first and by_seq.get(e["seq"]) != e["chain_hash"]
    ]


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    problems = verify(read_files(target))
    for problem in problems:
        print("FAIL", problem)
    if not problems:
        print("OK: every file and change-log entry verifies")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
