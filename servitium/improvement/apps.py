from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "servitium.improvement"
    label = "improvement"
    verbose_name = _("Improvement")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servitium.core.reviewinputs import register_review_input

        from . import dashboard, panels, selectors

        panels.register()
        dashboard.register()
        register_review_input(
            "nonconformities",
            _("Nonconformities and corrective actions"),
            selectors.nonconformities_review,
            topics=("nonconformities",),
            template="improvement/_review_nonconformities.html",
            order=80,
        )
        register_review_input(
            "improvement",
            _("Opportunities for improvement"),
            selectors.improvement_review,
            topics=("improvement",),
            template="improvement/_review_improvement.html",
            order=110,
        )
