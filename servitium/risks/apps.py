from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "servitium.risks"
    label = "risks"
    verbose_name = _("Risk management")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.permissions import grant_view

        from . import (
            dashboard,
            jobs,  # noqa: F401  (registers the daily review flag)
            panels,
        )

        panels.register()
        dashboard.register()
        # Risks are linked to CIs, suppliers and changes: the SMS roles must be able to name them.
        grant_view(("sms-manager", "sms-agent"), ("cmdb", "suppliers", "changes"))
