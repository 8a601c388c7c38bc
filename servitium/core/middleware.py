"""Per-request change context: a request id (echoed as X-Request-ID) and the channel web or api."""

from __future__ import annotations

import re
import uuid
import zoneinfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from .context import change_context

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def request_id_for(request: HttpRequest) -> str:
    """The caller's X-Request-ID when it is a safe token, else a new one."""
    incoming = request.headers.get("X-Request-ID", "")
    return incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex


def activate_user_timezone(user) -> None:
    """Times are shown in the user's own time zone (storage stays UTC); the default zone otherwise."""
    name = getattr(user, "time_zone", "") or ""
    if name:
        try:
            timezone.activate(zoneinfo.ZoneInfo(name))
            return
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    timezone.deactivate()


class RequestContextMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request_id_for(request)
        channel = "api" if request.path_info.startswith("/api/") else "web"
        request.request_id = rid
        user = getattr(request, "user", None)
        with change_context(context=channel, request_id=rid, actor=user):
            response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response


class UserTimezoneMiddleware:
    """Show times in the signed-in user's time zone (storage stays UTC) and pages in the language the
    user chose (blank: the browser's, which LocaleMiddleware has already activated)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        activate_user_timezone(user)
        language = getattr(user, "language", "") or ""
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
