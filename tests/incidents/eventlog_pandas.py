"""The expected history of every ticket of an event log, computed with pandas from the source file alone
(never through the importer's code), the way a person checking a migration would do it:

events sorted by ticket and time (rows with the same time in file order), then per ticket with
groupby/shift:
- a status change is an event whose status differs from the previous non-empty status;
- a reassignment is an event whose group differs from the previous non-empty group;
- a reopen is an event with an open status right after a resolved/closed one;
- resolved and closed times are those of the last move into a resolved (closed) status, kept only when
  the ticket ends resolved or closed (resolved time) or closed (closed time);
- opened is the first event's time.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd


def histories(events: pd.DataFrame, *, resolved: set[str], closed: set[str]) -> dict[str, dict[str, object]]:
    """`events` has the columns ticket, time (UTC), order (file order), status and group (NaN where the
    event has none). Returns, per ticket: status_changes, reassignments, reopens, opened, resolved,
    closed (datetimes or None), events and status (the last non-empty status)."""
    done = resolved | closed
    df = events.sort_values(["ticket", "time", "order"]).reset_index(drop=True)
    by_ticket = df.groupby("ticket", sort=False)
    # The previous non-empty value within the ticket: fill empties forward, then look one row back.
    previous_status = by_ticket["status"].ffill().groupby(df["ticket"]).shift()
    previous_group = by_ticket["group"].ffill().groupby(df["ticket"]).shift()
    has_status = df["status"].notna()
    df["status_change"] = has_status & previous_status.notna() & (df["status"] != previous_status)
    df["reassignment"] = df["group"].notna() & previous_group.notna() & (df["group"] != previous_group)
    df["reopen"] = has_status & previous_status.isin(done) & ~df["status"].isin(done)
    into_resolved = df["status"].isin(resolved) & ~previous_status.isin(resolved)
    into_closed = df["status"].isin(closed) & ~previous_status.isin(closed)
    df["resolved_move"] = df["time"].where(into_resolved)
    df["closed_move"] = df["time"].where(into_closed)
    per_ticket = df.groupby("ticket", sort=False).agg(
        status_changes=("status_change", "sum"),
        reassignments=("reassignment", "sum"),
        reopens=("reopen", "sum"),
        opened=("time", "min"),
        resolved=("resolved_move", "max"),
        closed=("closed_move", "max"),
        events=("time", "size"),
        status=("status", "last"),  # last skips empty values
    )
    per_ticket.loc[~per_ticket["status"].isin(done), "resolved"] = pd.NaT
    per_ticket.loc[~per_ticket["status"].isin(closed), "closed"] = pd.NaT
    return {
        str(ticket): {
            "status_changes": int(row.status_changes),
            "reassignments": int(row.reassignments),
            "reopens": int(row.reopens),
            "opened": _when(row.opened),
            "resolved": _when(row.resolved),
            "closed": _when(row.closed),
            "events": int(row.events),
            "status": None if pd.isna(row.status) else str(row.status),
        }
        for ticket, row in per_ticket.iterrows()
    }


def _when(value: object) -> dt.datetime | None:
    return None if pd.isna(value) else pd.Timestamp(value).to_pydatetime()
