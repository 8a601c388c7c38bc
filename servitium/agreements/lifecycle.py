"""Agreement lifecycle: draft -> agreed -> expired / terminated; an agreed agreement can be reopened for
renegotiation (back to draft), which ends its coverage until it is agreed again."""

from django.utils.translation import gettext_lazy as _

from servitium.core.workflow import Transition, Workflow

from .models import ServiceLevelAgreement, ServiceReview

S = ServiceLevelAgreement.Status


def _not_complete(agreement) -> str | None:
    missing = agreement.missing_for_agreement()
    if missing:
        return str(
            _("The agreement cannot be agreed yet; it lacks: %(items)s.") % {"items": "; ".join(missing)}
        )
    return None


AGREEMENT_WORKFLOW = Workflow(
    states=S.values,
    transitions=[
        Transition("agree", frozenset({S.DRAFT}), S.AGREED, _("Agree"), guard=_not_complete),
        Transition("reopen", frozenset({S.AGREED}), S.DRAFT, _("Reopen for renegotiation")),
        Transition("expire", frozenset({S.AGREED}), S.EXPIRED, _("Expire")),
        Transition(
            "terminate", frozenset({S.DRAFT, S.AGREED}), S.TERMINATED, _("Terminate"), action="delete"
        ),
    ],
)

R = ServiceReview.Status

REVIEW_WORKFLOW = Workflow(
    states=R.values,
    transitions=[
        Transition("hold", frozenset({R.PLANNED}), R.HELD, _("Record as held")),
        Transition("cancel", frozenset({R.PLANNED}), R.CANCELLED, _("Cancel")),
    ],
)
