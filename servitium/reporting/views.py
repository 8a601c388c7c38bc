"""Pages of service reporting, and the assurance home page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import views as generic
from servitium.core.panels import LIST, panels

HOME_RECORD_TYPE = "assurance.home"
AREAS = ("reporting", "availability", "capacity", "finance", "security")


class Home(generic.LoginRequiredMixin, generic.View):
    """Service assurance: a tile per area (reporting, availability and continuity, capacity, finance,
    security), registered by each app (core.panels); each tile reads through the permission path."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if permissions.is_customer_user(user) or not any(
            permissions.area_allows(user, area, permissions.VIEW) for area in AREAS
        ):
            raise Http404(_("No such page."))
        return render(
            request, "reporting/home.html", {"panels": panels(HOME_RECORD_TYPE, None, user, page=LIST)}
        )
