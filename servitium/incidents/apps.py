from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "servitium.incidents"
    label = "incidents"
    verbose_name = _("Incident and service request management")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from servitium.core import navigation
        from servitium.core.metrics import register_collector
        from servitium.core.models import Comment
        from servitium.core.permissions import register_area

        from . import jobs, measures  # noqa: F401  (SLA clock jobs; response/resolution measures for SLAs)
        from .dashboard import register as register_dashboard
        from .mail import outbound  # noqa: F401  (mail sending jobs)
        from .mailgate import imap  # noqa: F401  (mailbox polling)
        from .metrics import gauges
        from .panels import register as register_panels

        register_panels()
        register_dashboard()  # the home dashboards' ticket tiles
        register_collector("incidents", gauges)  # open tickets and SLA clocks on /metrics
        post_save.connect(outbound.on_comment_saved, sender=Comment, dispatch_uid="incident_public_reply")
        from django.db.models.signals import post_delete

        from .models import PriorityRule
        from .services import forget_matrix

        for signal in (post_save, post_delete):
            signal.connect(forget_matrix, sender=PriorityRule, dispatch_uid=f"forget_matrix_{signal}")

        from servitium.core.permissions import ROLES, Role

        ROLES["mail-gateway"] = Role(
            "mail-gateway",
            _("Mail gateway"),
            {},
            _("Hands in mail for incident management (servitium mailgate)"),
        )
        register_area(
            "incidents",
            _("Incidents"),
            nav_url="incidents:incident_list",
            order=5,
            role_prefix="incident",
            customer_nav=True,
            nav_group=navigation.OPERATE,
        )
