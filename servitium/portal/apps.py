from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The customer portal: customer users' own pages, apart from the staff screens."""

    name = "servitium.portal"
    label = "portal"
    verbose_name = _("Customer portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.incidents.mail import outbound

        from . import panels, selectors

        panels.register()
        # The caller's mail about a ticket follows the notification preferences set in the portal.
        outbound.register_caller_filter(selectors.wants_mail)
