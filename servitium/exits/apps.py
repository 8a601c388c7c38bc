from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExitsConfig(AppConfig):
    name = "servitium.exits"
    label = "exits"
    verbose_name = _("Exit and transfer")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core import navigation
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
            nav_group=navigation.PLAN,
        )
        # Plans name customers, their people, agreements, services, subscriptions, CIs and documents; the
        # export reads the customer's tickets and reports.
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
                "cloud",
            ),
        )

        from . import (
            checks,  # noqa: F401  (registers the conformity checks)
            jobs,  # noqa: F401  (registers the export task)
            panels,
        )

        panels.register()

        from servitium.core.hooks import register_guard

        from .lifecycle import subscription_exit_refusal

        # A subscription ends only once its exit handed the customer its data (20000-9 S13, S14).
        register_guard("cloud.subscription", "complete_termination", subscription_exit_refusal)
