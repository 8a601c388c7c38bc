from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The site as a whole, above every process app: the home dashboard and the demo loader."""

    name = "servitium.site"
    label = "site"
    verbose_name = _("Site")
