"""What conformity shows on other apps' pages: on a nonconformity of the improvement register, the
requirement it fails and that requirement's latest result (improvement stores only the requirement's key)."""

from __future__ import annotations

from typing import Any

from servitium.core import permissions
from servitium.core.panels import register_panel

from . import selectors
from .models import Requirement, Result


def requirement_of_nonconformity(nc: Any, user: Any) -> dict[str, Any] | None:
    if nc is None or not nc.requirement or permissions.is_customer_user(user):
        return None
    slug, _sep, identifier = nc.requirement.partition("#")
    requirements = permissions.restrict(Requirement.objects.select_related("framework"), user)
    requirement = requirements.filter(framework__slug=slug, identifier=identifier).first()
    if requirement is None:
        return None
    run = selectors.latest_assessment(covering=slug)
    results = permissions.restrict(Result.objects.all(), user)
    result = results.filter(assessment=run, requirement=requirement).first() if run else None
    return {"requirement": requirement, "result": result}


def register() -> None:
    register_panel(
        "improvement.nonconformity",
        "conformity/_nonconformity_requirement.html",
        requirement_of_nonconformity,
        order=5,
    )
