from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "servitium.incidents"
    label = "incidents"
    verbose_name = _("Incident and service request management")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.permissions import register_area

        from . import jobs, measures  # noqa: F401  (SLA clock jobs; response/resolution measures for SLAs)

        register_area(
            "incidents",
            _("Incidents"),
            nav_url="incidents:incident_list",
            order=5,
            role_prefix="incident",
            customer_nav=True,
        )
