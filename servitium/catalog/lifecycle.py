"""The service lifecycle: pipeline -> live -> retired (retired services can be reinstated to the pipeline)."""

from django.utils.translation import gettext_lazy as _

from servitium.core.workflow import Transition, Workflow

from .models import Service

S = Service.Status

SERVICE_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition("go_live", frozenset({S.PIPELINE}), S.LIVE, _("Go live")),
        Transition("retire", frozenset({S.LIVE, S.PIPELINE}), S.RETIRED, _("Retire"), action="delete"),
        Transition("reinstate", frozenset({S.RETIRED}), S.PIPELINE, _("Return to pipeline")),
    ],
)
