"""What conformity shows on other apps' pages: on a nonconformity of the improvement register, the
requirement it fails and that requirement's latest result (improvement stores only the requirement's key);
on every record's page, the requirements the latest assessment names it for, as evidence or as a gap —
the way back from a record to the obligations it shows met or not met."""

from __future__ import annotations

from typing import Any

from servitium.core import permissions
from servitium.core.panels import ANY, register_panel

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


# The latest assessment's index of named records, kept per process until a newer assessment exists:
# {(object_type, object_id): [(result id, framework, identifier, title, status, "evidence" | "gap"), ...]}.
_INDEX: dict[str, Any] = {"run": None, "named": {}}


def _named_records(run: Any) -> dict[tuple[str, int], list[tuple]]:
    # Keyed by id and start time: after a restore (or a rolled-back test) an id can come back.
    if _INDEX["run"] != (run.pk, run.started_at):
        named: dict[tuple[str, int], list[tuple]] = {}
        rows = Result.objects.filter(assessment_id=run.pk).values_list(
            "id",
            "requirement__framework__slug",
            "requirement__identifier",
            "requirement__title",
            "status",
            "evidence",
            "gaps",
        )
        for rid, slug, identifier, title, status, evidence, gaps in rows.iterator():
            for role, items in (("evidence", evidence), ("gap", gaps)):
                for item in items or ():
                    key = (item.get("object_type"), item.get("object_id"))
                    named.setdefault(key, []).append((rid, slug, identifier, title, status, role))
        _INDEX.update(run=(run.pk, run.started_at), named=named)
    return _INDEX["named"]


def requirements_naming(obj: Any, user: Any) -> dict[str, Any] | None:
    """The requirements whose latest result names `obj` (checks name up to 20 records each, the newest)."""
    if obj is None or obj._meta.app_label == "conformity" or permissions.is_customer_user(user):
        return None
    if not permissions.has_permission(user, permissions.VIEW, Result):
        return None
    run = selectors.latest_assessment()
    if run is None:
        return None
    found = _named_records(run).get((f"{obj._meta.app_label}.{obj._meta.model_name}", obj.pk))
    if not found:
        return None
    rows = [
        {"result": rid, "framework": slug, "identifier": ident, "title": title, "status": st, "role": role}
        # once per requirement and role, though several checks bound to the requirement may name it
        for rid, slug, ident, title, st, role in sorted(set(found), key=lambda r: (r[5] != "gap", r[1], r[2]))
    ]
    return {"rows": rows, "assessment": run}


def register() -> None:
    register_panel(
        "improvement.nonconformity",
        "conformity/_nonconformity_requirement.html",
        requirement_of_nonconformity,
        order=5,
    )
    register_panel(ANY, "conformity/_requirements_naming.html", requirements_naming, order=900)
