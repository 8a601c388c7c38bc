"""Reads of information security: the settings in use, the policy's standing, overdue reviews, the
security incidents and their links, and the figures the assurance tile, the review input and the checks
share. Lists that reach a user go through core.permissions.restrict."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from servitium.core import permissions
from servitium.core.permissions import TOP_MANAGEMENT
from servitium.documents import selectors as document_selectors
from servitium.incidents.models import Incident

from .models import AccessGrant, SecurityControl, SecurityRiskAssessment, SecuritySettings

C = SecurityControl.Status


def current_settings() -> SecuritySettings | None:
    """The settings in use (the first record), or None when none is recorded."""
    return (
        SecuritySettings.objects.select_related("policy__current_version__approved_by").order_by("id").first()
    )


def change_assessment_required() -> bool:
    """Whether a change needs a security impact assessment before approval: on when the settings say so;
    off while no settings are recorded (an installation that has not set up information security)."""
    found = (
        SecuritySettings.objects.order_by("id").values_list("require_change_assessment", flat=True).first()
    )
    return bool(found)


@dataclass
class PolicyStanding:
    """Where the information security policy stands: named, in force, approved by top management,
    communicated (acknowledged by the people it reaches)."""

    document: Any
    in_force: bool
    approved_by_top_management: bool
    approver: Any
    expected: int
    acknowledged: int
    published: bool = False  # not confidential, with a point of use customers and suppliers can reach

    @property
    def communicated(self) -> bool:
        return self.in_force and self.published and self.acknowledged == self.expected

    @property
    def problems(self) -> list[str]:
        from django.utils.translation import gettext as _

        found = []
        if self.document is None:
            return [_("No document is named as the information security policy.")]
        if not self.in_force:
            found.append(_("it has no approved version in force"))
        elif not self.approved_by_top_management:
            found.append(_("its version in force was not approved by top management"))
        if self.in_force and not self.published:
            found.append(
                _("it is not published to customers and suppliers (confidential or no point of use)")
            )
        if self.in_force and self.acknowledged < self.expected:
            found.append(
                _("%(n)d of %(m)d people have not acknowledged it")
                % {"n": self.expected - self.acknowledged, "m": self.expected}
            )
        return found


def policy_standing(settings: SecuritySettings | None = None) -> PolicyStanding:
    settings = settings if settings is not None else current_settings()
    document = settings.policy if settings is not None else None
    if document is None:
        return PolicyStanding(None, False, False, None, 0, 0)
    version = document.current_version
    approver = version.approved_by if version is not None else None
    top = bool(approver is not None and TOP_MANAGEMENT in (getattr(approver, "roles", None) or []))
    if version is None:
        return PolicyStanding(document, False, False, None, 0, 0)
    published = document.confidentiality != "confidential" and bool(document.points_of_use.strip())
    if not document.requires_acknowledgement:  # communicated by publication alone
        return PolicyStanding(document, True, top, approver, 0, 0, published)
    standing = document_selectors.acknowledgement_standing(document)
    return PolicyStanding(document, True, top, approver, standing.expected, standing.acknowledged, published)


def overdue_controls(queryset=None):
    """Controls that apply and were never reviewed or whose next review has passed."""
    queryset = SecurityControl.objects.all() if queryset is None else queryset
    today = timezone.localdate()
    return queryset.exclude(status=C.NOT_APPLICABLE).filter(
        Q(next_review__isnull=True) | Q(next_review__lt=today)
    )


def grants_in_force(queryset=None):
    queryset = AccessGrant.objects.all() if queryset is None else queryset
    today = timezone.localdate()
    return queryset.filter(revoked=False, valid_from__lte=today).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )


def overdue_grants(queryset=None):
    return grants_in_force(queryset).filter(next_review__lt=timezone.localdate())


def security_incidents():
    return Incident.objects.filter(is_security=True)


def latest_assessment():
    return SecurityRiskAssessment.objects.order_by("-date", "-id").first()


def figures(user: Any, start: dt.date | None = None, end: dt.date | None = None) -> dict[str, Any]:
    """The register, assessments, incidents and access grants in a few numbers (the tile, the review)."""
    controls = permissions.restrict(SecurityControl.objects.all(), user)
    by_status = dict(controls.values_list("status").annotate(n=Count("id")).order_by())
    applicable = sum(n for s, n in by_status.items() if s != C.NOT_APPLICABLE)
    grants = permissions.restrict(AccessGrant.objects.all(), user)
    incidents = security_incidents()
    if start and end:
        incidents = incidents.filter(created__date__gte=start, created__date__lte=end)
    incident_figures = incidents.aggregate(
        total=Count("id"),
        linked=Count("id", filter=Q(security_link__isnull=False)),
        reviewed=Count("id", filter=Q(security_link__reviewed_on__isnull=False)),
    )
    latest = latest_assessment()
    return {
        "controls": sum(by_status.values()),
        "implemented": by_status.get(C.IMPLEMENTED, 0),
        "applicable": applicable,
        "partial": by_status.get(C.PARTIAL, 0),
        "not_implemented": by_status.get(C.NOT_STARTED, 0) + by_status.get(C.PLANNED, 0),
        "overdue_controls": overdue_controls(controls).count(),
        "grants": grants_in_force(grants).count(),
        "overdue_grants": overdue_grants(grants).count(),
        "incidents": incident_figures["total"],
        "incidents_linked": incident_figures["linked"],
        "incidents_reviewed": incident_figures["reviewed"],
        "latest_assessment": latest,
        "assessment_overdue": bool(
            latest is None or (latest.next_due and latest.next_due < timezone.localdate())
        ),
        "policy": policy_standing(),
    }
