from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    name = "servitium.problems"
    label = "problems"
    verbose_name = _("Problem management")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from servitium.core import navigation
        from servitium.core.permissions import register_area

        from . import (
            dashboard,
            jobs,  # noqa: F401  (registers the daily trend analysis)
            panels,
        )

        panels.register()
        dashboard.register()

        register_area(
            "problems",
            _("Problems"),
            nav_url="problems:problem_list",
            order=6,
            role_prefix="problem",
            nav_group=navigation.OPERATE,
        )
        post_migrate.connect(_repair_search_index, sender=self, dispatch_uid="problems_search_repair")


def _repair_search_index(sender, using="default", **kwargs) -> None:
    """SQLite loses a table's triggers when a migration rebuilds the table; put the search triggers back."""
    from django.db import connections

    from .search import sqlite_repair

    sqlite_repair(connections[using])
