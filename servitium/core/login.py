"""Sign-in with rate limiting per username and per client address (failures kept in the database so the
limit holds across every web worker)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import LoginFailure


def client_address(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "unknown")[:64]


def too_many_failures(username: str, address: str) -> bool:
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_RATE_WINDOW_S)
    limit = settings.LOGIN_RATE_LIMIT
    recent = LoginFailure.objects.filter(at__gte=since)
    return (
        recent.filter(username=username.lower()).count() >= limit
        or recent.filter(address=address).count() >= limit * 3
    )


class RateLimitedLoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = (request.POST.get("username") or "")[:150]
        address = client_address(request)
        if too_many_failures(username, address):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Too many failed sign-in attempts. Wait a few minutes and try again."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        LoginFailure.objects.create(
            username=(self.request.POST.get("username") or "")[:150].lower(),
            address=client_address(self.request),
        )
        # Old failures are useless after the window; prune them as we go.
        cutoff = timezone.now() - dt.timedelta(seconds=settings.LOGIN_RATE_WINDOW_S * 4)
        LoginFailure.objects.filter(at__lt=cutoff).delete()
        return super().form_invalid(form)
