from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "servitium.security"
    label = "security"
    verbose_name = _("Information security")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.permissions import register_area

        # Roles security-manager and security-agent. No menu entry of its own:
        # a tile on the assurance home page (reporting:home, core.panels "assurance.home").
        register_area("security", _("Information security"), order=93, role_prefix="security")
