"""The schedule of change: conflicts (same CI, one dependency chain, blackout windows), approval inside a
blackout window, the schedule resource, the iCalendar feed, and trends."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from servitium.changes import ical, selectors, services
from servitium.changes.models import BlackoutWindow, Change
from servitium.core import services as core_services
from tests import factories
from tests.base import client
from tests.changes.conftest import HOUR, change
from tests.changes.test_lifecycle import move

pytestmark = pytest.mark.django_db


def at(days: int, hour: int = 10) -> dt.datetime:
    base = (timezone.now() + dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return base


def submitted(*args, **kwargs) -> Change:
    c = change(*args, **kwargs)
    return services.change_transition(actor=None, instance=c, transition="submit")


def test_conflicts_same_ci_dependency_chain_and_none(chg):
    a = submitted("Patch app", cis=[chg.app], start=at(5))
    b = submitted("Restart app", cis=[chg.app], start=at(5) + HOUR)  # overlaps a on the same CI
    c = submitted("Firmware host", cis=[chg.host], start=at(5))  # the app runs on vm-1 which runs on host-1
    d = submitted("Lone box", cis=[chg.lone], start=at(5))  # unrelated
    e = submitted("Later on host", cis=[chg.host], start=at(6))  # same CI as c, not overlapping
    plan = selectors.schedule(at(4), at(8))
    pairs = {(x.kind, x.change, x.other) for x in plan.conflicts}
    assert ("ci", a.pk, b.pk) in pairs
    assert ("dependency", a.pk, c.pk) in pairs and ("dependency", b.pk, c.pk) in pairs
    involved = plan.conflicting_ids
    assert d.pk not in involved and e.pk not in involved
    assert len(plan.conflicts) == 3


def test_schedule_queries_do_not_grow_with_changes(chg, django_assert_max_num_queries):
    for i in range(12):
        submitted(f"c{i}", cis=[chg.app if i % 2 else chg.host], start=at(5) + i * HOUR)
    with django_assert_max_num_queries(8):
        plan = selectors.schedule(at(4), at(8))
        assert len(plan.changes) == 12 and plan.conflicts


def test_blackout_window_conflict_and_approval_override(chg, ctx):
    core_services.record_update(instance=chg.policy, data={"normal_authority": "manager"}, actor=None)
    window = core_services.record_create(
        model=BlackoutWindow,
        data={"name": "Year-end freeze", "start": at(9, 0), "end": at(11, 0)},
        actor=None,
        m2m={"customers": [ctx.org_a]},
    )
    inside = submitted("Inside", cis=[chg.app], start=at(10))  # mail-app serves org_a
    elsewhere = submitted("Other customer", cis=[chg.lone], start=at(10))  # no customer
    kinds = {(x.kind, x.change) for x in selectors.schedule(at(8), at(12)).conflicts}
    assert ("blackout", inside.pk) in kinds and ("blackout", elsewhere.pk) not in kinds
    refused = move(chg.manager, inside, "approve")
    assert refused.status_code == 409 and refused.json()["code"] == "blackout"
    assert window.name in refused.json()["detail"]
    ok = move(chg.manager, inside, "approve", blackout_override_reason="Security fix, agreed with Alder")
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    conflicts = client(chg.agent).get(f"/api/v1/changes/{inside.pk}/conflicts/").json()
    assert [c["kind"] for c in conflicts] == ["blackout"]


def test_schedule_resource(chg, ctx):
    a = submitted("Patch app", cis=[chg.app], start=at(5))
    b = submitted("Host", cis=[chg.host], start=at(5))
    draft = change("Draft", cis=[chg.app], start=at(5))
    response = client(chg.agent).get(
        "/api/v1/change-schedule/", {"start": at(4).isoformat(), "end": at(7).isoformat()}
    )
    assert response.status_code == 200
    body = response.json()
    ids = [row["id"] for row in body["changes"]]
    assert set(ids) == {a.pk, b.pk} and draft.pk not in ids
    assert all(row["conflict"] for row in body["changes"])
    assert body["conflicts"][0]["kind"] == "dependency"
    bad = client(chg.agent).get("/api/v1/change-schedule/", {"start": "soon"})
    assert bad.status_code == 400 and "start" in bad.json()
    assert client(ctx.customer_a).get("/api/v1/change-schedule/").status_code == 403
    other = factories.user("inc", ctx.provider, ["incident-manager"])
    assert client(other).get("/api/v1/change-schedule/").status_code == 403
    assert client().get("/api/v1/change-schedule/").status_code == 401


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_ical_feed_structure_folding_and_token(chg, ctx):
    long_title = (
        "Replace the certificates of the mail relay, the portal; and the identity provider — ünïcode " * 2
    )
    a = submitted(long_title[:250], cis=[chg.app], start=at(5), description="Line one\nLine two, with comma")
    b = submitted("Host firmware", cis=[chg.host], start=at(6))
    change("Draft only", cis=[chg.lone], start=at(5))
    token = ical.feed_token(chg.agent)
    response = Client().get(f"/changes/schedule.ics?token={token}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    raw = response.content
    text = raw.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    lines = _unfold(text)
    assert lines.count("BEGIN:VEVENT") == 2 == lines.count("END:VEVENT")
    assert f"UID:{a.reference}@servitium" in lines and f"UID:{b.reference}@servitium" in lines
    start = a.planned_start.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in lines
    summary = next(line for line in lines if line.startswith(f"SUMMARY:{a.reference}"))
    assert "\\, the portal\\; and" in summary
    assert any("Line one\\nLine two\\, with comma" in line for line in lines)
    assert Client().get("/changes/schedule.ics?token=1.forged").status_code == 401
    assert Client().get("/changes/schedule.ics").status_code == 401
    customer_token = ical.feed_token(ctx.customer_a)
    assert Client().get(f"/changes/schedule.ics?token={customer_token}").status_code == 403


def test_fold_never_splits_a_character():
    line = "SUMMARY:" + "é" * 100
    folded = ical.fold(line)
    parts = folded.encode().split(b"\r\n")
    assert all(len(p) <= 75 for p in parts)
    assert "".join(p.decode()[1:] if i else p.decode() for i, p in enumerate(parts)) == line


def test_trends(chg):
    core_services.record_update(instance=chg.policy, data={"normal_authority": "manager"}, actor=None)
    outcomes = ["complete", "fail", "back_out", "complete"]
    for i, outcome in enumerate(outcomes):
        c = change(f"t{i}", cis=[chg.lone], start=at(1 + i))
        move(chg.agent, c, "submit")
        move(chg.manager, c, "approve")
        move(chg.agent, c, "implement")
        move(chg.agent, c, outcome, failure_reason="x")
    emergency = change("e", cis=[chg.lone], category="emergency")
    move(chg.agent, emergency, "submit")
    change("draft", cis=[chg.lone])
    response = client(chg.agent).get("/api/v1/changes/trends/", {"months": 3})
    assert response.status_code == 200
    months = response.json()
    assert len(months) == 3
    now = months[-1]
    assert now["month"] == timezone.now().strftime("%Y-%m")
    assert (now["total"], now["implemented"], now["unsuccessful"], now["emergency"]) == (6, 4, 2, 1)
    assert now["failure_rate"] == 0.5 and now["emergency_share"] == round(1 / 6, 4)
    assert months[0]["total"] == 0 and months[0]["failure_rate"] is None
    assert client(chg.agent).get("/api/v1/changes/trends/", {"months": 0}).status_code == 400
