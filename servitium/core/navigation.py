"""The sidebar's entries, grouped by what people do there; apps register their own, core only reads them.

An app declares an entry where it declares its area (`permissions.register_area(..., nav_group=...)`) or,
for a second page of the same area, with `register_entry`. base.html never names an app's page, so a new
app appears in the menu without editing the layout (core imports no app: the layers rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

OPERATE = "operate"
CONTROL = "control"
PLAN = "plan"
CONFORMITY = "conformity"
ADMINISTRATION = "administration"

# In the order the sidebar shows them: day-to-day work first, the administrators' pages last.
GROUPS: dict[str, Any] = {
    OPERATE: _("Operate"),
    CONTROL: pgettext_lazy("menu group", "Control"),  # steering the services, not a security control
    PLAN: _("Plan and improve"),
    CONFORMITY: _("Conformity"),
    ADMINISTRATION: _("Administration"),
}


@dataclass(frozen=True)
class Entry:
    """One page in the sidebar, shown to a provider user who may view any of `areas` (no areas: every
    provider user) and, when `customer` is set, to customer users (they see their own records there)."""

    url_name: str
    label: Any
    group: str
    order: int = 100
    areas: tuple[str, ...] = ()
    customer: bool = False


ENTRIES: dict[str, Entry] = {}


def register_entry(
    url_name: str,
    label: Any,
    *,
    group: str,
    order: int = 100,
    areas: tuple[str, ...] = (),
    customer: bool = False,
) -> Entry:
    """Add a page to the sidebar (registering the same URL name again replaces its entry)."""
    if group not in GROUPS:
        raise ValueError(f"Unknown navigation group {group!r}; one of {', '.join(GROUPS)}")
    entry = Entry(url_name, label, group, order, tuple(areas), customer)
    ENTRIES[url_name] = entry
    return entry
