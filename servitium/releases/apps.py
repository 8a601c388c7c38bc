from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReleasesConfig(AppConfig):
    name = "servitium.releases"
    label = "releases"
    verbose_name = _("Release and deployment")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core import navigation
        from servitium.core.permissions import grant_view, register_area

        from . import (
            jobs,  # noqa: F401  (registers the nightly success measurement)
            panels,
        )

        panels.register()

        # Readable by all staff: the service desk must see upcoming releases and failures (2011 9.3).
        register_area(
            "releases",
            _("Release and deployment"),
            nav_url="releases:release_list",
            order=9,
            role_prefix="release",
            readable_by_all_staff=True,
            nav_group=navigation.CONTROL,
        )
        # Building a release means reading the changes it bundles, the CIs it touches (a baseline is taken
        # of them before deployment) and the problems and known errors it resolves.
        grant_view(("release-manager", "release-agent"), ("changes", "cmdb", "problems"))
