from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "servitium.core"
    label = "core"
    verbose_name = _("Core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers periodic tasks with Huey)
        from .health import core_gauges
        from .metrics import register_collector

        register_collector("core", core_gauges)  # the queue's depth and the change log's seal on /metrics
        from . import navigation
        from .api import schema  # noqa: F401  (OpenAPI description of token auth)
        from .permissions import register_area
        from .references import ensure_sequences

        post_migrate.connect(ensure_sequences, sender=self)
        from . import keptcounts

        post_migrate.connect(keptcounts.install, sender=self, dispatch_uid="core_kept_counts")
        connection_created.connect(keptcounts.learn, dispatch_uid="core_kept_counts")
        post_migrate.connect(_search_index_after_migrate, sender=self, dispatch_uid="core_search_index")
        from django.utils.module_loading import autodiscover_modules

        from .checks import autodiscover

        autodiscover()
        autodiscover_modules("resources")  # every app's declarations (core.declaration)
        register_area("administration", _("Administration"), order=200)
        register_area("calendars", _("Calendars"), readable_by_all_staff=True, order=150)
        register_area("comments", _("Comments"), readable_by_all_staff=True, order=190, with_roles=False)
        register_area(
            "attachments", _("Attachments"), readable_by_all_staff=True, order=191, with_roles=False
        )
        # Every provider user may read the API's description (no areas: shown to all of them).
        navigation.register_entry(
            "api-docs", _("API documentation"), group=navigation.ADMINISTRATION, order=99
        )


def _search_index_after_migrate(sender, using="default", **kwargs) -> None:
    """SQLite loses a table's triggers when a migration rebuilds it: put the search index's back; then
    index the record types that have records but no entries yet (existing data, newly indexed types)."""
    from django.db import connections

    from .searchindex import TABLE, index_missing_types, repair

    conn = connections[using]
    if using != "default" or TABLE not in conn.introspection.table_names():
        return  # another database, or migrated back to before the index existed
    repair(conn)
    index_missing_types()
