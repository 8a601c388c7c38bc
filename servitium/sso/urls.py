from django.urls import path

from .oidc import AuthenticateView, CallbackView

# The names mozilla-django-oidc reverses.
urlpatterns = [
    path("authenticate/", AuthenticateView.as_view(), name="oidc_authentication_init"),
    path("callback/", CallbackView.as_view(), name="oidc_authentication_callback"),
]
