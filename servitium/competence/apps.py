from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetenceConfig(AppConfig):
    name = "servitium.competence"
    label = "competence"
    verbose_name = _("Resources and competence")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.permissions import grant_view

        from . import panels

        panels.register()
        # The resources behind a service are read from incidents, problems and the CMDB.
        grant_view(("sms-manager", "sms-agent"), ("incidents", "problems", "cmdb"))
