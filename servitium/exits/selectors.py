"""Reads of exit and transfer: the plan page's inventory with its done and overdue items, what blocks the
plan's next step, an export's manifest and its verification."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from servitium.core import permissions

from .exporter import MANIFEST
from .lifecycle import ACKNOWLEDGE, PLAN_WORKFLOW
from .models import DataExport, ExitItem, ExitPlan
from .verify import Verification, verify


@dataclass
class InventoryLine:
    item: ExitItem
    state: str  # done, overdue, open

    @property
    def css(self) -> str:
        return {"done": "ok", "overdue": "bad", "open": ""}[self.state]


def inventory(plan: ExitPlan, user: Any) -> list[InventoryLine]:
    today = timezone.localdate()
    items = permissions.restrict(
        plan.items.select_related("ci", "document", "agreement", "done_by"), user
    ).order_by("due_on", "id")
    lines = []
    for item in items:
        if item.done_at:
            state = "done"
        elif item.due_on and item.due_on < today:
            state = "overdue"
        else:
            state = "open"
        lines.append(InventoryLine(item, state))
    return lines


def blocking(plan: ExitPlan) -> list[tuple[str, str]]:
    """The next steps of the plan staff take and, for each that cannot be taken now, why (the customer's
    own acknowledgement waits on the same things as the agreement staff record)."""
    found = []
    for step in PLAN_WORKFLOW.from_state(plan.status):
        if step.action == ACKNOWLEDGE:
            continue
        reason = step.guard(plan) if step.guard else None
        if reason:
            found.append((str(step.label), reason))
    return found


def manifest_of(export: DataExport) -> dict[str, Any] | None:
    """The manifest of a built export (None: no file, or it cannot be read)."""
    if not export.file:
        return None
    try:
        with export.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
            return json.loads(archive.read(MANIFEST))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None


def export_verify(export: DataExport) -> Verification:
    with export.file.open("rb") as handle:
        return verify(handle)
