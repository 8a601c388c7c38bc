from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelationshipsConfig(AppConfig):
    name = "servitium.relationships"
    label = "relationships"
    verbose_name = _("Business relationship management")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.permissions import register_area

        from . import jobs  # noqa: F401  (registers the escalation job)

        register_area(
            "relationships",
            _("Relationships"),
            nav_url="relationships:complaint_list",
            order=30,
            role_prefix="relationship",
            customer_nav=True,
        )
