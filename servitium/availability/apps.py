from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AvailabilityConfig(AppConfig):
    name = "servitium.availability"
    label = "availability"
    verbose_name = _("Availability and continuity")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.permissions import grant_view, register_area

        from . import (
            checks,  # noqa: F401  (registers the conformity checks)
            jobs,  # noqa: F401  (registers the nightly outage sync)
            panels,
        )

        # Roles availability-manager and availability-agent. No menu entry of its own:
        # a tile on the assurance home page (reporting:home, core.panels "assurance.home").
        register_area("availability", _("Availability and continuity"), order=90, role_prefix="availability")
        panels.register()
        from servitium.events.sinks import register_sink

        from .monitoring import follow_alerts

        register_sink("availability", follow_alerts)  # outages while critical alerts fire
        # Outages name services, incidents and changes; requirements name calendars.
        grant_view(("availability-manager", "availability-agent"), ("catalog", "incidents", "changes"))
