"""Portal demo content: the demo's active known errors on customers' services published as help
articles, so that a demo customer user finds answers in the portal, and the customer users' open survey
invitations (the relationships demo sends rounds to people, not to accounts)."""

from __future__ import annotations

from typing import Any

from servitium.problems.models import KnownError
from servitium.relationships.models import Survey, SurveyInvitation

from . import services
from .models import HelpArticle

ARTICLES = 6


def load(*, actor: Any = None) -> None:
    candidates = (
        KnownError.objects.filter(status=KnownError.Status.ACTIVE, service__customers__kind="customer")
        .exclude(workaround="")
        .distinct()
        .order_by("reference")
    )
    for known_error in candidates[:ARTICLES]:
        if not HelpArticle.objects.filter(known_error=known_error).exists():
            services.help_article_publish(
                actor=actor, known_error=known_error, title=known_error.title, advice=known_error.workaround
            )
    _invite_customer_users(actor)


def _invite_customer_users(actor: Any) -> None:
    """Every customer user with a person record is asked once in the open periodic survey's own round."""
    from servitium.core import services as core_services
    from servitium.parties.models import Person

    survey = Survey.objects.filter(status=Survey.Status.OPEN).order_by("created").first()
    if survey is None:
        return
    people = Person.objects.filter(user__isnull=False, organization__kind="customer").select_related(
        "organization", "user"
    )
    for person in people:
        if "customer" not in (person.user.roles or []):
            continue
        if SurveyInvitation.objects.filter(survey=survey, person=person, responded=False).exists():
            continue
        core_services.record_create(
            model=SurveyInvitation,
            data={},
            derived={
                "survey": survey,
                "person": person,
                "customer": person.organization,
                "round_label": "portal",
            },
            actor=actor,
        )
