from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AvailabilityConfig(AppConfig):
    name = "servitium.availability"
    label = "availability"
    verbose_name = _("Availability and continuity")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.permissions import register_area

        # Roles availability-manager and availability-agent. No menu entry of its own:
        # a tile on the assurance home page (reporting:home, core.panels "assurance.home").
        register_area("availability", _("Availability and continuity"), order=90, role_prefix="availability")
