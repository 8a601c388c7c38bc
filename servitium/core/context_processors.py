"""Navigation by process area: an area appears only when it exists and the user may view something in it."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from . import permissions

# Areas shown in the top bar beside the catalogue; a staff member with more (a manager of several
# processes) finds the rest first in "More", so the bar fits a 1366 px laptop without wrapping.
TOP_AREAS = 6


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_areas": []}
    areas = []
    for area in sorted(permissions.AREAS.values(), key=lambda a: a.order):
        if not area.nav_url:
            continue
        if permissions.is_customer_user(user) and not area.customer_nav:
            continue
        if not (permissions.is_customer_user(user) or permissions.area_allows(user, area.name, "view")):
            continue
        try:
            url = reverse(area.nav_url)
        except NoReverseMatch:
            continue
        areas.append({"name": area.name, "label": area.label, "url": url, "more": area.nav_more})
    is_admin = permissions.area_allows(user, "administration", "view")
    if not permissions.is_customer_user(user):  # customers have no "More" menu and few entries
        more = [a for a in areas if a["more"]]
        areas = [a for a in areas if not a["more"]]
        more, areas = areas[TOP_AREAS:] + more, areas[:TOP_AREAS]
    else:
        more = []
    return {
        "nav_areas": areas,
        "nav_more_areas": more,
        "nav_is_admin": is_admin,
        "is_customer_user": permissions.is_customer_user(user),
    }
