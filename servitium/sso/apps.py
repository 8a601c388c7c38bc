from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    """Installed for its German catalogue (locale/): the sign-in strings of single sign-on."""

    name = "servitium.sso"
    label = "sso"
    verbose_name = _("Single sign-on")
