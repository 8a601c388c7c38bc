import logging

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


def _sync_after_migrate(sender, using="default", **kwargs) -> None:
    """Keep the database copy of the bundled catalogues current (skipped when unchanged)."""
    from .catalogue import CatalogueError
    from .sync import sync_catalogues

    try:
        sync_catalogues(using=using)
    except CatalogueError:
        # A broken catalogue must not stop `migrate`; `servitium sync-frameworks` reports it in full.
        logger.exception("requirement catalogues not synced")


class ConformityConfig(AppConfig):
    name = "servitium.conformity"
    label = "conformity"
    verbose_name = _("Conformity")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core import navigation
        from servitium.core.permissions import register_area

        from . import (
            dashboard,
            jobs,  # noqa: F401  (registers the nightly assessment)
            panels,
        )

        panels.register()
        dashboard.register()

        register_area(
            "conformity",
            _("Conformity"),
            nav_url="conformity:dashboard",
            order=20,
            role_prefix="conformity",
            nav_group=navigation.CONFORMITY,
        )
        post_migrate.connect(_sync_after_migrate, sender=self, dispatch_uid="conformity_sync_catalogues")
