from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    name = "servitium.suppliers"
    label = "suppliers"
    verbose_name = _("Supplier management")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.permissions import register_area

        register_area(
            "suppliers", _("Suppliers"), nav_url="suppliers:supplier_list", order=40, role_prefix="supplier"
        )
