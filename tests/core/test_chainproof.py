"""Exported change-log slices verify outside Servitium and fail on any alteration."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from servitium.core import chainproof, changelog
from tests import factories


@pytest.fixture
def sealed_chain(db):
    for i in range(6):
        factories.organization(f"Chain org {i}")
    changelog.seal()
    return changelog.ChangeRecord.objects.filter(seq__isnull=False).count()


def test_whole_chain_verifies(sealed_chain):
    exported = chainproof.export_slice()
    assert exported.header["entries"] == sealed_chain >= 6
    ok, message = chainproof.verify_jsonl(exported.to_jsonl())
    assert ok, message


def test_a_slice_from_the_middle_verifies_from_its_anchor(sealed_chain):
    exported = chainproof.export_slice(first_seq=3, last_seq=5)
    assert exported.header["anchor_hash"] and exported.header["entries"] == 3
    assert chainproof.verify_jsonl(exported.to_jsonl())[0]


def test_altering_an_entry_or_dropping_one_fails(sealed_chain):
    lines = chainproof.export_slice().to_jsonl().splitlines()
    at = next(i for i, line in enumerate(lines) if i and "Chain org" in line)
    entry = json.loads(lines[at])
    entry["canonical"] = entry["canonical"].replace("Chain org", "Chain 0rg")
    tampered = "\n".join([*lines[:at], json.dumps(entry), *lines[at + 1 :]])
    ok, message = chainproof.verify_jsonl(tampered)
    assert not ok and "does not match the chain" in message
    dropped = "\n".join([lines[0], *lines[1:3], *lines[4:]])
    assert "sequence gap" in chainproof.verify_jsonl(dropped)[1]


def test_the_verifier_runs_as_a_standalone_script(sealed_chain, tmp_path):
    (tmp_path / "verify_changelog.py").write_text(chainproof.VERIFIER)
    data = tmp_path / "changelog.jsonl"
    data.write_text(chainproof.export_slice().to_jsonl())
    good = subprocess.run(  # noqa: S603 (our own script)
        [sys.executable, "verify_changelog.py", str(data)], cwd=tmp_path, capture_output=True, text=True
    )
    assert good.returncode == 0 and good.stdout.startswith("OK")
    data.write_text(data.read_text().replace('"chain_hash": "', '"chain_hash": "0', 1))
    bad = subprocess.run(  # noqa: S603
        [sys.executable, "verify_changelog.py", str(data)], cwd=tmp_path, capture_output=True, text=True
    )
    assert bad.returncode == 1 and bad.stdout.startswith("FAILED")


def test_export_changelog_command_writes_a_verifiable_slice(db, tmp_path):
    from django.core.management import call_command

    factories.organization("Exported org")
    out = tmp_path / "log.jsonl"
    call_command("export_changelog", out=str(out))  # seals pending entries first
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(tmp_path / "verify_changelog.py"), str(out)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout
    assert json.loads(out.read_text().splitlines()[0])["entries"] >= 1
