from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExitsConfig(AppConfig):
    name = "servitium.exits"
    label = "exits"
    verbose_name = _("Exit and transfer")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.permissions import grant_view, register_area

        # Roles exit-manager and exit-agent. Customers read their own organization's exit plans and exports
        # in the portal (customer_nav), download their export and acknowledge its receipt.
        register_area(
            "exits",
            _("Exit and transfer"),
            nav_url="exits:exitplan_list",
            order=24,
            role_prefix="exit",
            customer_nav=True,
        )
        # Plans name customers, their people, agreements, services, CIs and documents; the export reads the
        # customer's tickets and reports.
        grant_view(
            ("exit-manager", "exit-agent"),
            (
                "parties",
                "catalog",
                "agreements",
                "cmdb",
                "documents",
                "incidents",
                "reporting",
                "relationships",
            ),
        )

        from . import (
            checks,  # noqa: F401  (registers the conformity checks)
            jobs,  # noqa: F401  (registers the export task)
            panels,
        )

        panels.register()
