"""Customers use the portal, staff the staff screens: each is sent to their own side.

A customer user opening a staff page lands on the portal home; provider staff opening the portal land on
the staff home. The API, static files, sign-in and sign-out, single sign-on, language switching and the
operators' endpoints serve both (attachments download through the API)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from servitium.core import permissions

PORTAL = "/portal/"
# Paths both sides use; everything else outside /portal/ is a staff page.
SHARED = (
    "/api/",
    "/login/",
    "/logout/",
    "/oidc/",
    "/i18n/",
    "/jsi18n/",
    "/favicon.ico",
    "/health/",
    "/metrics",
)


def _shared(path: str) -> bool:
    static = "/" + (settings.STATIC_URL or "static/").strip("/") + "/"
    return path.startswith((*SHARED, static))


class PortalMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        path = request.path_info
        if user is not None and user.is_authenticated and not _shared(path):
            in_portal = path.startswith(PORTAL)
            if permissions.is_customer_user(user) and not in_portal:
                return redirect("portal:home")
            if in_portal and not permissions.is_customer_user(user):
                return redirect("home")
        return self.get_response(request)
