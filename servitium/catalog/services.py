"""Writes on the service catalogue: create/update with dependency rules, lifecycle transitions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servitium.core import services as core_services
from servitium.parties.models import Organization

from .lifecycle import SERVICE_WORKFLOW
from .models import Service

CUSTOMER_KINDS = {Organization.Kind.CUSTOMER, Organization.Kind.INTERNAL}


def _reaches(start_ids: Iterable[int], goal: int) -> bool:
    """Does following depends_on from `start_ids` reach `goal`? Breadth-first, one query per level."""
    frontier, seen = set(start_ids), set()
    while frontier:
        if goal in frontier:
            return True
        seen |= frontier
        frontier = (
            set(
                Service.depends_on.through.objects.filter(from_service_id__in=frontier).values_list(
                    "to_service_id", flat=True
                )
            )
            - seen
        )
    return False


def _validate_relations(service: Service | None, m2m: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    depends = m2m.get("depends_on")
    if depends is not None and service is not None and service.pk:
        ids = {d.pk for d in depends}
        if service.pk in ids:
            errors["depends_on"] = [_("A service cannot depend on itself.")]
        elif _reaches(ids, service.pk):
            errors["depends_on"] = [
                _("This dependency would create a cycle: a chosen service already depends on this one.")
            ]
    customers = m2m.get("customers")
    if customers is not None:
        wrong = sorted(o.name for o in customers if o.kind not in CUSTOMER_KINDS)
        if wrong:
            errors["customers"] = [
                _("Only customer organizations and internal groups receive services, not: %(names)s.")
                % {"names": ", ".join(wrong)}
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def service_create(
    *,
    actor: Any,
    data: dict[str, Any],
    m2m: dict[str, Any] | None = None,
    derived: dict[str, Any] | None = None,
) -> Service:
    """A new catalogue entry; `derived` lets the system (demo, imports) enter it in a later state."""
    m2m = m2m or {}
    _validate_relations(None, m2m)
    return core_services.record_create(model=Service, data=data, actor=actor, m2m=m2m, derived=derived)


@transaction.atomic
def service_update(
    *, actor: Any, instance: Service, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> Service:
    m2m = m2m or {}
    _validate_relations(instance, m2m)
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def service_transition(
    *, actor: Any, instance: Service, transition: str, note: str = "", data: dict | None = None
) -> Service:
    """Move a service along its lifecycle (go live, retire, reinstate)."""
    locked = Service.objects.select_for_update().get(pk=instance.pk)
    step = SERVICE_WORKFLOW.check(locked, locked.status, transition)
    if step.name == "retire":
        dependents = list(
            locked.dependents.exclude(status=Service.Status.RETIRED).values_list("name", flat=True)[:5]
        )
        if dependents:
            from servitium.core.errors import TransitionNotAllowed

            raise TransitionNotAllowed(
                _("Live or planned services still depend on this one: %(names)s.")
                % {"names": ", ".join(dependents)}
            )
    return core_services.record_transition(
        instance=locked, actor=actor, field="status", target=step.target, message=note or str(step.label)
    )


def _check_component_relations(component_service: Service | None, m2m: dict[str, Any]) -> None:
    deps = m2m.get("depends_on_services") or []
    if component_service is not None and any(d.pk == component_service.pk for d in deps):
        raise ValidationError({"depends_on_services": _("A component cannot depend on its own service.")})


@transaction.atomic
def component_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None):
    from .models import ServiceComponent

    m2m = m2m or {}
    _check_component_relations(data.get("service"), m2m)
    return core_services.record_create(model=ServiceComponent, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def component_update(*, actor: Any, instance, data: dict[str, Any], m2m: dict[str, Any] | None = None):
    m2m = m2m or {}
    _check_component_relations(data.get("service", instance.service), m2m)
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def option_save(*, actor: Any, data: dict[str, Any], instance=None, m2m: dict[str, Any] | None = None):
    """Create or update an offering option; making one the default clears the previous default of its kind."""
    from .models import OfferingOption

    offering = data.get("offering", instance.offering if instance else None)
    kind = data.get("kind", instance.kind if instance else None)
    if data.get("is_default"):
        for other in OfferingOption.objects.filter(offering=offering, kind=kind, is_default=True).exclude(
            pk=getattr(instance, "pk", None)
        ):
            core_services.record_update(instance=other, data={"is_default": False}, actor=actor)
    if instance is None:
        return core_services.record_create(model=OfferingOption, data=data, actor=actor)
    return core_services.record_update(instance=instance, data=data, actor=actor)


@transaction.atomic
def offering_withdraw(*, actor: Any, instance) -> Any:
    """Take an offering out of what customers can order (a service being removed withdraws all of its
    offerings); a withdrawn offering stays as it was."""
    from .models import Offering

    if instance.status == Offering.Status.WITHDRAWN:
        return instance
    return core_services.record_update(
        instance=instance, data={}, derived={"status": Offering.Status.WITHDRAWN}, actor=actor
    )
