from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "servitium.security"
    label = "security"
    verbose_name = _("Information security")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.hooks import register_guard
        from servitium.core.permissions import grant_view, register_area

        from . import (
            checks,  # noqa: F401  (registers the conformity checks)
            panels,
            services,
        )

        # Roles security-manager and security-agent. No menu entry of its own:
        # a tile on the assurance home page (reporting:home, core.panels "assurance.home").
        register_area("security", _("Information security"), order=93, role_prefix="security")
        panels.register()
        # A change is assessed for security impact before it is approved (2011 6.6.3; 2018 8.7.3),
        # when the security settings ask for it.
        register_guard("changes.change", "approve", services.unassessed_security_impact)
        # Controls name services, CIs and risks; links name incidents and changes; grants name parties.
        grant_view(
            ("security-manager", "security-agent"),
            ("catalog", "cmdb", "sms", "incidents", "changes", "suppliers", "parties"),
        )
