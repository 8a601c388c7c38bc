"""Per-request change context: a request id (echoed as X-Request-ID) and the channel web or api."""

from __future__ import annotations

import re
import uuid

from django.http import HttpRequest, HttpResponse

from .context import change_context

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        channel = "api" if request.path_info.startswith("/api/") else "web"
        request.request_id = rid
        user = getattr(request, "user", None)
        with change_context(context=channel, request_id=rid, actor=user):
            response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response


class UserTimezoneMiddleware:
    """Show times in the signed-in user's time zone (storage stays UTC)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        import zoneinfo

        from django.utils import timezone

        name = getattr(getattr(request, "user", None), "time_zone", "") or ""
        if name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
