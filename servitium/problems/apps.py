from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    name = "servitium.problems"
    label = "problems"
    verbose_name = _("Problem management")
    default_auto_field = "django.db.models.BigAutoField"
