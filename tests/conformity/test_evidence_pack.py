"""The evidence pack verifies on its own; altering any file inside it makes its verifier fail."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile

from django.core.management import call_command

from servitium.conformity import services
from servitium.core import changelog
from tests.base import client
from tests.cmdb.conftest import ci, ci_type

EDITION = "iso20000-1:2018"


def verify(path) -> subprocess.CompletedProcess:
    with zipfile.ZipFile(path) as pack:
        script = path.parent / "verify.py"
        script.write_bytes(pack.read("verify.py"))
    return subprocess.run([sys.executable, str(script), str(path)], capture_output=True, text=True)  # noqa: S603 (our script)


def rewrite(path, name: str, change) -> None:
    with zipfile.ZipFile(path) as pack:
        files = {n: pack.read(n) for n in pack.namelist()}
    files[name] = change(files[name])
    with zipfile.ZipFile(path, "w") as pack:
        for n, data in files.items():
            pack.writestr(n, data)


def test_pack_verifies_and_detects_a_changed_file(ctx, tmp_path):
    ci("web-01", ci_type("web server"), attributes={"os": "Debian 12", "cpu_cores": 2})
    changelog.seal()
    out = tmp_path / "pack.zip"
    call_command("evidence_pack", "--framework", EDITION, "--out", str(out))
    with zipfile.ZipFile(out) as pack:
        names = set(pack.namelist())
        assert {
            "index.html",
            "evidence.csv",
            "assessment.json",
            "changelog.jsonl",
            "MANIFEST.sha256",
            "verify.py",
        } <= names
        assert "8.2.6" in pack.read("index.html").decode()
        assert "cmdb.citype" in pack.read("evidence.csv").decode()
        entries = [json.loads(line) for line in pack.read("changelog.jsonl").decode().splitlines()]
        assert any(e["object_type"] == "cmdb.citype" for e in entries), "the evidence's history is in"
        results = json.loads(pack.read("assessment.json"))["results"]
        assert results and all(r["requirement"].startswith(EDITION + "#") for r in results)
    ok = verify(out)
    assert ok.returncode == 0, ok.stdout

    rewrite(out, "evidence.csv", lambda data: data.replace(b"not_met", b"met", 1))
    broken = verify(out)
    assert broken.returncode == 1 and "evidence.csv" in broken.stdout


def test_a_forged_changelog_entry_fails_even_with_a_fixed_manifest(ctx, tmp_path):
    ci("web-01", ci_type("web server"), attributes={"os": "Debian 12", "cpu_cores": 2})
    changelog.seal()
    out = tmp_path / "pack.zip"
    call_command("evidence_pack", "--framework", EDITION, "--out", str(out))

    def forge(data: bytes) -> bytes:
        lines = data.decode().splitlines()
        entry = json.loads(lines[0])
        entry["content"] = entry["content"].replace("web server", "db server")
        return ("\n".join([json.dumps(entry), *lines[1:]]) + "\n").encode()

    rewrite(out, "changelog.jsonl", forge)

    def fix_manifest(data: bytes) -> bytes:
        with zipfile.ZipFile(out) as pack:
            digest = hashlib.sha256(pack.read("changelog.jsonl")).hexdigest()
        return b"".join(
            (f"{digest}  changelog.jsonl\n".encode() if line.endswith(b"changelog.jsonl\n") else line)
            for line in io.BytesIO(data).readlines()
        )

    rewrite(out, "MANIFEST.sha256", fix_manifest)
    result = verify(out)
    assert result.returncode == 1 and "chain hash does not match" in result.stdout


def test_pack_through_the_api(ctx):
    run = services.assessment_run(actor=None)
    response = client(ctx.auditor).get(f"/api/v1/assessments/{run.pk}/evidence-pack/", {"framework": EDITION})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as pack:
        assert "MANIFEST.sha256" in pack.namelist()
    assert client(ctx.auditor).get(f"/api/v1/assessments/{run.pk}/evidence-pack/").status_code == 400


def test_a_forged_entry_with_a_recomputed_hash_is_caught_by_the_unbroken_chain(ctx, tmp_path):
    """Rewriting an entry and its own hash consistently (and the manifest) still fails: the entry is no longer
    the one at its position of the chain that runs, without a gap, up to the head."""
    ci("web-01", ci_type("web server"), attributes={"os": "Debian 12", "cpu_cores": 2})
    changelog.seal()
    out = tmp_path / "pack.zip"
    call_command("evidence_pack", "--framework", EDITION, "--out", str(out))
    with zipfile.ZipFile(out) as pack:
        assert "changelog-chain.jsonl" in pack.namelist() and "verify_changelog.py" in pack.namelist()
        assert json.loads(pack.read("chain.json"))["unbroken_chain"]["entries"] >= 1

    def forge(data: bytes) -> bytes:
        lines = data.decode().splitlines()
        entry = json.loads(lines[0])
        entry["content"] = entry["content"].replace("web server", "db server")
        covered = entry["previous_hash"].encode() + b"\n" + entry["content"].encode()
        entry["chain_hash"] = hashlib.sha256(covered).hexdigest()
        return ("\n".join([json.dumps(entry), *lines[1:]]) + "\n").encode()

    rewrite(out, "changelog.jsonl", forge)

    def fix_manifest(data: bytes) -> bytes:
        with zipfile.ZipFile(out) as pack:
            digest = hashlib.sha256(pack.read("changelog.jsonl")).hexdigest()
        return b"".join(
            (f"{digest}  changelog.jsonl\n".encode() if line.endswith(b"changelog.jsonl\n") else line)
            for line in io.BytesIO(data).readlines()
        )

    rewrite(out, "MANIFEST.sha256", fix_manifest)
    result = verify(out)
    assert result.returncode == 1 and "not the entry at position" in result.stdout, result.stdout
