from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "servitium.reporting"
    label = "reporting"
    verbose_name = _("Service reporting")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.permissions import register_area

        # Roles report-manager (the report owner) and report-agent. The assurance home page is the one
        # menu entry of the five assurance areas; each contributes a tile
        # to it (core.panels, "assurance.home").
        register_area(
            "reporting", _("Service reporting"), nav_url="reporting:home", order=17, role_prefix="report"
        )
