from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapacityConfig(AppConfig):
    name = "servitium.capacity"
    label = "capacity"
    verbose_name = _("Capacity and demand")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.permissions import register_area

        # Roles capacity-manager and capacity-agent. No menu entry of its own:
        # a tile on the assurance home page (reporting:home, core.panels "assurance.home").
        register_area("capacity", _("Capacity and demand"), order=91, role_prefix="capacity")

        from servitium.core.permissions import grant_view
        from servitium.events.sinks import register_sink

        from . import monitoring, panels

        panels.register()
        register_sink("capacity", monitoring.take_readings)  # readings carried by monitoring alerts
        # Plans and metrics name services, CIs, customers, the incident of a breach and the budget of a
        # financial line, and show the service's financial resources: capacity roles must read them.
        grant_view(
            ("capacity-manager", "capacity-agent"),
            ("catalog", "cmdb", "parties", "incidents", "sms", "finance"),
        )
