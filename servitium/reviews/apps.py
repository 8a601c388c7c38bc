from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "servitium.reviews"
    label = "reviews"
    verbose_name = _("Management review")
    default_auto_field = "django.db.models.BigAutoField"
