from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmdbConfig(AppConfig):
    name = "servitium.cmdb"
    label = "cmdb"
    verbose_name = _("Configuration management")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core import navigation
        from servitium.core.permissions import register_area

        register_area(
            "cmdb",
            _("Configuration"),
            nav_url="cmdb:ci_list",
            order=7,
            role_prefix="configuration",
            nav_group=navigation.CONTROL,
        )
