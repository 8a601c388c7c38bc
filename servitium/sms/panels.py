"""What the management system contributes to shared pages: its tile on the SMS home and its inputs to the
management review pack."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from servitium.core.panels import LIST, register_panel
from servitium.core.reviewinputs import register_review_input

from . import selectors


def _tile(obj, user):
    return selectors.home_tile(user)


def register() -> None:
    register_panel("sms.home", "sms/_sms_home_panel.html", _tile, page=LIST, order=10)
    register_review_input(
        "sms_objectives",
        _("Service management objectives"),
        selectors.review_policy_objectives,
        topics=("policy_objectives",),
        template="sms/_review_input.html",
        order=20,
    )
    register_review_input(
        "sms_context",
        _("Changes in context and interested parties"),
        selectors.review_context_changes,
        topics=("context_changes",),
        template="sms/_review_input_context.html",
        order=25,
    )
