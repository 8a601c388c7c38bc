from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "servitium.catalog"
    label = "catalog"
    verbose_name = _("Service catalogue")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core import navigation
        from servitium.core.permissions import register_area

        register_area(
            "catalog",
            _("Services"),
            readable_by_all_staff=True,
            nav_url="catalog:service_list",
            order=10,
            customer_nav=True,
            nav_group=navigation.PLAN,
        )
        # The catalogue people order from; every provider user and every customer user reads it.
        navigation.register_entry(
            "catalog:catalogue",
            _("Catalogue"),
            group=navigation.OPERATE,
            order=1,
            areas=("catalog",),
            customer=True,
        )
        for url_name, label, order in (
            ("catalog:servicecomponent_list", _("Service components"), 11),
            ("catalog:offering_list", _("Offerings"), 12),
        ):
            navigation.register_entry(url_name, label, group=navigation.PLAN, order=order, areas=("catalog",))
