"""The sidebar: the registered entries (core.navigation) this user may view, grouped by what people do."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

from . import permissions
from .navigation import ENTRIES, GROUPS, Entry


def _visible(user: Any, entry: Entry, customer: bool) -> bool:
    if customer:
        return entry.customer
    allows = permissions.area_allows
    return not entry.areas or any(allows(user, area, permissions.VIEW) for area in entry.areas)


def _entries(user: Any, customer: bool) -> list[dict[str, Any]]:
    found = []
    for entry in sorted(ENTRIES.values(), key=lambda e: (e.order, e.url_name)):
        if not _visible(user, entry, customer):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:  # an app switched off in this installation
            continue
        found.append({"group": entry.group, "label": entry.label, "url": url, "active": False})
    return found


def _mark_current(entries: list[dict[str, Any]], path: str) -> None:
    """The entry whose address is the longest start of the page's own is the current one (a record's page
    highlights its list; /catalog/services/7/ is under "Services", not under "Catalogue" at /catalog/)."""
    under = [e for e in entries if path.startswith(e["url"])]
    if under:
        max(under, key=lambda e: len(e["url"]))["active"] = True


def navigation(request) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_groups": []}
    customer = permissions.is_customer_user(user)
    entries = _entries(user, customer)
    _mark_current(entries, request.path)
    if customer:  # a few entries, no staff vocabulary: one list without group headings
        groups = [{"label": None, "entries": entries}] if entries else []
    else:
        groups = []
        for key, label in GROUPS.items():
            mine = [e for e in entries if e["group"] == key]
            if mine:
                groups.append({"label": label, "entries": mine})
    return {
        "nav_groups": groups,
        "is_customer_user": customer,
        "nav_search": permissions.is_provider_user(user),  # the global search is for staff
    }
