from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReleasesConfig(AppConfig):
    name = "servitium.releases"
    label = "releases"
    verbose_name = _("Release and deployment")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.permissions import register_area

        register_area("releases", _("Release and deployment"), nav_url=None, order=9, role_prefix="release")
