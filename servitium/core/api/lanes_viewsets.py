"""The fast lane's routes for viewsets: the reads of every record type (lists and records by id) and the
writes a viewset names in `lane_actions` (comments, lifecycle transitions), answered by the viewset's own
method without Django's middleware and DRF's dispatch around it.

Nothing is done differently: the lane makes the viewset exactly as DRF's router does (its init
arguments, action map, the request with the token's user), calls the same method, and renders the same
data with the same renderer. A viewset qualifies when the only permission it asks is to be signed in (a
token call is) and it renders JSON the default way; anything else takes the full stack. A write runs in
one transaction around the method, so a failure stores nothing and the full stack answers it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.datastructures import MultiValueDict
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

PK = "{pk}"
_ID_SEGMENT = re.compile(r"/(\d{1,19})/")


def detail_key(path: str) -> tuple[str, int] | None:
    """`/api/v1/incidents/12/transitions/` -> (`/api/v1/incidents/{pk}/transitions/`, 12)."""
    found = _ID_SEGMENT.search(path)
    if found is None:
        return None
    return path[: found.start()] + f"/{PK}/" + path[found.end() :], int(found.group(1))


def viewset_routes() -> list[tuple[str, str, str, Any, str]]:
    """(path template, URL name, method, handler, Allow header) for every lane-able action of every
    viewset in the URLs."""
    from django.urls import reverse

    from .lean import LeanOutputMixin, path_template

    found = []
    for url_name, pattern, callback in _patterns(get_resolver().url_patterns, ""):
        cls = callback.cls
        if not issubclass(cls, LeanOutputMixin) or not _plain_permissions(cls):
            continue
        groups = pattern.pattern.regex.groupindex
        if "format" in groups or set(groups) - {"pk"}:
            continue
        detail = "pk" in groups
        allow = _allowed(cls, callback)
        for method, action in callback.actions.items():
            if action not in cls.lane_actions:
                continue
            path = path_template(url_name).format(PK) if detail else reverse(url_name)
            handler = _handler(cls, callback.initkwargs, callback.actions, action, write=method != "get")
            found.append((path, url_name, method.upper(), handler, allow))
    return found


def _patterns(patterns: list, namespace: str) -> Iterator[tuple[str, URLPattern, Any]]:
    for item in patterns:
        if isinstance(item, URLResolver):
            inner = f"{namespace}:{item.namespace}" if namespace and item.namespace else item.namespace
            yield from _patterns(item.url_patterns, inner or namespace)
        elif isinstance(item, URLPattern) and item.name:
            callback = item.callback
            if getattr(callback, "cls", None) is not None and getattr(callback, "actions", None):
                yield (f"{namespace}:{item.name}" if namespace else item.name), item, callback


def _plain_permissions(cls: type) -> bool:
    from rest_framework.settings import api_settings

    permissions = getattr(cls, "permission_classes", api_settings.DEFAULT_PERMISSION_CLASSES)
    return list(permissions) == [IsAuthenticated] and not cls.throttle_classes


def _allowed(cls: type, callback: Any) -> str:
    """The Allow header DRF sends for this URL."""
    view = _make(cls, callback.initkwargs, callback.actions)
    return ", ".join(view.allowed_methods)


def _make(cls: type, initkwargs: dict, actions: dict) -> Any:
    """The viewset as DRF's router makes it for one request (ViewSetMixin.as_view)."""
    view = cls(**initkwargs)
    view.action_map = actions
    for method, action in actions.items():
        setattr(view, method, getattr(view, action))
    if hasattr(view, "get") and not hasattr(view, "head"):
        view.head = view.get
    return view


def _handler(cls: type, initkwargs: dict, actions: dict, action: str, write: bool):
    def answer(request) -> tuple[int, Any, dict[str, str]] | None:
        drf_request = Request(request)
        drf_request.user, drf_request.auth = request.user, request.auth
        if write:
            drf_request._full_data = drf_request._data = request.data
            drf_request._files = MultiValueDict()
        view = _make(cls, initkwargs, actions)
        pk = getattr(request, "lane_pk", None)
        view.args, view.kwargs = (), ({"pk": str(pk)} if pk is not None else {})
        view.request, view.format_kwarg, view.action, view.headers = drf_request, None, action, {}
        if write:
            with transaction.atomic():  # everything or nothing: a failure is answered by the full stack
                response = getattr(view, action)(drf_request, **view.kwargs)
                if response.status_code >= 300:
                    raise _Refused
            request.lane_committed = True
        else:
            response = getattr(view, action)(drf_request, **view.kwargs)
            if response.status_code >= 300 and response.status_code != 304:
                return None
        headers = {k: v for k, v in response.items() if k.lower() not in ("content-type", "vary", "allow")}
        return response.status_code, response.data, headers

    return answer


class _Refused(Exception):
    """A write the view answered with an error status: rolled back, handed to the full stack."""
