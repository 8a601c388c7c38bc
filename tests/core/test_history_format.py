"""Readable history (core.history): labels instead of attribute names, names instead of ids (read in bulk
and only where the reader may see them), choice labels, yes/no, dates in the reader's zone, durations."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from servitium.core import history
from servitium.core import services as core_services
from servitium.core.models import ChangeRecord
from servitium.core.templatetags.servitium import when, yesno_or_value
from servitium.incidents import services as incident_services
from servitium.parties.models import Team
from tests import factories


@pytest.fixture(autouse=True)
def _english_utc():
    with translation.override("en"), timezone.override(dt.UTC):
        yield


def entry(object_type: str, changes: dict, **extra) -> ChangeRecord:
    """A change-log entry as a service would have written it (saved: the formatter reads stored rows)."""
    return ChangeRecord.objects.create(
        action=extra.pop("action", ChangeRecord.Action.UPDATE),
        object_type=object_type,
        object_id=extra.pop("object_id", 1),
        object_repr=extra.pop("object_repr", "a record"),
        changes=changes,
        context=extra.pop("context", ChangeRecord.Context.WEB),
        **extra,
    )


def lines(found: history.Entry) -> dict[str, tuple[str, str]]:
    return {c.label: (c.before.full or c.before.text, c.after.full or c.after.text) for c in found.changes}


def team(name: str, org) -> Team:
    return core_services.record_create(model=Team, data={"name": name, "organization": org}, actor=None)


def test_field_labels_foreign_key_names_and_choice_labels(ctx):
    desk = team("Service Desk", ctx.provider)
    record = entry(
        "incidents.incident",
        {"assignment_group_id": [None, desk.pk], "status": ["new", "in_progress"], "is_major": [False, True]},
    )
    (found,) = history.entries([record], ctx.admin)
    assert lines(found) == {
        "Assignment group": ("—", "Service Desk"),
        "Status": ("new", "in progress"),
        "Major incident": ("no", "yes"),
    }


def test_names_are_read_in_one_query_per_related_model_for_the_whole_page(ctx):
    teams = [team(f"Team {i}", ctx.provider) for i in range(6)]
    owner = factories.person("Olga Owner", ctx.provider)
    records = [
        entry("incidents.incident", {"assignment_group_id": [teams[i].pk, teams[i + 1].pk]}, object_id=i)
        for i in range(5)
    ]
    records.append(entry("catalog.service", {"owner_id": [None, owner.pk]}))
    with CaptureQueriesContext(connection) as queries:
        found = history.entries(records, ctx.admin)
    # Team names, person names; no actors on these entries, so no user query.
    assert len(queries) == 2
    assert lines(found[4])["Assignment group"] == ("Team 4", "Team 5")
    assert lines(found[5])["Owner"] == ("—", "Olga Owner")


def test_many_to_many_ids_become_names(ctx):
    record = entry("catalog.service", {"customers": [[ctx.org_a.pk], [ctx.org_a.pk, ctx.org_b.pk]]})
    (found,) = history.entries([record], ctx.admin)
    assert lines(found)["Customers"] == ("Suite Customer A", "Suite Customer A, Suite Customer B")


def test_a_customer_user_never_learns_another_organizations_name(ctx):
    record = entry("catalog.service", {"customers": [[ctx.org_a.pk], [ctx.org_a.pk, ctx.org_b.pk]]})
    (found,) = history.entries([record], ctx.customer_a)
    before, after = lines(found)["Customers"]
    assert before == "Suite Customer A"
    assert after == "Suite Customer A, (not visible)"
    assert "Customer B" not in after


def test_records_outside_the_readers_scope_show_as_not_visible(ctx):
    agent = factories.user("agent_h", ctx.provider, ["incident-agent"])
    # The change log of a user record: organizations are read by every provider user, users are not.
    record = entry("parties.user", {"organization_id": [None, ctx.org_b.pk]}, actor=ctx.admin)
    (found,) = history.entries([record], agent)
    assert lines(found)["Organization"] == ("—", "Suite Customer B")
    (found,) = history.entries([entry("parties.team", {"lead_id": [None, 999_999]})], ctx.admin)
    assert lines(found)["Lead"] == ("—", "(not visible)")


def test_dates_and_times_in_the_readers_time_zone_in_one_format(ctx):
    agreement = entry("agreements.servicelevelagreement", {"valid_from": [None, "2026-03-01"]})
    ticket = entry("incidents.incident", {"major_declared_at": [None, "2026-11-27T14:08:00+00:00"]})
    with timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        first, second = history.entries([agreement, ticket], ctx.admin)
        assert lines(first) == {"Valid from": ("—", "1 Mar 2026")}
        assert lines(second) == {"Declared major at": ("—", "27 Nov 2026, 15:08")}  # UTC+1 in November
        moment = dt.datetime(2026, 11, 27, 14, 8, tzinfo=dt.UTC)
        assert ">27 Nov 2026, 15:08</time>" in when(moment)
        assert 'datetime="2026-11-27T14:08:00+00:00"' in when(moment)
        assert when("not a date") == "not a date"
        assert ">1 Mar 2026</time>" in yesno_or_value(dt.date(2026, 3, 1))


def test_durations_in_hours_and_minutes(ctx):
    record = entry("availability.continuityrequirement", {"rto_minutes": [30, 150]})
    (found,) = history.entries([record], ctx.admin)
    assert lines(found) == {"Recovery time objective": ("30 min", "2 h 30 min")}
    record = entry("incidents.requestitem", {"response_target_s": [None, 7200]})
    (found,) = history.entries([record], ctx.admin)
    assert lines(found) == {"Response target": ("—", "2 h")}


def test_structured_values_long_text_and_who(ctx):
    long_text = "A paragraph about the outage. " * 10
    record = entry(
        "agreements.servicelevelagreement",
        {"workload": [{"service_level": "silver"}, {"service_level": "gold", "peak_periods": ["month end"]}]},
        context=ChangeRecord.Context.IMPORT,
    )
    (found,) = history.entries([record], ctx.admin)
    assert lines(found)["Workload characteristics"] == (
        "service level: silver",
        "service level: gold; peak periods: month end",
    )
    assert found.who == "imported"
    record = entry(
        "catalog.service", {"description": ["", long_text]}, actor=ctx.admin, actor_name="suite_admin"
    )
    (found,) = history.entries([record], ctx.admin)
    (change,) = found.changes
    assert change.after.full == long_text and len(change.after.text) <= history.SHORT + 1
    assert change.after.text.endswith("…")
    assert found.who == "suite_admin"
    (found,) = history.entries([entry("catalog.service", {}, action=ChangeRecord.Action.CREATE)], ctx.admin)
    assert found.who == "system" and found.url == "/catalog/services/1/"


def test_a_fields_key_no_longer_declared_is_still_readable(ctx):
    (found,) = history.entries([entry("catalog.service", {"retired_team_id": [1, 2]})], ctx.admin)
    assert lines(found) == {"Retired team": ("1", "2")}


def test_the_record_page_shows_readable_history(ctx):
    desk = team("Service Desk", ctx.provider)
    incident = incident_services.incident_create(
        actor=ctx.admin, data={"customer": ctx.org_a, "title": "VPN"}
    )
    incident_services.incident_update(actor=ctx.admin, instance=incident, data={"assignment_group": desk})
    browser = Client()
    browser.force_login(ctx.admin)
    page = browser.get(f"/incidents/{incident.pk}/").content.decode()
    block = page[page.index('id="history"') :]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block))
    assert "Assignment group : — → Service Desk" in text or "Assignment group: — → Service Desk" in text
    assert "assignment_group_id" not in page
