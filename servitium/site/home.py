"""The home dashboard: what the signed-in user can see, counted."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static

from servitium.catalog.models import Service
from servitium.core import history, permissions
from servitium.parties.models import Organization


@login_required
def home(request):
    user = request.user
    services = permissions.restrict(Service.objects.all(), user)
    by_status = {
        row["status"]: row["n"] for row in services.order_by().values("status").annotate(n=Count("id"))
    }
    organizations = permissions.restrict(Organization.objects.all(), user)
    by_kind = {
        row["kind"]: row["n"] for row in organizations.order_by().values("kind").annotate(n=Count("id"))
    }
    recent = history.recent_changes(user, limit=10)  # readable, linked (core/_history_entry.html)
    return render(
        request,
        "site/home.html",
        {
            "service_counts": [
                (label, by_status.get(value, 0), value) for value, label in Service.Status.choices
            ],
            "organization_counts": [
                (label, by_kind.get(value, 0)) for value, label in Organization.Kind.choices
            ],
            "recent_changes": recent,
            "is_customer": permissions.is_customer_user(user),
        },
    )


def favicon(request):
    """Browsers and tools that ask for /favicon.ico get the site's icon (pages link the SVG themselves)."""
    return HttpResponsePermanentRedirect(static("servitium/favicon.svg"))
