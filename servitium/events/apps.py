from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "servitium.events"
    label = "events"
    verbose_name = _("Monitoring events")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core import navigation
        from servitium.core.permissions import grant_view, register_area

        # Roles events-manager (the rules) and events-agent (what monitoring tools post with their token).
        register_area(
            "events",
            _("Monitoring events"),
            nav_url="events:event_list",
            order=22,
            nav_group=navigation.OPERATE,
        )
        # Events name CIs, services and incidents: event roles read them (incident roles read events).
        grant_view(("events-manager", "events-agent"), ("cmdb", "incidents", "changes"))
