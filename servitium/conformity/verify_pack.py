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
    for number, line in enumerate(files.get("changelog.jsonl", b"").decode().splitlines(), 1):
        entry = json.loads(line)
        data = entry["previous_hash"].encode() + b"\n" + entry["content"].encode()
        if hashlib.sha256(data).hexdigest() != entry["chain_hash"]:
            problems.append(f"changelog.jsonl line {number} (entry {entry['id']}): chain hash does not match")
    return problems


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
