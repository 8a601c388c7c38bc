"""The anchored change log: signed heads outside the database and entry MACs catch what an insider with
database access (and without the key) does with raw SQL: rewriting history with recomputed hashes,
forging rows, copying rows, cutting the chain short."""

from __future__ import annotations

import base64
import json
import os
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from servitium.core import anchors, changelog, ledgercheck, ledgerkey
from servitium.core.models import ChainSeal, ChangeRecord
from tests import factories

# --- what an insider does, in SQL ---------------------------------------------------------------------


def sql(statement: str, params: list | tuple = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def forge_row(
    *, object_repr: str = "forged", seq: int | None = None, chain_hash: str = "", mac: str = ""
) -> int:
    """INSERT a change-log row directly, as someone with database access but without the key would."""
    changes = json.dumps({"name": ["A", object_repr]})
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    insert = (
        "INSERT INTO core_changerecord (timestamp, actor_id, actor_name, action, object_type, object_id,"
        " object_repr, changes, message, context, request_id, seq, chain_hash, mac, refused)"
        " VALUES (%s, NULL, 'suite_admin', 'update', 'catalog.service', 1, %s, %s, '', 'web', '',"
        " %s, %s, %s, '')"
    )
    if connection.vendor == "postgresql":
        insert = insert.replace("%s, %s, '', 'web'", "%s, CAST(%s AS jsonb), '', 'web'")
    sql(insert, [now, object_repr, changes, seq, chain_hash, mac])
    return ChangeRecord.objects.get(object_repr=object_repr).pk


def rechain(from_seq: int) -> None:
    """Recompute every hash from `from_seq` on and the head (the algorithm is public), writing with SQL."""
    previous = (
        ChangeRecord.objects.filter(seq=from_seq - 1).values_list("chain_hash", flat=True).first() or ""
    )
    last = from_seq - 1
    for entry in ChangeRecord.objects.filter(seq__gte=from_seq).order_by("seq"):
        previous = entry.compute_hash(previous)
        sql("UPDATE core_changerecord SET chain_hash = %s WHERE id = %s", [previous, entry.pk])
        last = entry.seq
    sql("UPDATE core_chainseal SET last_seq = %s, last_hash = %s WHERE id = 1", [last, previous])


def findings() -> list[str]:
    return [str(f) for f in ledgercheck.verify().findings]


def verify_command() -> tuple[str, str]:
    """Run `verify-changelog`; (stdout, stderr); CommandError on any finding."""
    import io

    out, err = io.StringIO(), io.StringIO()
    call_command("verify_changelog", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def chain(ctx):
    """Six services written through the application, sealed and signed."""
    for i in range(6):
        factories.service(f"Service {i}")
    changelog.seal()
    return list(ChangeRecord.objects.order_by("seq"))


# --- the signed heads -----------------------------------------------------------------------------------


def test_each_seal_appends_a_signed_head_that_verifies_with_the_public_key(chain):
    lines = [json.loads(line) for line in settings.ANCHOR_FILE.read_text().splitlines()]
    assert len(lines) == 1
    head = ChainSeal.objects.get(pk=1)
    line = lines[0]
    assert (line["kind"], line["seq"], line["hash"]) == ("head", head.last_seq, head.last_hash)
    assert line["legacy_through"] == 0 and line["refused"] == []
    key = ledgerkey.current()
    assert line["key"] == key.key_id
    key.public.verify(base64.b64decode(line["sig"]), anchors._message(line))  # raises if not valid

    factories.service("One more")
    assert changelog.seal() == 1
    assert changelog.seal() == 0  # nothing new: no line
    assert len(settings.ANCHOR_FILE.read_text().splitlines()) == 2
    result = ledgercheck.verify()
    assert result.ok and result.latest.seq == result.last_seq == head.last_seq + 1


def test_the_generated_key_file_is_private_and_standard_pem(chain):
    mode = stat.S_IMODE(os.stat(settings.ANCHOR_KEY_FILE).st_mode)
    assert mode == 0o600
    loaded = serialization.load_pem_private_key(settings.ANCHOR_KEY_FILE.read_bytes(), password=None)
    assert ledgerkey.key_id_of(loaded.public_key()) == ledgerkey.current().key_id  # e.g. openssl reads it


def test_entries_after_the_last_signed_head_are_reported_as_not_yet_anchored(chain):
    factories.service("Later")
    # sealed by an older sealer that signed nothing: chained, but not anchored
    head = ChainSeal.objects.get(pk=1)
    entry = ChangeRecord.objects.get(seq__isnull=True)
    entry.seq = head.last_seq + 1
    entry.chain_hash = entry.compute_hash(head.last_hash)
    entry.save()
    ChainSeal.objects.filter(pk=1).update(last_seq=entry.seq, last_hash=entry.chain_hash)
    result = ledgercheck.verify()
    assert result.ok and result.unanchored == (entry.seq, entry.seq)
    out, _ = verify_command()
    assert f"not yet anchored: 1 entries (seq {entry.seq}-{entry.seq})" in out


def test_an_altered_anchor_line_is_reported(chain):
    line = json.loads(settings.ANCHOR_FILE.read_text())
    line["seq"] -= 1
    settings.ANCHOR_FILE.write_text(json.dumps(line) + "\n")
    assert any("anchor file line 1: the signature does not match" in f for f in findings())


def test_a_head_signed_by_another_key_does_not_count(chain):
    other = Ed25519PrivateKey.generate()
    forged = {"v": 1, "kind": "head", "seq": 99, "hash": "0" * 64, "at": timezone.now().isoformat()}
    forged["key"] = ledgerkey.key_id_of(other.public_key())
    forged["sig"] = base64.b64encode(other.sign(anchors._message(forged))).decode()
    with settings.ANCHOR_FILE.open("a") as handle:
        handle.write(json.dumps(forged) + "\n")
    assert any("not a trusted key" in f for f in findings())


# --- attack (a): rewrite history and recompute every hash --------------------------------------------


def test_editing_an_entry_and_recomputing_every_later_hash_and_the_head_is_detected(chain):
    victim = chain[2]
    sql("UPDATE core_changerecord SET object_repr = %s WHERE id = %s", ["Rewritten", victim.pk])
    rechain(victim.seq)
    found = findings()
    assert any(f.startswith(f"seq {victim.seq} (entry {victim.pk}): its MAC does not match") for f in found)
    last = chain[-1]
    assert any(
        f.startswith(f"seq {last.seq} (entry {last.pk}): its chain hash differs from the signed head")
        for f in found
    )
    with pytest.raises(CommandError, match=f"seq {victim.seq} \\(entry {victim.pk}\\)"):
        verify_command()
    with pytest.raises(changelog.ChainTampered, match="sealed history was rewritten"):
        changelog.seal()


def test_deleting_an_entry_and_renumbering_the_rest_is_caught_by_the_signed_heads(chain):
    """No entry's content changes (every MAC stays valid): only the signed heads can show it."""
    factories.service("Seventh")
    factories.service("Eighth")
    changelog.seal()  # signed heads at the sixth and at the last position
    entries = list(ChangeRecord.objects.order_by("seq"))
    victim = entries[1]
    sql("DELETE FROM core_changerecord WHERE id = %s", [victim.pk])
    for entry in entries[2:]:
        sql("UPDATE core_changerecord SET seq = %s WHERE id = %s", [entry.seq - 1, entry.pk])
    rechain(victim.seq)
    found = findings()
    first_signed = chain[-1].seq
    now_there = entries[first_signed]  # moved down into the signed position
    assert found == [
        f"seq {first_signed} (entry {now_there.pk}): its chain hash differs from the signed head of "
        f"{found[0].split('signed head of ')[1].split(': ')[0]}: the chain was rewritten at or before this "
        "position, after seq 0 (the last signed position that still matches)",
        f"the chain ends at seq {entries[-1].seq - 1}, but the signed head of "
        f"{found[1].split('signed head of ')[1].split(' reached')[0]} reached seq {entries[-1].seq}: entries "
        "were deleted or the database was rolled back",
    ]


def test_cutting_the_chain_short_is_detected(chain):
    keep = chain[-3]
    sql("DELETE FROM core_changerecord WHERE seq > %s", [keep.seq])
    sql("UPDATE core_chainseal SET last_seq = %s, last_hash = %s WHERE id = 1", [keep.seq, keep.chain_hash])
    found = findings()
    assert any(
        f"the chain ends at seq {keep.seq}, but the signed head" in f and f"reached seq {chain[-1].seq}" in f
        for f in found
    ), found
    with pytest.raises(changelog.ChainTampered, match="rolled back"):
        changelog.seal()


# --- attack (b): rows put into the table without the key ---------------------------------------------


def test_a_forged_unsealed_row_is_reported_refused_and_kept_out_of_the_chain(chain):
    forged = forge_row()
    assert any(f"entry {forged} (not in the chain): not sealed yet, and has no MAC" in f for f in findings())
    factories.service("Genuine after")
    assert changelog.seal() == 1  # the genuine entry only
    forged_row = ChangeRecord.objects.get(pk=forged)
    assert forged_row.seq is None and forged_row.refused.startswith("no valid MAC")
    last_line = json.loads(settings.ANCHOR_FILE.read_text().splitlines()[-1])
    assert last_line["refused"] == [forged]
    assert any(
        f"entry {forged} (not in the chain): kept out of the chain by the sealer" in f for f in findings()
    )

    # Deleting it with SQL does not make it go away: the signed head remembers the refusal.
    sql("DELETE FROM core_changerecord WHERE id = %s", [forged])
    assert any(f"entry {forged} (not in the chain): refused by the seal of" in f for f in findings())


def test_discarding_refused_entries_is_recorded_and_clears_verification(chain):
    forged = forge_row()
    changelog.seal()
    call_command("seal_changelog", discard_refused=True)
    assert not ChangeRecord.objects.filter(pk=forged).exists()
    assert json.loads(settings.ANCHOR_FILE.read_text().splitlines()[-1])["ids"] == [forged]
    assert findings() == []


def test_a_row_with_an_altered_content_but_a_copied_mac_is_refused(chain):
    factories.service("Honest")
    entry = ChangeRecord.objects.get(seq__isnull=True)
    sql("UPDATE core_changerecord SET object_repr = %s WHERE id = %s", ["Dishonest", entry.pk])
    changelog.seal()
    assert ChangeRecord.objects.get(pk=entry.pk).refused.startswith("no valid MAC")


def test_a_genuine_entry_marked_refused_by_hand_is_reported_as_such(chain):
    factories.service("Inconvenient")
    entry = ChangeRecord.objects.get(seq__isnull=True)
    sql("UPDATE core_changerecord SET refused = 'no valid MAC' WHERE id = %s", [entry.pk])
    changelog.seal()
    assert ChangeRecord.objects.get(pk=entry.pk).seq is None
    expected = f"entry {entry.pk} (not in the chain): marked as refused (no valid MAC), but no signed seal"
    assert any(f.startswith(expected) and "its MAC is valid" in f for f in findings())


def test_a_copy_of_a_genuine_row_is_refused(chain):
    original = chain[3]
    sql(
        "INSERT INTO core_changerecord (chain_hash, timestamp, actor_id, actor_name, action, object_type,"
        " object_id, object_repr, changes, message, context, request_id, mac, refused)"
        " SELECT '', timestamp, actor_id, actor_name, action, object_type, object_id, object_repr, changes,"
        " message, context, request_id, mac, refused FROM core_changerecord WHERE id = %s",
        [original.pk],
    )
    copy = ChangeRecord.objects.filter(object_repr=original.object_repr).exclude(pk=original.pk).get()
    assert any(f"entries {original.pk}, {copy.pk} carry the same MAC" in f for f in findings())
    changelog.seal()
    assert ChangeRecord.objects.get(pk=copy.pk).refused == f"a copy of entry {original.pk}"


def test_a_forged_row_chained_in_with_a_correct_hash_and_head_is_detected_and_not_signed_over(chain):
    """The attack of the issue: append a row with the right hash and move the head to it."""
    head = ChainSeal.objects.get(pk=1)
    forged = forge_row(seq=head.last_seq + 1)
    entry = ChangeRecord.objects.get(pk=forged)
    entry_hash = entry.compute_hash(head.last_hash)
    sql("UPDATE core_changerecord SET chain_hash = %s WHERE id = %s", [entry_hash, forged])
    sql("UPDATE core_chainseal SET last_seq = %s, last_hash = %s WHERE id = 1", [entry.seq, entry_hash])
    assert any(f.startswith(f"seq {entry.seq} (entry {forged}): has no MAC") for f in findings())
    factories.service("Written meanwhile")
    with pytest.raises(changelog.ChainTampered, match="without a valid MAC"):
        changelog.seal()
    with pytest.raises(CommandError, match="reseal-unanchored"):
        call_command("seal_changelog")

    call_command("seal_changelog", reseal_unanchored=True)
    assert ChangeRecord.objects.get(pk=forged).refused
    assert not ChangeRecord.objects.filter(seq__isnull=True, refused="").exists()
    call_command("seal_changelog", discard_refused=True)
    assert findings() == []


# --- what the MAC covers -------------------------------------------------------------------------------


def test_awkward_values_survive_the_database_round_trip_of_the_mac(ctx):
    svc = factories.service("Odd values")
    changes = {
        "big": [1e20, 1.2345678901234567e30],
        "zero": [-0.0, 0.1],
        "nested": {3: "int key", "unicode": "Größe ✓ \u2028", "list": (1, 2.5, None, True)},
        "small": [1e-7, 123456789.0],
    }
    changelog.record(svc, action="update", changes=changes, message="odd")
    naive = timezone.now().replace(tzinfo=None)
    changelog.record_many([svc, svc], action="update", timestamp=naive)
    assert ChangeRecord.objects.filter(refused="").count() == ChangeRecord.objects.count()
    changelog.seal()
    assert not ChangeRecord.objects.exclude(refused="").exists()
    assert ledgercheck.verify().ok


def test_bulk_writes_carry_macs(ctx):
    services = [factories.service(f"Bulk {i}") for i in range(3)]
    rows = services * 50  # over 100 rows: COPY on PostgreSQL
    assert changelog.record_many(rows, action="update", message="bulk") == 150
    changelog.seal()
    assert not ChangeRecord.objects.exclude(refused="").exists()
    assert ledgercheck.verify().ok


# --- the key ---------------------------------------------------------------------------------------------


def test_a_key_from_the_environment_in_base64_or_pem(ctx):
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    expected = ledgerkey.key_id_of(private.public_key())
    for text in (base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode().rstrip("="), pem):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(settings, "ANCHOR_KEY", text)
            assert ledgerkey.current().key_id == expected
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "ANCHOR_KEY", "not a key")
        with pytest.raises(ImproperlyConfigured, match="SERVITIUM_ANCHOR_KEY is not an Ed25519 private key"):
            ledgerkey.current()


def test_an_auditor_checks_the_signed_heads_with_the_public_key_alone(chain, tmp_path):
    public = tmp_path / "anchor.pub"
    call_command("verify_changelog", export_public_key=str(public))
    assert public.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    out, _ = verify_command_with(["--public-key", str(public)])
    assert "change log intact" in out
    stranger = tmp_path / "stranger.pub"
    stranger.write_text(ledgerkey.public_pem(Ed25519PrivateKey.generate().public_key()))
    with pytest.raises(CommandError, match="not a trusted key"):
        verify_command_with(["--public-key", str(stranger)])


def verify_command_with(args: list[str]) -> tuple[str, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    call_command("verify_changelog", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- upgrading: a chain sealed before entries carried MACs --------------------------------------------


def test_a_chain_sealed_before_macs_is_exempt_up_to_the_first_signed_head_and_then_protected(ctx):
    for i in range(4):
        factories.service(f"Old {i}")
    # What the previous version left: entries without MACs, chained by its sealer, no anchor file.
    sql("UPDATE core_changerecord SET mac = ''")
    previous, seq = "", 0
    for entry in ChangeRecord.objects.order_by("id"):
        seq += 1
        entry.seq = seq
        previous = entry.chain_hash = entry.compute_hash(previous)
        sql("UPDATE core_changerecord SET seq = %s, chain_hash = %s WHERE id = %s", [seq, previous, entry.pk])
    ChainSeal.objects.update_or_create(pk=1, defaults={"last_seq": seq, "last_hash": previous})

    factories.service("New")
    changelog.seal()
    genesis = json.loads(settings.ANCHOR_FILE.read_text())
    assert genesis["legacy_through"] == seq and genesis["seq"] == seq + 1
    assert ledgercheck.verify().ok

    sql("UPDATE core_changerecord SET object_repr = 'Old rewritten' WHERE seq = 2")
    rechain(2)
    assert any("its chain hash differs from the signed head" in f for f in findings())


def test_the_migration_marks_entries_left_unsealed_by_the_previous_version(ctx):
    import importlib

    from django.apps import apps

    factories.service("Pending at upgrade")
    sql("UPDATE core_changerecord SET mac = ''")
    migration = importlib.import_module("servitium.core.migrations.0005_changelog_anchoring")
    migration.mark_unsealed_entries(apps, type("Editor", (), {"connection": connection})())
    changelog.seal()
    assert not ChangeRecord.objects.exclude(refused="").exists()
    assert ledgercheck.verify().ok


# --- witnesses -------------------------------------------------------------------------------------------


@pytest.fixture
def webhook():
    """A real HTTP witness on a free local port, keeping what it receives."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received: list[dict] = []

    class Witness(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the handler's protocol)
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Witness)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/anchors", received
    server.shutdown()
    server.server_close()


def test_the_webhook_witness_receives_each_signed_head(chain, webhook, settings):
    url, received = webhook
    settings.ANCHOR_WEBHOOK = url
    factories.service("Witnessed")
    changelog.seal()
    assert len(received) == 1
    envelope = received[0]
    line = envelope["anchor"]
    assert envelope["type"] == "servitium-changelog-anchor"
    assert line == json.loads(settings.ANCHOR_FILE.read_text().splitlines()[-1])
    public = ledgerkey.load_public_key(envelope["public_key"])
    public.verify(base64.b64decode(line["sig"]), anchors._message(line))


def test_a_failing_witness_is_logged_and_never_costs_the_signed_head(chain, settings, caplog):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.ANCHOR_WEBHOOK = f"http://127.0.0.1:{port}/anchors"
    factories.service("Unwitnessed")
    lines_before = len(settings.ANCHOR_FILE.read_text().splitlines())
    assert changelog.seal() == 1
    assert len(settings.ANCHOR_FILE.read_text().splitlines()) == lines_before + 1
    assert "the webhook witness failed" in caplog.text
    assert ledgercheck.verify().ok


def test_the_mail_witness_receives_each_signed_head(chain, settings, mailoutbox):
    settings.ANCHOR_EMAIL = ["witness@example.org"]
    factories.service("Mailed")
    changelog.seal()
    head = ChainSeal.objects.get(pk=1)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["witness@example.org"]
    assert message.subject == f"Servitium change-log anchor: head seq {head.last_seq}"
    assert settings.ANCHOR_FILE.read_text().splitlines()[-1] in message.body
    assert "BEGIN PUBLIC KEY" in message.body


def test_a_witness_shows_a_rollback_of_database_and_anchor_file_together(chain, webhook, settings, tmp_path):
    """An insider with the database and the file system (not the key) rolls both back consistently: the
    site's own check cannot tell, the heads the witness received can."""
    url, received = webhook
    settings.ANCHOR_WEBHOOK = url
    factories.service("Kept")
    changelog.seal()
    factories.service("Made to disappear")
    changelog.seal()
    kept = received[0]["anchor"]

    sql("DELETE FROM core_changerecord WHERE seq > %s", [kept["seq"]])
    sql("UPDATE core_chainseal SET last_seq = %s, last_hash = %s WHERE id = 1", [kept["seq"], kept["hash"]])
    lines = settings.ANCHOR_FILE.read_text().splitlines()
    settings.ANCHOR_FILE.write_text("\n".join(lines[:-1]) + "\n")
    assert findings() == []  # fooled

    witnessed = tmp_path / "witness.jsonl"
    witnessed.write_text("".join(json.dumps(envelope["anchor"]) + "\n" for envelope in received))
    with pytest.raises(CommandError, match=f"the chain ends at seq {kept['seq']}, but the signed head"):
        verify_command_with(["--anchor-file", str(witnessed)])


# --- restores ------------------------------------------------------------------------------------------


def roll_back_to(entry: ChangeRecord) -> None:
    """What restoring a backup taken at `entry` does to the chain."""
    sql("DELETE FROM core_changerecord WHERE seq > %s", [entry.seq])
    sql("UPDATE core_chainseal SET last_seq = %s, last_hash = %s WHERE id = 1", [entry.seq, entry.chain_hash])


def test_a_signed_restore_accounts_for_the_heads_it_rolled_back(chain):
    factories.service("After the backup")
    changelog.seal()
    backup_point = chain[-1]
    roll_back_to(backup_point)
    assert any("rolled back" in f for f in findings())  # without the restore line: a truncated chain

    anchors.record({"kind": "restore", "seq": backup_point.seq, "hash": backup_point.chain_hash})
    result = ledgercheck.verify()
    assert result.ok, result.findings
    assert [a.seq for a in result.rolled_back] == [backup_point.seq + 1]
    factories.service("After the restore")
    assert changelog.seal() == 1  # sealing goes on from the restored head
    assert ledgercheck.verify().ok

    older = chain[1]  # and an even older backup later
    roll_back_to(older)
    anchors.record({"kind": "restore", "seq": older.seq, "hash": older.chain_hash})
    assert ledgercheck.verify().ok
