from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "servitium.documents"
    label = "documents"
    verbose_name = _("Documented information")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            jobs,  # noqa: F401  (registers the nightly release, review and disposal flags)
            panels,
        )

        panels.register()
