"""The change log: one entry per write with its origin, sealed into a SHA-256 chain that detects tampering."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from servitium.core import changelog, ledgercheck
from servitium.core.context import change_context
from servitium.core.models import ChainSeal, ChangeRecord
from tests import factories
from tests.base import client


def test_api_writes_appear_in_changelog_endpoint(ctx):
    api = client(ctx.admin)
    created = api.post("/api/v1/services/", {"name": "Backup"}, format="json").json()
    api.patch(f"/api/v1/services/{created['id']}/", {"description": "nightly"}, format="json")
    rows = api.get(
        "/api/v1/changelog/", {"object_type": "catalog.service", "object_id": created["id"]}
    ).json()
    assert [r["action"] for r in rows["results"]] == ["update", "create"]
    update = rows["results"][0]
    assert update["changes"] == {"description": ["", "nightly"]}
    assert update["actor"] == "suite_admin"
    assert update["context"] == "api"
    assert update["sealed"] is False
    assert len(update["request_id"]) >= 16


def test_changelog_filters_by_actor_and_action(ctx):
    api = client(ctx.admin)
    api.post("/api/v1/services/", {"name": "A"}, format="json")
    rows = api.get("/api/v1/changelog/", {"actor": ctx.admin.pk, "action": "create"}).json()["results"]
    assert {r["object_repr"] for r in rows} == {"A"}
    rows = api.get("/api/v1/changelog/", {"actor": "suite_admin"}).json()["results"]
    assert len(rows) == 1


def test_customers_cannot_read_the_changelog(ctx):
    factories.service("Shared", customers=[ctx.org_a])
    assert client(ctx.customer_a).get("/api/v1/changelog/").json()["count"] == 0


def test_shell_context_and_no_entry_for_noop_update(ctx):
    with change_context(context="shell"):
        svc = factories.service("Quiet")
    assert ChangeRecord.objects.get(object_type="catalog.service", object_id=svc.pk).context == "shell"
    assert changelog.record(svc, action="update", before=changelog.snapshot(svc)) is None


def test_seal_and_verify_detect_tampering(ctx):
    factories.service("One")
    factories.service("Two")
    total = ChangeRecord.objects.count()
    assert changelog.seal() == total
    assert changelog.seal() == 0
    result = ledgercheck.verify()
    assert result.ok and result.checked == total
    call_command("verify_changelog")  # exit 0

    victim = ChangeRecord.objects.order_by("seq")[total // 2]
    ChangeRecord.objects.filter(pk=victim.pk).update(object_repr="forged")
    result = ledgercheck.verify()
    assert not result.ok and result.broken_id == victim.pk
    with pytest.raises(CommandError, match=f"entry {victim.pk}"):
        call_command("verify_changelog")


def test_changed_changes_json_is_detected(ctx):
    svc = factories.service("Json")
    changelog.seal()
    entry = ChangeRecord.objects.get(object_type="catalog.service", object_id=svc.pk)
    ChangeRecord.objects.filter(pk=entry.pk).update(changes={"name": [None, "Other"]})
    assert ledgercheck.verify().broken_id == entry.pk


def test_deleted_sealed_entry_is_detected(ctx):
    factories.service("A")
    factories.service("B")
    changelog.seal()
    first = ChangeRecord.objects.order_by("seq").first()
    following = ChangeRecord.objects.filter(seq=first.seq + 1).get()
    ChangeRecord.objects.filter(pk=first.pk).delete()
    result = ledgercheck.verify()
    assert not result.ok and result.broken_id == following.pk


def test_sealing_continues_the_chain(ctx):
    factories.service("Before")
    changelog.seal()
    head = ChainSeal.objects.get(pk=1)
    factories.service("After")
    changelog.seal()
    assert ChainSeal.objects.get(pk=1).last_seq > head.last_seq
    assert ledgercheck.verify().ok


def test_seal_command(ctx, capsys):
    factories.service("X")
    call_command("seal_changelog")
    assert "sealed" in capsys.readouterr().out
    assert not ChangeRecord.objects.filter(seq__isnull=True).exists()


def test_periodic_job_seals(ctx):
    from servitium.core.jobs import seal_change_log

    factories.service("Y")
    seal_change_log.call_local()
    assert not ChangeRecord.objects.filter(seq__isnull=True).exists()
