from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "servitium.finance"
    label = "finance"
    verbose_name = _("Budgeting and accounting")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.permissions import grant_view, register_area

        # Roles finance-manager and finance-agent. No menu entry of its own: a tile on the assurance home page
        # (reporting:home, core.panels "assurance.home").
        register_area("finance", _("Budgeting and accounting"), order=92, role_prefix="finance")
        # Costs name services, CIs, tickets, changes and suppliers' contracts: the finance roles read them.
        grant_view(
            ("finance-manager", "finance-agent"), ("catalog", "cmdb", "incidents", "changes", "suppliers")
        )

        from . import checks, panels  # noqa: F401  (registers the checks)

        panels.register()
