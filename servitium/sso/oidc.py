"""OpenID Connect sign-in (mozilla-django-oidc): endpoints from the settings or from the provider's
discovery document, fetched once per process on first use (so a provider that is down at start-up does
not stop Servitium, and password sign-in never waits for it)."""

from __future__ import annotations

import logging
import threading
from typing import Any

import requests
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import mapping, services

log = logging.getLogger(__name__)

# mozilla-django-oidc's setting -> the discovery document's key.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
_documents: dict[str, dict[str, Any]] = {}
_lock = threading.Lock()


class DiscoveryFailed(Exception):
    pass


def discovery(issuer: str) -> dict[str, Any]:
    """The provider's /.well-known/openid-configuration, fetched once per process and issuer."""
    with _lock:
        if issuer not in _documents:
            url = f"{issuer}/.well-known/openid-configuration"
            try:
                response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
                response.raise_for_status()
                document = response.json()
            except (requests.RequestException, ValueError) as exc:
                log.error("OpenID Connect discovery at %s failed: %s", url, exc)
                raise DiscoveryFailed(str(exc)) from None
            if not isinstance(document, dict):
                raise DiscoveryFailed(f"{url} is not a JSON object")
            _documents[issuer] = document
        return _documents[issuer]


def forget_discovery() -> None:
    with _lock:
        _documents.clear()


def op_setting(attr: str, *args: Any) -> Any:
    """mozilla-django-oidc's `get_settings`, with the provider's endpoints discovered when not set."""
    explicit = getattr(settings, attr, None)
    if attr in DISCOVERED and not explicit and settings.SSO_OIDC_ISSUER:
        found = discovery(settings.SSO_OIDC_ISSUER).get(DISCOVERED[attr])
        if found:
            return found
    return import_from_settings(attr, *args)


def _lazy(attr: str, *default: Any) -> property:
    return property(lambda self: op_setting(attr, *default))


class OIDCBackend(OIDCAuthenticationBackend):
    """Signs in the person the provider vouches for, with roles and organization from the mapping."""

    get_settings = staticmethod(op_setting)
    # Read when used, not when Django instantiates every backend for a password sign-in.
    OIDC_OP_TOKEN_ENDPOINT = _lazy("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = _lazy("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = _lazy("OIDC_OP_JWKS_ENDPOINT", None)
    OIDC_RP_CLIENT_ID = _lazy("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = _lazy("OIDC_RP_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = _lazy("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_IDP_SIGN_KEY = _lazy("OIDC_RP_IDP_SIGN_KEY", None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        # Only the callback view signs in through the provider: a `code` on any other request (the
        # password form's URL, say) must not send Servitium to the token endpoint.
        match = getattr(request, "resolver_match", None)
        if not settings.SSO_OIDC_ENABLED or match is None or match.url_name != "oidc_authentication_callback":
            return None
        return super().authenticate(request, **kwargs)

    def get_or_create_user(self, access_token, id_token, payload):
        # The ID token's claims, completed by the userinfo endpoint's (which win: they are fresher).
        claims = {**payload, **(self.get_userinfo(access_token, id_token, payload) or {})}
        username = str(claims.get(settings.SSO_OIDC_USERNAME_CLAIM) or "")
        email = str(claims.get("email") or "")
        try:
            grant = mapping.resolve(
                groups=mapping.values(claims.get(settings.SSO_OIDC_GROUPS_CLAIM)),
                role_map=settings.SSO_OIDC_ROLE_MAP,
                named=mapping.values(claims.get(settings.SSO_OIDC_ORG_CLAIM)),
                keyed=mapping.email_domain_key(email),
                org_map=settings.SSO_OIDC_ORG_MAP,
                default_organization=settings.SSO_OIDC_DEFAULT_ORGANIZATION,
            )
            return services.sign_in(
                username=username,
                grant=grant,
                email=email,
                first_name=str(claims.get("given_name") or ""),
                last_name=str(claims.get("family_name") or ""),
                source="OpenID Connect",
            )
        except mapping.Refused as exc:
            log.warning("OpenID Connect sign-in of %r refused: %s", username, exc.message)
            messages.error(self.request, exc.message)
            return None


def _unavailable(request) -> HttpResponseRedirect:
    messages.error(
        request, _("The sign-in provider cannot be reached. Try again later or sign in with a password.")
    )
    return HttpResponseRedirect(reverse("login"))


class AuthenticateView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider (404 while OpenID Connect is not configured)."""

    get_settings = staticmethod(op_setting)

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the endpoints are looked up in get(), when needed

    def get(self, request):
        if not settings.SSO_OIDC_ENABLED:
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = op_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except DiscoveryFailed:
            return _unavailable(request)
        self.OIDC_RP_CLIENT_ID = op_setting("OIDC_RP_CLIENT_ID")
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back; a refusal returns to the sign-in page with its reason."""

    get_settings = staticmethod(op_setting)

    def get(self, request):
        if not settings.SSO_OIDC_ENABLED:
            raise Http404
        try:
            return super().get(request)
        except DiscoveryFailed:
            return _unavailable(request)
        except requests.RequestException as exc:
            log.error("OpenID Connect sign-in failed talking to the provider: %s", exc)
            return _unavailable(request)

    @property
    def failure_url(self) -> str:
        return reverse("login")

    def login_failure(self):
        if self.request.GET.get("error"):
            messages.error(self.request, _("The sign-in provider did not sign you in."))
        return super().login_failure()
