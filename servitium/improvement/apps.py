from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "servitium.improvement"
    label = "improvement"
    verbose_name = _("Improvement")
    default_auto_field = "django.db.models.BigAutoField"
