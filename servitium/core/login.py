"""Sign-in with rate limiting per username and per client address (failures kept in the database so the
limit holds across every web worker).

The sign-in form is the only place a password is accepted (the API takes tokens only), so this limit is
the whole defence against guessing. Failures are counted under the name the form actually authenticates
(see `login_key`): counting the name as typed let `"victim "` or a full-width `ｖictim` sign in as `victim`
after `victim` was locked. Each attempt is recorded *before* the password is checked, so parallel attempts
see each other and cannot slip past the limit together.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import LoginFailure

NAME_LENGTH = LoginFailure._meta.get_field("username").max_length


def login_key(authenticated_name: str) -> str:
    """The name failures are counted under, given the username exactly as the form authenticates it (Django's
    UsernameField: surrounding whitespace stripped, NFKC). Case-folded as well, so that every spelling that
    differs only in case shares one count (which never lets more guesses through). NUL characters, which no
    username can contain (and PostgreSQL cannot store), are dropped."""
    return unicodedata.normalize("NFKC", authenticated_name.casefold()).replace("\x00", "")[:NAME_LENGTH]


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind the reverse proxy (SERVITIUM_BEHIND_PROXY) the last
    X-Forwarded-For entry, the one our proxy added (earlier entries are whatever the client sent)."""
    address = request.META.get("REMOTE_ADDR") or ""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        address = forwarded or address
    return (address.replace("\x00", "") or "unknown")[:64]


def too_many_failures(username_key: str, address: str) -> bool:
    """Whether the failures recorded in the window (this attempt's among them) exceed the limits."""
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_RATE_WINDOW_S)
    limit = settings.LOGIN_RATE_LIMIT
    recent = LoginFailure.objects.filter(at__gte=since)
    return (
        recent.filter(username=username_key).count() > limit
        or recent.filter(address=address).count() > limit * 3
    )


class LoginForm(AuthenticationForm):
    """Django's form, except that an authentication backend that refuses someone it knows (single sign-on:
    servitium/sso) can say why, by setting `request.login_refusal`, instead of "wrong password"."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            reason = getattr(self.request, "login_refusal", None)
            if reason:
                raise ValidationError(reason, code="refused") from None
            raise


class RateLimitedLoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True
    form_class = LoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The "Sign in with ..." button (servitium/sso, configured in settings).
        if getattr(settings, "SSO_OIDC_ENABLED", False):
            context["oidc_provider_name"] = settings.SSO_OIDC_PROVIDER_NAME
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        # The same field and data the form authenticates with: its cleaning is the normalisation.
        field = form.fields["username"]
        name = field.to_python(
            field.widget.value_from_datadict(form.data, form.files, form.add_prefix("username"))
        )
        # Counted as a failure until it succeeds (form_valid takes it back).
        self.attempt = LoginFailure.objects.create(username=login_key(name), address=client_address(request))
        if too_many_failures(self.attempt.username, self.attempt.address):
            self.attempt.delete()  # a refused attempt is not a guess: the lock runs from the last real one
            # Bound without the password, so that showing the form does not check it.
            form = self.get_form_class()(request, data={"username": name})
            form.errors.clear()
            form.add_error(None, _("Too many failed sign-in attempts. Wait a few minutes and try again."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        self.attempt.delete()
        return super().form_valid(form)

    def form_invalid(self, form):
        # Old failures are useless after the window; prune them as we go.
        cutoff = timezone.now() - dt.timedelta(seconds=settings.LOGIN_RATE_WINDOW_S * 4)
        LoginFailure.objects.filter(at__lt=cutoff).delete()
        return super().form_invalid(form)
