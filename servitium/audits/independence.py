"""The independence rule of internal audit (2011 4.5.4.2.s3; 2018 9.2.2.c): nobody audits their own work.

"Own work", concretely: a person audits their own work when
1. their login holds a role that lets them do more than read in a process area the audit covers (the
   `<area>-manager` or `<area>-agent` role, or any role with change rights there) — they run that process; or
2. they are among the audit's auditees.
Roles that read everything (auditor, top management) and the administrator's technical grant do not make
an area anyone's own work."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from servitium.core import permissions


def areas_run_by(person: Any) -> dict[str, str]:
    """The process areas a person works in (area -> the role that grants it)."""
    user = getattr(person, "user", None) if person is not None else None
    if user is None:
        return {}
    found: dict[str, str] = {}
    for name in sorted(permissions.user_roles(user)):
        role = permissions.ROLES.get(name)
        if role is None:
            continue
        for area, actions in role.grants.items():
            if area != permissions.ALL and (actions - {permissions.VIEW}):
                found.setdefault(area, name)
    return found


def conflict(person: Any, areas: Iterable[str], auditees: Iterable[Any]) -> str | None:
    """Why `person` may not audit these areas with these auditees, or None."""
    if person is None:
        return None
    if person.pk in {a.pk for a in auditees}:
        return _("%(person)s may not audit their own work: they are an auditee of this audit.") % {
            "person": person.name
        }
    run = areas_run_by(person)
    for area in areas:
        if area in run:
            label = permissions.AREAS[area].label if area in permissions.AREAS else area
            return _(
                "%(person)s may not audit their own work: they hold the %(role)s role in %(area)s, "
                "a process this audit covers."
            ) % {"person": person.name, "role": run[area], "area": label}
    return None


def check_team(*, lead: Any, auditors: Iterable[Any], areas: Iterable[str], auditees: Iterable[Any]) -> None:
    """Raise a ValidationError naming the field and the person when the audit team is not independent."""
    areas, auditees = list(areas), list(auditees)
    errors: dict[str, list[str]] = {}
    reason = conflict(lead, areas, auditees)
    if reason:
        errors["lead_auditor"] = [reason]
    reasons = [r for r in (conflict(p, areas, auditees) for p in auditors) if r]
    if reasons:
        errors["auditors"] = reasons
    if errors:
        raise ValidationError(errors)
