"""The single sign-on settings, read from the environment by servitium/settings.py.

Kept apart from settings.py so that the one block there stays short; nothing here touches Django models.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
OIDC_BACKEND = "servitium.sso.oidc.OIDCBackend"
LDAP_BACKEND = "servitium.sso.ldap.LDAPBackend"

# Explicit endpoints win over what discovery finds (oidc.op_setting).
OIDC_ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "SERVITIUM_OIDC_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT": "SERVITIUM_OIDC_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT": "SERVITIUM_OIDC_USERINFO_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT": "SERVITIUM_OIDC_JWKS_ENDPOINT",
}


def json_map(env: Mapping[str, str], name: str) -> dict[str, Any]:
    """A JSON object from the environment (a mapping), its keys case-folded so that matching ignores case."""
    raw = env.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f'{name} must be a JSON object, e.g. {{"group": "role"}}.')
    return {str(key).casefold(): item for key, item in value.items()}


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    return default if not value else value in {"1", "true", "yes", "on"}


def oidc_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """mozilla-django-oidc's settings and ours (SSO_OIDC_*). Enabled by a client id with an issuer (for
    discovery) or with explicit authorization and token endpoints."""
    issuer = env.get("SERVITIUM_OIDC_ISSUER", "").strip().rstrip("/")
    endpoints = {key: env.get(var, "").strip() for key, var in OIDC_ENDPOINTS.items()}
    client_id = env.get("SERVITIUM_OIDC_CLIENT_ID", "").strip()
    explicit = endpoints["OIDC_OP_AUTHORIZATION_ENDPOINT"] and endpoints["OIDC_OP_TOKEN_ENDPOINT"]
    enabled = bool(client_id and (issuer or explicit))
    values: dict[str, Any] = {
        "SSO_OIDC_ENABLED": enabled,
        "SSO_OIDC_ISSUER": issuer,
        "SSO_OIDC_PROVIDER_NAME": env.get("SERVITIUM_OIDC_PROVIDER_NAME", "").strip() or "OpenID Connect",
        "SSO_OIDC_USERNAME_CLAIM": env.get("SERVITIUM_OIDC_USERNAME_CLAIM", "preferred_username"),
        "SSO_OIDC_GROUPS_CLAIM": env.get("SERVITIUM_OIDC_GROUPS_CLAIM", "groups"),
        "SSO_OIDC_ORG_CLAIM": env.get("SERVITIUM_OIDC_ORG_CLAIM", "org"),
        "SSO_OIDC_ROLE_MAP": json_map(env, "SERVITIUM_OIDC_ROLE_MAP"),
        "SSO_OIDC_ORG_MAP": json_map(env, "SERVITIUM_OIDC_ORG_MAP"),
        "SSO_OIDC_DEFAULT_ORGANIZATION": env.get("SERVITIUM_OIDC_DEFAULT_ORGANIZATION", "").strip(),
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": env.get("SERVITIUM_OIDC_CLIENT_SECRET", ""),
        "OIDC_RP_SCOPES": env.get("SERVITIUM_OIDC_SCOPES", "").strip() or "openid email profile",
        "OIDC_RP_SIGN_ALGO": env.get("SERVITIUM_OIDC_SIGN_ALGO", "").strip() or "RS256",
        "OIDC_USE_PKCE": _flag(env, "SERVITIUM_OIDC_USE_PKCE", True),
        "OIDC_TIMEOUT": 15,
    }
    values.update({key: value for key, value in endpoints.items() if value})
    return values


def ldap_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """django-auth-ldap's settings (AUTH_LDAP_*) and ours (SSO_LDAP_*); enabled by SERVITIUM_LDAP_URI."""
    uri = env.get("SERVITIUM_LDAP_URI", "").strip()
    values: dict[str, Any] = {
        "SSO_LDAP_ENABLED": bool(uri),
        "SSO_LDAP_ROLE_MAP": json_map(env, "SERVITIUM_LDAP_ROLE_MAP"),
        "SSO_LDAP_ORG_MAP": json_map(env, "SERVITIUM_LDAP_ORG_MAP"),
        "SSO_LDAP_ORG_ATTRIBUTE": env.get("SERVITIUM_LDAP_ORG_ATTRIBUTE", "").strip(),
        "SSO_LDAP_DEFAULT_ORGANIZATION": env.get("SERVITIUM_LDAP_DEFAULT_ORGANIZATION", "").strip(),
    }
    if not uri:
        return values
    try:  # python-ldap and django-auth-ldap (the `sso` extra): only needed when LDAP is configured
        import ldap
        from django_auth_ldap.config import (
            GroupOfNamesType,
            GroupOfUniqueNamesType,
            LDAPSearch,
            PosixGroupType,
        )
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"SERVITIUM_LDAP_URI is set but {exc.name} is missing: install servitium[sso]"
        ) from None

    group_types = {
        "groupofnames": GroupOfNamesType,
        "groupofuniquenames": GroupOfUniqueNamesType,
        "posixgroup": PosixGroupType,
    }
    user_base = env.get("SERVITIUM_LDAP_USER_SEARCH_BASE", "").strip()
    if not user_base:
        raise ImproperlyConfigured(
            "SERVITIUM_LDAP_URI is set: SERVITIUM_LDAP_USER_SEARCH_BASE is needed too."
        )
    user_filter = env.get("SERVITIUM_LDAP_USER_FILTER", "").strip() or "(uid=%(user)s)"
    values.update(
        {
            "AUTH_LDAP_SERVER_URI": uri,
            "AUTH_LDAP_BIND_DN": env.get("SERVITIUM_LDAP_BIND_DN", ""),
            "AUTH_LDAP_BIND_PASSWORD": env.get("SERVITIUM_LDAP_BIND_PASSWORD", ""),
            "AUTH_LDAP_START_TLS": _flag(env, "SERVITIUM_LDAP_START_TLS", False),
            "AUTH_LDAP_USER_SEARCH": LDAPSearch(user_base, ldap.SCOPE_SUBTREE, user_filter),
            # The login is written by servitium.sso.services (audited), never by django-auth-ldap itself.
            "AUTH_LDAP_USER_ATTR_MAP": {},
            "AUTH_LDAP_ALWAYS_UPDATE_USER": False,
            "AUTH_LDAP_CONNECTION_OPTIONS": {ldap.OPT_NETWORK_TIMEOUT: 10, ldap.OPT_REFERRALS: 0},
        }
    )
    group_base = env.get("SERVITIUM_LDAP_GROUP_SEARCH_BASE", "").strip()
    if group_base:
        kind = (env.get("SERVITIUM_LDAP_GROUP_TYPE", "").strip() or "groupOfNames").casefold()
        if kind not in group_types:
            raise ImproperlyConfigured(
                f"SERVITIUM_LDAP_GROUP_TYPE must be one of groupOfNames, groupOfUniqueNames, posixGroup, "
                f"not {kind!r}."
            )
        object_class = {"groupofnames": "groupOfNames", "groupofuniquenames": "groupOfUniqueNames"}.get(
            kind, "posixGroup"
        )
        values["AUTH_LDAP_GROUP_SEARCH"] = LDAPSearch(
            group_base, ldap.SCOPE_SUBTREE, f"(objectClass={object_class})"
        )
        values["AUTH_LDAP_GROUP_TYPE"] = group_types[kind]()
    return values


def backends(oidc: Mapping[str, Any], ldap_values: Mapping[str, Any]) -> list[str]:
    """The authentication backends: the directory first, then the provider, then local passwords."""
    found = [LDAP_BACKEND] if ldap_values["SSO_LDAP_ENABLED"] else []
    if oidc["SSO_OIDC_ENABLED"]:
        found.append(OIDC_BACKEND)
    return [*found, MODEL_BACKEND]
