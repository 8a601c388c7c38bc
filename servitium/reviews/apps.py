from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "servitium.reviews"
    label = "reviews"
    verbose_name = _("Management review")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core import permissions

        from . import inputs, panels

        inputs.register()
        panels.register()
        # The chair — a member of top management, who otherwise only reads — approves the minutes of the
        # review they chaired (the service checks it is the chair): the one write top management makes here.
        role = permissions.ROLES[permissions.TOP_MANAGEMENT]
        grants = dict(role.grants)
        grants["sms"] = frozenset({*grants.get("sms", ()), APPROVE})
        role.grants = grants


APPROVE = "approve"
