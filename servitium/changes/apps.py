from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "servitium.changes"
    label = "changes"
    verbose_name = _("Change management")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.permissions import ROLES, VIEW, register_area

        register_area(
            "changes", _("Change management"), nav_url="changes:change_list", order=8, role_prefix="change"
        )
        # Assessing a change means reading the configuration information it touches (impact, dependencies)
        # and the problem it may come from: change roles read those areas too.
        for role in ("change-manager", "change-agent"):
            grants = dict(ROLES[role].grants)
            for area in ("cmdb", "problems"):
                grants.setdefault(area, frozenset({VIEW}))
            ROLES[role].grants = grants
        # A configuration agent updates a CI under change control by naming the approved change that covers
        # it, so configuration roles read changes.
        for role in ("configuration-manager", "configuration-agent"):
            grants = dict(ROLES[role].grants)
            grants.setdefault("changes", frozenset({VIEW}))
            ROLES[role].grants = grants
