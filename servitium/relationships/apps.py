from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelationshipsConfig(AppConfig):
    name = "servitium.relationships"
    label = "relationships"
    verbose_name = _("Business relationship management")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core import navigation
        from servitium.core.permissions import register_area

        from . import jobs  # noqa: F401  (registers the escalation job)

        register_area(
            "relationships",
            _("Relationships"),
            nav_url="relationships:complaint_list",
            order=30,
            role_prefix="relationship",
            customer_nav=True,
            nav_group=navigation.OPERATE,
            nav_label=_("Complaints"),
        )
        for url_name, label, group, order in (
            ("relationships:communication_list", _("Communications"), navigation.OPERATE, 31),
            ("relationships:customerrelationship_list", _("Customer relationships"), navigation.PLAN, 32),
            ("relationships:survey_list", _("Satisfaction surveys"), navigation.PLAN, 33),
        ):
            navigation.register_entry(url_name, label, group=group, order=order, areas=("relationships",))
