from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "servitium.changes"
    label = "changes"
    verbose_name = _("Change management")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.permissions import register_area

        register_area("changes", _("Change management"), nav_url=None, order=8, role_prefix="change")
