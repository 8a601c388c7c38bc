from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "servitium.catalog"
    label = "catalog"
    verbose_name = _("Service catalogue")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.permissions import register_area

        from . import dashboard

        dashboard.register()

        register_area(
            "catalog",
            _("Services"),
            readable_by_all_staff=True,
            nav_url="catalog:service_list",
            order=10,
            customer_nav=True,
        )
