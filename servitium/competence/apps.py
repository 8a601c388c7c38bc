from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetenceConfig(AppConfig):
    name = "servitium.competence"
    label = "competence"
    verbose_name = _("Resources and competence")
    default_auto_field = "django.db.models.BigAutoField"
