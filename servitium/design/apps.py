from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DesignConfig(AppConfig):
    name = "servitium.design"
    label = "design"
    verbose_name = _("Design and transition")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core import navigation
        from servitium.core.hooks import register_guard, register_reaction
        from servitium.core.permissions import grant_view, register_area

        from . import (
            checks,  # noqa: F401  (registers the conformity checks)
            panels,
            services,
        )

        # Roles design-manager and design-agent; a menu entry under "More". Every provider user reads
        # the projects: change and release managers and service owners work from them.
        register_area(
            "design",
            _("Design and transition"),
            nav_url="design:designproject_list",
            order=9,
            role_prefix="design",
            readable_by_all_staff=True,
            nav_group=navigation.PLAN,
        )
        panels.register()
        # A change of major impact opens its design and transition project when it is submitted, and is
        # not implemented before that project has passed acceptance (2011 5.1, 5.4; 2018 8.5.2).
        register_reaction("changes.change", "submitted", services.open_for_major_change)
        register_guard("changes.change", "implement", services.unaccepted_design)
        # Projects name services, customers, changes, releases, contracts, agreements, CIs, documents and
        # the capacity, availability, continuity and security records of the design; completing a
        # transition updates the catalogue, agreements, CMDB, contracts and the communication log.
        grant_view(
            ("design-manager", "design-agent"),
            (
                "catalog",
                "parties",
                "changes",
                "releases",
                "suppliers",
                "agreements",
                "cmdb",
                "sms",
                "relationships",
                "capacity",
                "availability",
                "security",
            ),
        )
