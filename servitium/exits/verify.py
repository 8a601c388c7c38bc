"""Checking an export against its manifest: every listed file present with its size, SHA-256 and record
count, nothing in the ZIP the manifest does not list, and the totals adding up. Reads in blocks: an export
of any size is verified in little memory."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .exporter import BLOCK, FORMAT, MANIFEST


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    files: int = 0
    records: int = 0
    bytes: int = 0
    customer: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def _count_csv(archive: zipfile.ZipFile, name: str) -> int:
    with archive.open(name) as raw:
        rows = sum(1 for _ in csv.reader(io.TextIOWrapper(raw, encoding="utf-8", newline="")))
    return max(rows - 1, 0)  # less the header


def _check_member(archive: zipfile.ZipFile, entry: dict[str, Any]) -> list[str]:
    name = entry.get("name", "")
    digest = hashlib.sha256()
    size = lines = 0
    with archive.open(name) as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
            size += len(block)
            lines += block.count(b"\n")
    problems = []
    if size != entry.get("size"):
        problems.append(f"{name}: {size} bytes, the manifest says {entry.get('size')}")
    if digest.hexdigest() != entry.get("sha256"):
        problems.append(f"{name}: SHA-256 differs from the manifest")
    kind, expected = entry.get("kind"), entry.get("records")
    counted = lines if kind == "jsonl" else _count_csv(archive, name) if kind == "csv" else None
    if counted != expected:
        problems.append(f"{name}: {counted} records, the manifest says {expected}")
    return problems


def verify(source: str | Path | IO[bytes]) -> Verification:
    """Check the ZIP at `source` against its manifest."""
    found = Verification()
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as exc:
        found.problems.append(f"not a readable ZIP file: {exc}")
        return found
    with archive:
        names = set(archive.namelist())
        if MANIFEST not in names:
            found.problems.append(f"{MANIFEST} is missing")
            return found
        try:
            manifest = json.loads(archive.read(MANIFEST))
        except (ValueError, zipfile.BadZipFile) as exc:
            found.problems.append(f"{MANIFEST} is not valid JSON: {exc}")
            return found
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            found.problems.append(f"{MANIFEST} does not describe a {FORMAT}")
            return found
        found.customer = str((manifest.get("customer") or {}).get("name", ""))
        entries = manifest.get("files") or []
        listed = {e.get("name") for e in entries if isinstance(e, dict)}
        for extra in sorted(names - listed - {MANIFEST}):
            found.problems.append(f"{extra}: in the ZIP but not in the manifest")
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("name") not in names:
                found.problems.append(f"{entry.get('name') if isinstance(entry, dict) else entry}: missing")
                continue
            try:
                found.problems += _check_member(archive, entry)
            except (zipfile.BadZipFile, OSError, UnicodeDecodeError, csv.Error) as exc:  # a damaged member
                found.problems.append(f"{entry['name']}: cannot be read ({exc})")
            found.files += 1
            found.records += entry.get("records") or 0
            found.bytes += entry.get("size") or 0
        totals = manifest.get("totals") or {}
        if not found.problems and (
            totals.get("files") != len(entries)
            or totals.get("records") != found.records
            or totals.get("bytes") != found.bytes
        ):
            found.problems.append("the manifest's totals do not add up")
    return found
