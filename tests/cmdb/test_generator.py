"""The benchmark generator builds a layered CMDB of the asked size that impact analysis walks safely."""

from __future__ import annotations

from django.core.management import call_command
from django.db.models import F

from servitium.cmdb import selectors
from servitium.cmdb.models import CIRelationship, ConfigurationItem
from servitium.core.models import ChangeRecord
from tests import factories


def test_generate_cis_small(ctx, capsys):
    factories.service("Hosting", customers=[ctx.org_a])
    call_command("generate_cis", cis=400, relationships=1200)
    assert "generated 400 CIs and 1200 relationships" in capsys.readouterr().out
    assert ConfigurationItem.objects.count() == 400 and CIRelationship.objects.count() == 1200
    # Every generated record has its change-log entry, as imported history does.
    for model in (ConfigurationItem, CIRelationship):
        logged = ChangeRecord.objects.filter(object_type=model.object_type(), action="create")
        assert set(logged.values_list("object_id", flat=True)) == set(
            model.objects.values_list("pk", flat=True)
        )
        assert set(logged.values_list("context", flat=True)) == {"import"}
    rel = CIRelationship.objects.select_related("source", "target").first()
    assert ChangeRecord.objects.get(object_type="cmdb.cirelationship", object_id=rel.pk).object_repr == str(
        rel
    )
    assert not CIRelationship.objects.filter(source=F("target")).exists()
    core = ConfigurationItem.objects.filter(ci_type__name="network device").order_by("id").first()
    reach = selectors.impact(core)
    assert reach.cis.filter(ci_type__name="server").exists()
    service = ConfigurationItem.objects.filter(ci_type__name="service").first()
    assert service.customers.count() == 1 and service.service.name == "Hosting"
    storage = ConfigurationItem.objects.filter(ci_type__name="storage").first()
    assert {c.pk for c in selectors.impact(storage).cis} >= set(
        ConfigurationItem.objects.filter(outgoing__target=storage).values_list("pk", flat=True)
    )


def test_large_reaches_give_the_same_answer(ctx, monkeypatch):
    """Past INLINE_IDS the reached CIs are handed over differently (array on PostgreSQL, walk subquery on
    SQLite); the answer must not change."""
    factories.service("Hosting", customers=[ctx.org_a])
    call_command("generate_cis", cis=300, relationships=900)
    infrastructure = ConfigurationItem.objects.filter(ci_type__name__in=["network device", "storage"])
    core = max(infrastructure, key=lambda ci: len(selectors.walk(ci.pk, upstream=False)))

    def answer():
        reach = selectors.impact(core)
        return {c.pk for c in reach.cis}, set(reach.services), set(reach.customers)

    small = answer()
    monkeypatch.setattr(selectors, "INLINE_IDS", 2)
    assert len(small[0]) > 2 and answer() == small
