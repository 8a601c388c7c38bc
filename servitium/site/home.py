"""The home page: the dashboards of the signed-in user's roles, and the latest changes they may read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static

from servitium.core import history, permissions

from . import dashboards


@login_required
def home(request):
    user = request.user
    customer = permissions.is_customer_user(user)
    return render(
        request,
        "site/home.html",
        {
            "sections": dashboards.sections(user),
            # Customers read no change log (core.resources): their home has no "recent changes" at all.
            "recent_changes": [] if customer else history.recent_changes(user, limit=10),
            "is_customer": customer,
        },
    )


def favicon(request):
    """Browsers and tools that ask for /favicon.ico get the site's icon (pages link the SVG themselves)."""
    return HttpResponsePermanentRedirect(static("servitium/favicon.svg"))
