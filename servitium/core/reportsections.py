"""What each process contributes to a service report (2011 6.2; 2018 9.4).

Service reports are defined, generated and archived by the `reporting` app, the highest of the assurance
apps; the apps that hold the figures (availability, capacity, finance, and reporting itself for incidents,
changes, nonconformities, satisfaction and complaints) register a section here, so that no lower app
imports reporting and a report shows whatever is registered:

    register_report_section(
        "availability", _("Availability"), availability_for_report,
        items=("availability",), template="availability/_report_section.html", order=40,
    )

`build(scope)` reads the figures of `scope` (a customer or all customers, some services, a period) and
returns the template's context — plain values, text and SVG from `core.charts`, so the same context
renders in the browser, in the PDF and in the archived copy — or None when it has nothing for that scope.
`items` name the content the standard asks a report to hold (see `ITEMS`), so a report definition can
say which required item has nothing behind it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

# The content of a service report (2018 9.4 a-f; 2011 6.2), plus the assurance figures where they apply.
ITEMS: dict[str, Any] = {
    "service_targets": _("Performance against service targets"),
    "nonconformities": _("Relevant nonconformities"),
    "workload": _("Workload characteristics"),
    "after_major_events": _("Performance after major incidents and changes"),
    "trends": _("Trends"),
    "satisfaction": _("Customer satisfaction and complaints"),
    "availability": _("Availability"),
    "capacity": _("Capacity"),
    "cost": _("Cost"),
}


@dataclass(frozen=True)
class ReportScope:
    """What one report covers: a customer (None: every customer, an internal report), services (empty:
    every service the customer receives), and the period [start, end)."""

    customer_id: int | None
    service_ids: tuple[int, ...]
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class ReportSection:
    key: str
    title: Any
    build: Callable[[ReportScope], dict[str, Any] | None]
    items: tuple[str, ...]
    template: str
    order: int = 100


_SECTIONS: dict[str, ReportSection] = {}


def register_report_section(
    key: str,
    title: Any,
    build: Callable[[ReportScope], dict[str, Any] | None],
    *,
    items: tuple[str, ...],
    template: str,
    order: int = 100,
) -> None:
    """Add (or replace, when its module is imported again) the report section `key`."""
    unknown = set(items) - set(ITEMS)
    if unknown:
        raise ValueError(f"unknown report items: {sorted(unknown)}")
    _SECTIONS[key] = ReportSection(key, title, build, tuple(items), template, order)


def report_sections() -> list[ReportSection]:
    """The registered sections in report order."""
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
