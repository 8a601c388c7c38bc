"""API token authentication: `Authorization: Token <key>`, one indexed lookup of the key's SHA-256."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import ApiToken
from .services import token_digest

LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


def authenticate_key(key: str) -> tuple[Any, ApiToken]:
    """The user an API key belongs to, and its token; AuthenticationFailed when the key is unknown,
    expired or revoked or its user is disabled. One indexed read (token and user joined)."""
    from .sqlread import one_by

    token = one_by(ApiToken, "digest", token_digest(key), related="user")
    if token is None or not token.is_active:
        raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
    if not token.user.is_active:
        raise exceptions.AuthenticationFailed(_("This user account is disabled."))
    now = timezone.now()
    # Write the last-use time coarsely so a busy client does not turn every read into a write.
    if token.last_used is None or now - token.last_used > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user, token


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in (b"token", b"bearer"):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header: use 'Token <key>'."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("The token contains invalid characters.")) from None
        user, token = authenticate_key(key)
        from .context import set_actor

        set_actor(user)
        return user, token

    def authenticate_header(self, request) -> str:
        return self.keyword
