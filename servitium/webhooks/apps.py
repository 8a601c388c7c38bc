from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "servitium.webhooks"
    label = "webhooks"
    verbose_name = _("Outbound webhooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core import navigation, outbound

        from . import cache, dispatch, jobs, panels  # noqa: F401 (jobs: the periodic pruning)

        # Subscriptions are administration data (their declaration's area): no roles of their own.
        outbound.listen(dispatch.deliver, cache.wants)
        panels.register()
        navigation.register_entry(
            "webhooks:webhooksubscription_list",
            _("Webhooks"),
            group=navigation.ADMINISTRATION,
            order=96,
            areas=("administration",),
        )
