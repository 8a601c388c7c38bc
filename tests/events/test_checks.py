"""The event checks, both ways: alerts handled meet them; an alert of a source whose rule maps no severity
to incidents is the gap, named; suppressions name their reason; the requirements are catalogue leaves."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import servitium
from servitium.core.checks import MET, NOT_APPLICABLE, NOT_MET, PARTLY_MET, REGISTRY
from servitium.events import services
from servitium.events.models import Event, EventRule
from tests.events.conftest import alert

pytestmark = pytest.mark.django_db


def run(check_id: str):
    return REGISTRY[check_id].run()


def ours():
    return sorted(c.id for c in REGISTRY.values() if c.id.startswith("events."))


def test_requirements_are_leaves_of_the_catalogues():
    leaves = set()
    for edition in ("2011", "2018"):
        path = Path(servitium.__file__).parent / "conformity" / "frameworks" / f"iso20000-1-{edition}.yaml"
        data = yaml.safe_load(path.read_text())

        def walk(nodes, slug=data["slug"]):
            for node in nodes:
                if node.get("children"):
                    walk(node["children"])
                else:
                    leaves.add(f"{slug}#{node['id']}")

        walk(data["requirements"])
    assert len(ours()) == 2
    for check_id in ours():
        assert set(REGISTRY[check_id].requirements) <= leaves, check_id


def test_nothing_received(estate):
    assert run("events.alerts_handled").status == NOT_APPLICABLE
    assert run("events.suppressions_explained").status == NOT_APPLICABLE


def test_handled_alerts_meet_the_checks(estate):
    services.intake(
        actor=None,
        alerts=[
            alert("HostDown", instance="web-01", severity="critical"),
            alert("DiskSoon", instance="shop-app", severity="info"),
        ],
    )
    for check_id in ours():
        assert run(check_id).status in (MET, NOT_APPLICABLE), check_id
    assert run("events.alerts_handled").status == MET


def test_an_alert_that_opened_nothing_is_the_gap(estate):
    EventRule.objects.create(
        name="Legacy", source="syslog", order=1, severities={"info": None}, default_severity="info"
    )
    services.intake(actor=None, alerts=[alert("HostDown", instance="web-01", severity="critical")])
    gap = services.intake(
        actor=None, alerts=[alert("RAID degraded", source="syslog", instance="mail-01", severity="critical")]
    )[0]
    assert gap.action == Event.Action.NOTED and gap.incident is None
    result = run("events.alerts_handled")
    assert result.status in (NOT_MET, PARTLY_MET)
    assert "RAID degraded" in result.message
