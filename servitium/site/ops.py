"""Operators' endpoints: /metrics for Prometheus and /health/ for load balancers and monitoring
(docs/operator-guide.md, "Metrics and health"). The work is in core (core/metrics.py, core/health.py)."""

from __future__ import annotations

import hmac
import ipaddress
import logging
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from servitium.core import health, metrics
from servitium.core.login import client_address

logger = logging.getLogger(__name__)


@cache
def _networks(cidrs: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for cidr in cidrs:
        try:
            networks.append(ipaddress.ip_network(cidr, strict=False))
        except ValueError:  # fails closed: a mistyped entry allows nobody, and says so once
            logger.error("SERVITIUM_METRICS_ALLOW: %r is not an address or network; ignored", cidr)
    return tuple(networks)


def metrics_allowed(request: HttpRequest) -> bool:
    """The configured bearer token, or a client address in the allow-list (the proxy's client behind
    SERVITIUM_BEHIND_PROXY, as for the sign-in limits)."""
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    return any(address in network for network in _networks(tuple(settings.METRICS_ALLOW)))


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(metrics.scrape(), content_type=CONTENT_TYPE_LATEST)


def _health(names: tuple[str, ...]) -> JsonResponse:
    results = health.run_checks(names)
    ok = all(result.ok for result in results.values())
    body = {
        "status": "ok" if ok else "failing",
        "checks": {
            name: {"status": "ok" if result.ok else "failing", "detail": result.detail}
            for name, result in results.items()
        },
    }
    return JsonResponse(body, status=200 if ok else 503)


@never_cache
@require_GET
def health_view(request: HttpRequest) -> JsonResponse:
    """Every check: the database, the queue and the sealer (for monitoring)."""
    return _health(("database", "queue", "sealer"))


@never_cache
@require_GET
def ready_view(request: HttpRequest) -> JsonResponse:
    """What this node needs to answer requests: the database and the queue (for load balancers; a stale
    sealer is the deployment's concern, not a reason to take every node out of rotation)."""
    return _health(("database", "queue"))
