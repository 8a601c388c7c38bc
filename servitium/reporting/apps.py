from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "servitium.reporting"
    label = "reporting"
    verbose_name = _("Service reporting")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core import navigation
        from servitium.core.permissions import grant_view, register_area

        # Roles report-manager (the report owner) and report-agent. The assurance home page is the one
        # menu entry of the five assurance areas; each contributes a tile
        # to it (core.panels, "assurance.home").
        register_area(
            "reporting",
            _("Service reporting"),
            nav_url="reporting:home",
            order=17,
            role_prefix="report",
            customer_nav=True,  # customers read their issued reports (the home page sends them there)
            nav_group=navigation.PLAN,
            nav_label=_("Service assurance"),
            nav_areas=("availability", "capacity", "finance", "security"),  # their tiles are on this page
        )
        # Definitions name customers, services, people, teams and customer contacts.
        grant_view(("report-manager", "report-agent"), ("parties", "catalog", "relationships"))

        from . import (
            checks,  # noqa: F401  (registers the conformity checks)
            jobs,  # noqa: F401  (registers the monthly report run)
            panels,
            sections,
        )

        sections.register()
        panels.register()
