from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "servitium.parties"
    label = "parties"
    verbose_name = _("Parties")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.permissions import register_area

        register_area(
            "parties",
            _("Parties"),
            readable_by_all_staff=True,
            nav_url="parties:organization_list",
            order=90,
            customer_nav=True,
        )
