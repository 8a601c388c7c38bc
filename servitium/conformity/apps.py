from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConformityConfig(AppConfig):
    name = "servitium.conformity"
    label = "conformity"
    verbose_name = _("Conformity")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.permissions import register_area

        register_area("conformity", _("Conformity"), nav_url=None, order=20, role_prefix="conformity")
