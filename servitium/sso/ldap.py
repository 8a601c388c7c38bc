"""LDAP sign-in (django-auth-ldap): the directory checks the password and names the groups; the login is
written by `services.sign_in` with the mapped roles and organization. A refusal is final: the directory
knows the person, so the local password backend after this one is not asked."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django_auth_ldap.backend import LDAPBackend as BaseLDAPBackend

from . import mapping, services

log = logging.getLogger(__name__)


def _first(attrs: Any, name: str) -> str:
    found = (attrs or {}).get(name) or [""]
    return str(found[0])


class LDAPBackend(BaseLDAPBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.SSO_LDAP_ENABLED:
            return None
        self.request = request  # one backend instance per authenticate() call
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_or_build_user(self, username: str, ldap_user: Any) -> tuple[Any, bool]:
        """Called once the directory accepted the password: map and write the login, or refuse."""
        attrs = ldap_user.attrs
        groups: list[str] = []
        if self.settings.GROUP_SEARCH is not None:
            # Either a group's name (cn) or its whole DN may be a key of the maps.
            groups = sorted(ldap_user.group_names) + sorted(ldap_user.group_dns)
        org_attribute = settings.SSO_LDAP_ORG_ATTRIBUTE
        email = _first(attrs, "mail")
        try:
            grant = mapping.resolve(
                groups=groups,
                role_map=settings.SSO_LDAP_ROLE_MAP,
                named=mapping.values((attrs or {}).get(org_attribute)) if org_attribute else [],
                keyed=[*groups, *mapping.email_domain_key(email)],
                org_map=settings.SSO_LDAP_ORG_MAP,
                default_organization=settings.SSO_LDAP_DEFAULT_ORGANIZATION,
            )
            user = services.sign_in(
                username=username.lower(),  # as django-auth-ldap: one login however the name is typed
                grant=grant,
                email=email,
                first_name=_first(attrs, "givenName"),
                last_name=_first(attrs, "sn"),
                source="LDAP",
            )
        except mapping.Refused as exc:
            log.warning("LDAP sign-in of %r refused: %s", username, exc.message)
            if self.request is not None:
                # Read by the sign-in form (core.login.LoginForm), which shows it instead of "wrong password".
                self.request.login_refusal = exc.message
            raise PermissionDenied(exc.message) from None
        return user, False
