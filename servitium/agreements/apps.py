from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "servitium.agreements"
    label = "agreements"
    verbose_name = _("Service level management")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core import navigation
        from servitium.core.permissions import register_area

        from . import jobs  # noqa: F401  (registers the nightly performance job)

        register_area(
            "agreements",
            _("Service levels"),
            nav_url="agreements:sla_list",
            order=20,
            role_prefix="service-level",
            customer_nav=True,
            nav_group=navigation.CONTROL,
        )
        navigation.register_entry(
            "agreements:servicereview_list",
            _("Service reviews"),
            group=navigation.CONTROL,
            order=21,
            areas=("agreements",),
        )
