"""Event-log imports with a mapping file: the BPI Challenge 2013 logs (Volvo IT Belgium, 4TU.ResearchData,
author Ward Steeman) import with every ticket's history intact, and importing twice changes nothing.

The expectations are computed here from the XES files with ElementTree, independently of the importer's
code (pandas is not installed here; the computation is the same one a pandas groupby would do): events in
time order (file order for equal times), a status change where the status differs from the previous one,
a reassignment where the group differs from the previous one, a reopen where a resolved/closed status is
followed by another, and the opened/resolved/closed times.
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import pytest

from servitium.incidents.imports import mapping as mapping_files
from servitium.incidents.imports.run import run_import
from servitium.incidents.models import Incident, IncidentEvent
from servitium.parties.models import Organization, Team

BPI13 = Path(os.environ.get("SERVITIUM_BPIC2013_DIR", "/work/shared/data/bpic2013"))
NOT_A_STATUS = {"Unmatched", "UNKNOWN"}  # the log's markers for an unknown state
RESOLVED = {"Resolved"}
CLOSED = {"Closed", "Cancelled"}

pytestmark = pytest.mark.skipif(not BPI13.is_dir(), reason="BPI 2013 data not available")


def expected_from_xes(path: Path) -> dict[str, dict]:
    """Per trace: counts and times, straight from the XES file."""
    ns = "{http://www.xes-standard.org/}"
    traces: dict[str, list[tuple[dt.datetime, int, str, str]]] = defaultdict(list)
    order = 0
    with gzip.open(path) as handle:
        for trace in ET.parse(handle).getroot().iter(f"{ns}trace"):  # noqa: S314 - our own test data
            name = next(
                c.get("value") for c in trace if c.tag != f"{ns}event" and c.get("key") == "concept:name"
            )
            for event in trace.iter(f"{ns}event"):
                attrs = {c.get("key"): c.get("value") for c in event}
                order += 1
                when = dt.datetime.fromisoformat(attrs["time:timestamp"]).astimezone(dt.UTC)
                traces[name].append(
                    (when, order, attrs.get("lifecycle:transition", ""), attrs.get("org:group", ""))
                )
    result = {}
    for name, events in traces.items():
        events.sort(key=lambda e: (e[0], e[1]))
        status = group = None
        changes = reassignments = reopens = 0
        resolved_at = closed_at = None
        for when, _order, raw, team in events:
            if raw and raw not in NOT_A_STATUS:
                if status is not None and raw != status:
                    changes += 1
                done_before = status in RESOLVED | CLOSED
                if done_before and raw not in RESOLVED | CLOSED:
                    reopens += 1
                if raw in RESOLVED and status not in RESOLVED:
                    resolved_at = when
                if raw in CLOSED and status not in CLOSED:
                    closed_at = when
                status = raw
            if team:
                if group is not None and team != group:
                    reassignments += 1
                group = team
        final_done = status in RESOLVED | CLOSED
        result[name] = {
            "status_changes": changes,
            "reassignments": reassignments,
            "reopens": reopens,
            "opened": events[0][0],
            "resolved": resolved_at if final_done else None,
            "closed": closed_at if status in CLOSED else None,
            "events": len(events),
        }
    return result


def status_changes(incident: Incident) -> int:
    """Status changes as the ticket's imported timeline shows them ("Status: A → B")."""
    return sum(
        1
        for detail in incident.imported_events.values_list("detail", flat=True)
        for line in detail.splitlines()
        if line.startswith("Status: ") and " → " in line
    )


@pytest.mark.parametrize("log", ["06_bpic2013_closed.xes.gz", "07_bpic2013_incidents.xes.gz"])
def test_bpi_2013_log_imports_with_its_history_intact_and_twice_changes_nothing(ctx, log):
    path = BPI13 / log
    expected = expected_from_xes(path)
    spec = mapping_files.load("bpic2013")

    report = run_import(spec, path, create_missing=True)

    assert report.error_count == 0, report.as_text()
    assert report.created == len(expected)
    incidents = {i.external_id: i for i in Incident.objects.filter(source="bpic2013")}
    assert set(incidents) == set(expected)
    assert IncidentEvent.objects.filter(incident__source="bpic2013").count() == sum(
        e["events"] for e in expected.values()
    )
    mismatches = []
    for name, want in expected.items():
        incident = incidents[name]
        got = {
            "status_changes": status_changes(incident) if want["status_changes"] < 50 else None,
            "reassignments": incident.reassignment_count,
            "reopens": incident.reopen_count,
            "opened": incident.created,
            "resolved": incident.resolved_at,
            "closed": incident.closed_at,
        }
        mismatches += [
            (name, key, value, want[key])
            for key, value in got.items()
            if (value is not None or key != "status_changes") and value != want[key]
        ]
    assert mismatches == []
    # The references are Servitium's own; the source's number stays the source reference.
    assert all(i.reference.startswith("INC") and i.external_id != i.reference for i in incidents.values())
    assert "Volvo IT (BPI Challenge 2013)" in report.created_records["organizations"]
    assert Team.objects.filter(name__in=report.created_records["teams"]).count() == len(
        report.created_records["teams"]
    )

    again = run_import(spec, path, create_missing=True)

    assert (again.created, again.updated, again.events_created) == (0, 0, 0)
    assert again.unchanged == len(expected)
    assert again.created_records == {}


def test_without_create_missing_the_tickets_are_reported_not_guessed(ctx):
    path = BPI13 / "06_bpic2013_closed.xes.gz"
    report = run_import(mapping_files.load("bpic2013"), path)

    assert report.created == 0
    assert Incident.objects.count() == 0
    assert report.errors["missing organization"].count == report.tickets
    file, line, message = report.errors["missing organization"].first[0]
    assert "Volvo IT (BPI Challenge 2013)" in message and "--create-missing" in message
    assert not Organization.objects.filter(name="Volvo IT (BPI Challenge 2013)").exists()
