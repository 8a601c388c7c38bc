"""The fast lane: the busiest API writes answered without the rest of the web stack.

Creating tickets is what integrations, monitoring tools and mail gateways do all day. Through Django's
full middleware stack and DRF's dispatch, the framework alone costs as much CPU as the create itself.
The lane is a WSGI wrapper in front of Django that answers the routes registered with `route()` when the
request is an ordinary token-authenticated JSON call, and hands everything else to Django untouched.

What stays the same, by construction:
- the work itself: a route calls the same code as its API view (the one permission path, the audited
  services, the one change log, the same rendering), with the same change context (channel `api`, request
  id, actor), language and time zone;
- the answer's headers: the security, locale, common, clickjacking and Content-Security-Policy
  middleware's own `process_request` and `process_response` run on the lane's request and response;
- every error: the lane answers only successes. Anything else (no or bad token, session cookie, another
  content type or `Accept`, invalid JSON or fields, no permission, a rule the service refuses, any
  exception before the write is stored) falls back to the full stack with the same request body, so
  error responses are the API's own. Nothing is kept from the failed attempt: the write is the service's
  one transaction, and the lane writes nothing before it.

Turned off with SERVITIUM_API_LANE=0 (every request then takes the full stack).
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core import signals
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIRequest, get_script_name
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import reverse, set_script_prefix
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_header_parameters
from rest_framework.utils.json import strict_constant

from servitium.core.auth import authenticate_key
from servitium.core.context import change_context
from servitium.core.metrics import observe_request
from servitium.core.middleware import request_id_for

from .lanes_viewsets import detail_key, viewset_routes
from .parsers import check_body
from .renderers import JSONRenderer

logger = logging.getLogger("servitium.lane")

Handler = Callable[[WSGIRequest], "tuple[int, Any] | None"]


@dataclass(frozen=True)
class Route:
    url_name: str
    method: str
    handler: Handler
    allow: str  # the Allow header the full stack sends for this URL
    media: str = "application/json"  # the body it takes; other types are handed over raw


# What the full stack runs for a token call, and how the lane stands in for each: security, locale,
# common, clickjacking and CSP run their own hooks; the rest has nothing to do without a cookie (sessions,
# CSRF, messages, htmx), serves only static files (WhiteNoise), or is done by the lane itself (request
# context, time zone).
KNOWN_MIDDLEWARE = frozenset(
    {
        "servitium.core.metrics.RequestMetricsMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "csp.middleware.CSPMiddleware",
        "django_htmx.middleware.HtmxMiddleware",
        "servitium.core.middleware.RequestContextMiddleware",
        "servitium.core.middleware.UserTimezoneMiddleware",
        "servitium.portal.middleware.PortalMiddleware",  # API paths pass it untouched
    }
)

_DECLARED: list[Route] = []
STATS = {"answered": 0, "fell_back": 0}  # per process; tests and operators read it


def route(
    url_name: str, method: str, allow: str, media: str = "application/json"
) -> Callable[[Handler], Handler]:
    """Register `handler(request) -> (status, data) | None` for `method` on the URL named `url_name`.
    `request.user`, `request.auth` and `request.data` (the parsed JSON body, or the raw bytes for another
    `media` type) are set; returning None or
    raising hands the request to the full stack. The handler writes through a service (one transaction
    that stores everything or nothing) and sets `request.lane_committed = True` once it returned: from
    then on a failure is answered as a server error, never handed over (that would write twice)."""

    def register(handler: Handler) -> Handler:
        _DECLARED.append(Route(url_name, method, handler, allow, media))
        return handler

    return register


def _no_response(request):  # the middleware below are only asked for their request/response hooks
    raise AssertionError("not called")


class _Fallback(Exception):
    pass


class Lane:
    """WSGI application: the lane's routes first, Django for everything else."""

    def __init__(self, app: Callable) -> None:
        self.app = app
        self.routes: dict[tuple[str, str], Route] | None = None
        self.enabled = getattr(settings, "API_LANE", True) and self._stack_is_known()
        self.security = SecurityMiddleware(_no_response)
        self.locale = LocaleMiddleware(_no_response)
        self.common = CommonMiddleware(_no_response)
        self.frames = XFrameOptionsMiddleware(_no_response)
        self.csp = CSPMiddleware(_no_response)
        self.renderer = JSONRenderer()

    @staticmethod
    def _stack_is_known() -> bool:
        """The lane stands in for exactly this stack: a site that adds middleware or API throttling gets
        every request through the full stack, so nothing it added is skipped."""
        from rest_framework.settings import api_settings

        extra = [m for m in settings.MIDDLEWARE if m not in KNOWN_MIDDLEWARE]
        if extra or api_settings.DEFAULT_THROTTLE_CLASSES:
            logger.warning("API fast lane off: middleware %s or API throttling configured", extra)
            return False
        return True

    def load(self) -> None:
        """Import the URL configuration (and with it every API module and its lane routes)."""
        self._routes()

    def _routes(self) -> dict[tuple[str, str], Route]:
        if self.routes is None:
            from importlib import import_module

            import_module(settings.ROOT_URLCONF)  # the API modules declare their lane routes on import
            routes = {
                (path, method): Route(
                    name, method, handler, allow, "" if method == "GET" else "application/json"
                )
                for path, name, method, handler, allow in viewset_routes()
            }
            routes.update({(reverse(r.url_name), r.method): r for r in _DECLARED})  # their own first
            self.routes = routes
        return self.routes

    def _find(self, environ: dict) -> tuple[Route | None, int | None]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        routes = self._routes()
        found = routes.get((path, method))
        if found is not None:
            return found, None
        key = detail_key(path)
        if key is None:
            return None, None
        return routes.get((key[0], method)), key[1]

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if self.enabled:
            found, pk = self._find(environ)
            if found is not None and self._eligible(environ, found.media):
                started = time.perf_counter()
                body = self._read_body(environ) if found.method != "GET" else b""
                if body is not None:
                    response = self._answer(found, environ, body, pk)
                    if response is not None:
                        STATS["answered"] += 1
                        # Timed as the metrics middleware times the full stack's (core/metrics.py).
                        seconds = time.perf_counter() - started
                        observe_request(found.method, found.url_name, response.status_code, seconds)
                        return self._send(response, start_response)
                    STATS["fell_back"] += 1
                    environ["wsgi.input"] = io.BytesIO(body)  # the full stack reads the same body again
        return self.app(environ, start_response)

    @staticmethod
    def _eligible(environ: dict, expected: str) -> bool:
        """An ordinary token call: a token header, no cookies (a session would decide who is asking and
        CSRF would apply), the route's body type (UTF-8 for JSON; none for reads), a JSON answer wanted."""
        auth = environ.get("HTTP_AUTHORIZATION", "").split()
        if len(auth) != 2 or auth[0].lower() not in ("token", "bearer") or environ.get("HTTP_COOKIE"):
            return False
        media, options = parse_header_parameters(environ.get("CONTENT_TYPE", ""))
        if media != expected:
            return False
        if media == "application/json" and options.get("charset", "utf-8").lower() != "utf-8":
            return False
        accept = environ.get("HTTP_ACCEPT", "*/*").replace(" ", "")
        if accept not in ("", "*/*", "application/json"):
            return False
        # A query string may choose another renderer (?format=); writes take none, reads their filters.
        query = environ.get("QUERY_STRING", "")
        if not expected:
            return "format=" not in query
        return not query

    @staticmethod
    def _read_body(environ: dict) -> bytes | None:
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length < 0 or (limit is not None and length > limit):
            return None
        body = environ["wsgi.input"].read(length)
        if len(body) != length:
            environ["wsgi.input"] = io.BytesIO(body)
            return None
        return body

    def _answer(self, found: Route, environ: dict, body: bytes, pk: int | None = None) -> HttpResponse | None:
        set_script_prefix(get_script_name(environ))
        signals.request_started.send(sender=type(self), environ=environ)
        request = WSGIRequest({**environ, "wsgi.input": io.BytesIO(body)})
        request.lane_committed = False
        request.lane_pk = pk
        try:
            for middleware in (self.security, self.locale, self.common, self.csp):
                if middleware.process_request(request) is not None:  # a redirect: the full stack answers
                    return None
            if found.media == "application/json":
                request.data = json.loads(body, parse_constant=strict_constant)
                check_body(request.data)  # a refused body falls back: the full stack answers the 400
            elif found.media:
                request.data = body
            request.user, request.auth = authenticate_key(environ["HTTP_AUTHORIZATION"].split()[1])
            timezone.deactivate()  # as the full stack: its middleware sees no session user on token calls
            rid = request_id_for(request)
            with change_context(context="api", request_id=rid, actor=request.user):
                answer = found.handler(request)
            if answer is None:
                raise _Fallback
            status, data, *more = answer
            response = HttpResponse(
                self.renderer.render(data), status=status, content_type="application/json"
            )
            response["Allow"] = found.allow
            for name, value in (more[0] if more else {}).items():
                response[name] = value
            patch_vary_headers(response, ("Accept",))  # as DRF's finalize_response
            response["X-Request-ID"] = rid
            for middleware in (self.csp, self.frames, self.common, self.locale):
                response = middleware.process_response(request, response)
            patch_vary_headers(response, ("Cookie",))  # as the session middleware after reading the user
            return self.security.process_response(request, response)
        except Exception as exc:
            if request.lane_committed:  # a retry by the full stack would write twice
                return response_for_exception(request, exc)  # logged and answered as Django would
            if not isinstance(exc, _Fallback):
                logger.debug("lane: %s %s handed to the full stack: %r", request.method, request.path, exc)
            return None
        finally:
            signals.request_finished.send(sender=type(self))

    @staticmethod
    def _send(response: HttpResponse, start_response: Callable) -> Iterable[bytes]:
        status = f"{response.status_code} {response.reason_phrase}"
        start_response(status, list(response.items()))
        return [response.content]
