"""From what the directory or provider says (groups, an organization hint) to roles and an organization.

The rules, the same for OIDC and LDAP (docs/operator-guide.md "Single sign-on"):

- roles: every group found in the role map adds its role(s); no role at all refuses the sign-in, and so
  does a mapped role Servitium does not know (a typo in the map must not pass silently);
- organization: the first hint that leads somewhere wins. A *named* hint (the OIDC organization claim,
  the LDAP organization attribute) is looked up in the organization map and otherwise taken as the
  organization's name; a *keyed* hint (the e-mail domain as ``@example.com``, an LDAP group) counts only
  through the map; then the default organization. A named hint that matches no organization refuses the
  sign-in; organizations are never created here, so a misspelt claim cannot make a new tenant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.parties.models import Organization


class Refused(Exception):
    """The sign-in is refused; the message is for the person signing in."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Grant:
    roles: list[str]
    organization: Organization | None


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return [str(item) for item in value if item not in (None, "")]
    return [str(value)]


def roles_for(groups: Iterable[str], role_map: Mapping[str, Any]) -> list[str]:
    found = {role for group in groups for role in _as_list(role_map.get(group.casefold()))}
    if not found:
        raise Refused(
            _("Your account is in no group that grants a role in Servitium. Ask your administrator.")
        )
    unknown = sorted(found - set(permissions.ROLES))
    if unknown:
        raise Refused(
            _("The sign-in mapping names unknown role(s): %(names)s. Ask your administrator to correct it.")
            % {"names": ", ".join(unknown)}
        )
    return sorted(found)


def _organization(name: str) -> Organization:
    organization = Organization.objects.filter(name__iexact=name.strip(), active=True).first()
    if organization is None:
        raise Refused(
            _("Your organization %(name)s is not known to Servitium. Ask your administrator.")
            % {"name": name}
        )
    return organization


def organization_for(
    *,
    named: Iterable[str],
    keyed: Iterable[str],
    org_map: Mapping[str, Any],
    default: str,
) -> Organization | None:
    for hint in named:
        return _organization(str(org_map.get(hint.casefold()) or hint))
    for hint in keyed:
        mapped = org_map.get(hint.casefold())
        if mapped:
            return _organization(str(mapped))
    return _organization(default) if default else None


def resolve(
    *,
    groups: Iterable[str],
    role_map: Mapping[str, Any],
    named: Iterable[str],
    keyed: Iterable[str],
    org_map: Mapping[str, Any],
    default_organization: str,
) -> Grant:
    """Roles and organization for these groups and hints; Refused when the mapping grants nothing."""
    roles = roles_for(groups, role_map)
    organization = organization_for(named=named, keyed=keyed, org_map=org_map, default=default_organization)
    return Grant(roles, organization)


def email_domain_key(email: str) -> list[str]:
    """The keyed hint an e-mail address gives: ``@example.com``."""
    domain = email.rpartition("@")[2].strip()
    return [f"@{domain}"] if "@" in email and domain else []


def values(value: Any) -> list[str]:
    """A claim or attribute as a list of strings (a single value, a list, or nothing)."""
    return _as_list(value)
