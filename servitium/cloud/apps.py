from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CloudConfig(AppConfig):
    name = "servitium.cloud"
    label = "cloud"
    verbose_name = _("Cloud subscriptions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core import navigation
        from servitium.core.permissions import grant_view, register_area

        # Roles cloud-manager and cloud-agent; customers find their own subscriptions in their menu.
        register_area(
            "cloud",
            _("Cloud subscriptions"),
            nav_url="cloud:subscription_list",
            order=25,
            role_prefix="cloud",
            customer_nav=True,
            nav_group=navigation.CONTROL,
        )
        from . import panels

        panels.register()
        # Subscriptions name customers, offerings, agreements, people and teams: cloud roles read them.
        grant_view(("cloud-manager", "cloud-agent"), ("catalog", "parties", "agreements"))
