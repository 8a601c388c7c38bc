from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "servitium.audits"
    label = "audits"
    verbose_name = _("Internal audit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core import navigation
        from servitium.core.permissions import register_area
        from servitium.core.reviewinputs import register_review_input

        from . import panels, selectors

        # Its own area: audit-manager owns the programme, audit-agent is an internal auditor.
        register_area(
            "audits",
            _("Internal audit"),
            nav_url="audits:audit_list",
            order=22,
            role_prefix="audit",
            nav_group=navigation.CONFORMITY,
        )
        panels.register()
        register_review_input(
            "internal_audits",
            _("Internal audit results"),
            selectors.audit_results_review,
            topics=("audit_results",),
            template="audits/_review_input.html",
            order=61,
        )
