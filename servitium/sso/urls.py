from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

try:
    from .oidc import AuthenticateView, CallbackView
except ImportError as exc:  # the `sso` extra is not installed: fine while OpenID Connect is not configured
    if settings.SSO_OIDC_ENABLED:
        raise ImproperlyConfigured(
            f"OpenID Connect is configured but {exc.name} is missing: install servitium[sso]"
        ) from None
    urlpatterns = []
else:
    from django.urls import path

    # The names mozilla-django-oidc reverses.
    urlpatterns = [
        path("authenticate/", AuthenticateView.as_view(), name="oidc_authentication_init"),
        path("callback/", CallbackView.as_view(), name="oidc_authentication_callback"),
    ]
