"""The catalogue's criticality rule (2018 8.2.2.s2), both ways: a live service without a criticality is a
gap named by the rule; pipeline and retired services are not judged."""

from __future__ import annotations

from servitium.core import services as core_services
from servitium.core.checks import REGISTRY
from tests import factories


def test_every_live_service_has_its_criticality(ctx):
    rule = REGISTRY["catalog.criticality_determined"]
    assert list(rule.requirements) == ["iso20000-1:2018#8.2.2.s2"]
    factories.service("Planned", status="pipeline")
    mail = factories.service("Mail")
    result = rule.run()
    assert result.status == "not_met" and [(g.object_type, g.object_id) for g in result.gaps] == [
        ("catalog.service", mail.pk)
    ]
    core_services.record_update(instance=mail, data={"criticality": "high"}, actor=None)
    assert rule.run().status == "met"
