from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmsConfig(AppConfig):
    name = "servitium.sms"
    label = "sms"
    verbose_name = _("Management system")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core import navigation
        from servitium.core.permissions import register_area

        from . import indicators, jobs, panels  # noqa: F401  (the monthly measurement job)

        # One area for every management-system app (documents, risks, competence, improvement, reviews):
        # the SMS manager role runs them all; top management and auditors read them.
        register_area(
            "sms",
            _("Management system"),
            nav_url="sms:home",
            order=19,
            role_prefix="sms",
            nav_group=navigation.PLAN,
        )
        indicators.register_all()
        panels.register()
