from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    name = "servitium.suppliers"
    label = "suppliers"
    verbose_name = _("Supplier management")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core import navigation
        from servitium.core.permissions import register_area

        register_area(
            "suppliers",
            _("Suppliers"),
            nav_url="suppliers:supplier_list",
            order=40,
            role_prefix="supplier",
            nav_group=navigation.CONTROL,
        )
        for url_name, label, order in (
            ("suppliers:suppliercontract_list", _("Supplier contracts"), 41),
            ("suppliers:dispute_list", _("Supplier disputes"), 42),
            ("suppliers:governedprocess_list", _("Processes operated by others"), 43),
        ):
            navigation.register_entry(
                url_name, label, group=navigation.CONTROL, order=order, areas=("suppliers",)
            )
