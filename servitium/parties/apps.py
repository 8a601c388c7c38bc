from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "servitium.parties"
    label = "parties"
    verbose_name = _("Parties")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core import navigation
        from servitium.core.permissions import register_area

        register_area(
            "parties",
            _("Parties"),
            readable_by_all_staff=True,
            nav_url="parties:organization_list",
            order=90,
            customer_nav=True,
            nav_group=navigation.ADMINISTRATION,
            nav_label=_("Organizations"),
        )
        for url_name, label, order, area in (
            ("parties:person_list", _("People"), 91, "parties"),
            ("parties:team_list", _("Teams"), 92, "parties"),
            ("parties:user_list", _("Users"), 95, "administration"),  # logins and roles: administrators
        ):
            navigation.register_entry(
                url_name, label, group=navigation.ADMINISTRATION, order=order, areas=(area,)
            )
