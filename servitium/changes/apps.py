from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "servitium.changes"
    label = "changes"
    verbose_name = _("Change management")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.cmdb import control as cmdb_control
        from servitium.core import navigation
        from servitium.core.permissions import grant_view, register_area

        from . import dashboard, panels
        from .control import ChangeControl

        # The CMDB asks the change process which CIs are under change control and which changes authorise
        # their updates; the CI page shows the changes that name the CI.
        cmdb_control.register(ChangeControl())
        panels.register()
        dashboard.register()

        register_area(
            "changes",
            _("Change management"),
            nav_url="changes:change_list",
            order=8,
            role_prefix="change",
            nav_group=navigation.CONTROL,
        )
        # Assessing a change means reading the configuration information it touches (impact, dependencies)
        # and the problem it may come from: change roles read those areas too.
        grant_view(("change-manager", "change-agent"), ("cmdb", "problems"))
        # A configuration agent updates a CI under change control by naming the approved change that covers
        # it, so configuration roles read changes.
        grant_view(("configuration-manager", "configuration-agent"), ("changes",))
