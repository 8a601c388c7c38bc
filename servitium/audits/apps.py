from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "servitium.audits"
    label = "audits"
    verbose_name = _("Internal audit")
    default_auto_field = "django.db.models.BigAutoField"
