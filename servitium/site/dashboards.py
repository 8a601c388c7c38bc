"""Which home dashboards a user gets, and the home page's own reads.

The tiles come from the process apps through core.panels (HOME_AGENT, HOME_MANAGER, HOME_MANAGEMENT);
customer users never reach this home (theirs is the portal's). This module only picks the dashboards by
role and gathers their tiles, each tile shown once even when a user's roles bring two dashboards that both
carry it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from servitium.core import permissions
from servitium.core.panels import HOME_AGENT, HOME_MANAGEMENT, HOME_MANAGER, LIST, panels

TITLES = {
    HOME_AGENT: _("My work"),
    HOME_MANAGER: _("How my processes are doing"),
    HOME_MANAGEMENT: _("Management overview"),
}
OVERSEERS = frozenset({permissions.ADMINISTRATOR, permissions.AUDITOR, permissions.TOP_MANAGEMENT})


def audiences(user: Any) -> list[str]:
    """The dashboards of this user's roles, in the order they are shown (none for a customer user, who is
    sent to the portal): agents their queue; process managers their processes; top management, auditors and
    administrators the management overview."""
    if not permissions.is_provider_user(user):
        return []
    roles = permissions.user_roles(user)
    everything = user.is_superuser or permissions.ADMINISTRATOR in roles
    shown = []
    if any(role.endswith("-agent") for role in roles):
        shown.append(HOME_AGENT)
    if everything or any(role.endswith("-manager") for role in roles):
        shown.append(HOME_MANAGER)
    if everything or roles & OVERSEERS:
        shown.append(HOME_MANAGEMENT)
    return shown


def sections(user: Any) -> list[dict[str, Any]]:
    """Each dashboard of the user with the tiles the apps have for them (tiles with nothing to show, or
    that the user may not see, are left out by the apps themselves), each tile once."""
    shown: set[str] = set()
    found = []
    # A tile two dashboards carry stays in the broader one (top management's risks are not "my process"):
    # the dashboards claim their tiles from the management overview down, and are shown the other way.
    for audience in reversed(audiences(user)):
        tiles = [p for p in panels(audience, None, user, page=LIST) if p["template"] not in shown]
        shown.update(p["template"] for p in tiles)
        if tiles:
            found.append({"key": audience.split(".")[-1], "title": TITLES[audience], "tiles": tiles})
    return found[::-1]
