"""The claims of the test provider's users: standard ones from the user, `groups` and `org` from the
PROVIDER_CLAIMS file (JSON: username -> {"groups": [...], "org": "..."}), released with the `servitium`
scope."""

import json
import os

from django.utils.translation import gettext_lazy as _
from oidc_provider.lib.claims import ScopeClaims


def _extra(user) -> dict:
    with open(os.environ["PROVIDER_CLAIMS"]) as handle:
        return json.load(handle).get(user.username, {})


def userinfo(claims, user):
    claims["preferred_username"] = user.username
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    claims["name"] = f"{user.first_name} {user.last_name}".strip()
    claims["email"] = user.email
    claims["email_verified"] = True
    return claims


class ServitiumScopeClaims(ScopeClaims):
    info_servitium = (_("Servitium"), _("Your groups and organization."))

    def scope_servitium(self):
        extra = _extra(self.user)
        return {key: extra[key] for key in ("groups", "org") if key in extra}
