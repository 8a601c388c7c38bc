"""Event-log imports with a mapping file: the BPI Challenge 2013 logs (Volvo IT Belgium, 4TU.ResearchData,
author Ward Steeman) import with every ticket's history intact, and importing twice changes nothing.

The expectations are computed here with pandas from the XES files (the XML read into rows, the rows into
a DataFrame, then groupby/shift in eventlog_pandas), independently of the importer's code.
"""

from __future__ import annotations

import gzip
import os
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from servitium.incidents.imports import mapping as mapping_files
from servitium.incidents.imports.run import run_import
from servitium.incidents.models import Incident, IncidentEvent
from servitium.parties.models import Organization, Team

from .eventlog_pandas import histories

BPI13 = Path(os.environ.get("SERVITIUM_BPIC2013_DIR", "/work/shared/data/bpic2013"))
NOT_A_STATUS = ["Unmatched", "UNKNOWN"]  # the log's markers for an unknown state
RESOLVED = {"Resolved"}
CLOSED = {"Closed", "Cancelled"}

pytestmark = pytest.mark.skipif(not BPI13.is_dir(), reason="BPI 2013 data not available")


def xes_events(path: Path) -> pd.DataFrame:
    """One row per event of the XES file: its trace's name, file order, time, status and group."""
    ns = "{http://www.xes-standard.org/}"
    rows = []
    with gzip.open(path) as handle:
        for trace in ET.parse(handle).getroot().iter(f"{ns}trace"):  # noqa: S314 - our own test data
            name = next(
                c.get("value") for c in trace if c.tag != f"{ns}event" and c.get("key") == "concept:name"
            )
            for event in trace.iter(f"{ns}event"):
                attrs = {c.get("key"): c.get("value") for c in event}
                rows.append(
                    {
                        "ticket": name,
                        "order": len(rows),
                        "time": attrs["time:timestamp"],
                        "status": attrs.get("lifecycle:transition"),
                        "group": attrs.get("org:group"),
                    }
                )
    events = pd.DataFrame(rows)
    events["time"] = pd.to_datetime(events["time"], format="ISO8601", utc=True)
    events["status"] = events["status"].replace("", None).mask(events["status"].isin(NOT_A_STATUS))
    events["group"] = events["group"].replace("", None)
    return events


def expected_from_xes(path: Path) -> dict[str, dict]:
    """Per trace: counts and times, straight from the XES file."""
    return histories(xes_events(path), resolved=RESOLVED, closed=CLOSED)


def timelines(source: str) -> tuple[Counter, Counter]:
    """Per ticket of the source: its imported events, and the status changes its timeline shows
    ("Status: A → B"; the first status, "Status: A", is the opening one)."""
    events, changes = Counter(), Counter()
    rows = IncidentEvent.objects.filter(incident__source=source).values_list(
        "incident__external_id", "detail"
    )
    for ticket, detail in rows.iterator():
        events[ticket] += 1
        changes[ticket] += sum(
            1 for line in detail.splitlines() if line.startswith("Status: ") and " → " in line
        )
    return events, changes


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
    events, changes = timelines("bpic2013")
    mismatches = []
    for name, want in expected.items():
        incident = incidents[name]
        got = {
            "status_changes": changes[name],
            "reassignments": incident.reassignment_count,
            "reopens": incident.reopen_count,
            "opened": incident.created,
            "resolved": incident.resolved_at,
            "closed": incident.closed_at,
            "events": events[name],
        }
        mismatches += [(name, key, value, want[key]) for key, value in got.items() if value != want[key]]
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
