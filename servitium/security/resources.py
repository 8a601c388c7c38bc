"""What the information security records show, who may write which field, and how their lists filter.

All are the provider's own records (area `security`): the security manager and agents write them, top
management and auditors read them, customers see none. Next-review dates are worked out from the last
review and the interval; they are not input.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servitium.core.declaration import Access, Resource

from .models import (
    AccessGrant,
    SecurityControl,
    SecurityImpactAssessment,
    SecurityIncidentLink,
    SecurityRiskAssessment,
    SecuritySettings,
)


class SecuritySettingsResource(Resource):
    model = SecuritySettings
    area = "security"
    fields = (
        "policy",
        "objectives",
        "risk_approach",
        "assessment_interval_months",
        "require_change_assessment",
    )
    staff = Access(create=fields)
    filters = ("policy",)
    columns = ("policy", "assessment_interval_months", "require_change_assessment")


def _control_overdue(queryset, name: str, value: bool):
    """Controls that apply and were never reviewed or whose next review has passed (`true`)."""
    if value is None:
        return queryset
    late = Q(next_review__isnull=True) | Q(next_review__lt=timezone.localdate())
    late &= ~Q(status=SecurityControl.Status.NOT_APPLICABLE)
    return queryset.filter(late) if value else queryset.exclude(late)


CONTROL_WRITES = (
    "identifier",
    "title",
    "description",
    "category",
    "owner",
    "services",
    "cis",
    "risks",
    "status",
    "justification",
    "evidence",
    "last_reviewed",
    "review_interval_months",
)


class SecurityControlResource(Resource):
    model = SecurityControl
    area = "security"
    fields = (*CONTROL_WRITES, "next_review", "review_overdue")
    computed = ("review_overdue",)
    staff = Access(create=CONTROL_WRITES)
    filters = ("identifier", "category", "owner", "status", "services", "cis", "risks", "next_review")
    extra_filters = {
        "review_overdue": django_filters.BooleanFilter(
            method=_control_overdue,
            label=_("review overdue"),
            help_text=_("true: controls that apply and are not reviewed on time."),
        )
    }
    list_filters = ("status", "category", "owner")
    search = ("identifier", "title", "description", "evidence")
    orderings = ("identifier", "title", "category", "status", "next_review")
    ordering = ("identifier",)
    columns = ("identifier", "title", "category", "status", "owner", "next_review")


ASSESSMENT_WRITES = (
    "date",
    "scope",
    "services",
    "assessor",
    "method",
    "result_summary",
    "next_due",
    "risks",
    "controls",
)


class SecurityRiskAssessmentResource(Resource):
    model = SecurityRiskAssessment
    area = "security"
    fields = ("reference", *ASSESSMENT_WRITES)
    staff = Access(create=ASSESSMENT_WRITES)
    filters = ("reference", "date", "assessor", "services", "risks", "controls", "next_due")
    list_filters = ("assessor", "services")
    search = ("reference", "scope", "method", "result_summary")
    orderings = ("date", "reference", "next_due")
    ordering = ("-date", "-id")
    columns = ("reference", "date", "assessor", "next_due")


LINK_WRITES = ("controls", "risks", "reviewed_by", "reviewed_on", "review_notes")


def _reviewed(queryset, name: str, value: bool):
    if value is None:
        return queryset
    return queryset.filter(reviewed_on__isnull=not value)


class SecurityIncidentLinkResource(Resource):
    model = SecurityIncidentLink
    area = "security"
    fields = ("incident", *LINK_WRITES)
    staff = Access(create=("incident", *LINK_WRITES), update=LINK_WRITES)
    filters = ("incident", "controls", "risks", "reviewed_by")
    extra_filters = {
        "reviewed": django_filters.BooleanFilter(
            method=_reviewed, label=_("reviewed"), help_text=_("true: the incident's review is recorded.")
        )
    }
    list_filters = ("reviewed_by",)
    search = ("incident__reference", "incident__title", "review_notes")
    orderings = ("incident", "reviewed_on")
    ordering = ("-id",)
    columns = ("incident", "reviewed_by", "reviewed_on")


IMPACT_WRITES = ("impact", "notes", "assessor", "assessed_on", "controls")


class SecurityImpactAssessmentResource(Resource):
    model = SecurityImpactAssessment
    area = "security"
    fields = ("change", *IMPACT_WRITES)
    staff = Access(create=("change", *IMPACT_WRITES), update=IMPACT_WRITES)
    filters = ("change", "impact", "assessor", "controls")
    list_filters = ("impact", "assessor")
    search = ("change__reference", "change__title", "notes")
    orderings = ("assessed_on", "impact", "change")
    ordering = ("-assessed_on", "-id")
    columns = ("change", "impact", "assessor", "assessed_on")


def _grant_overdue(queryset, name: str, value: bool):
    """Grants still in force whose next review has passed (`true`)."""
    if value is None:
        return queryset
    today = timezone.localdate()
    late = Q(revoked=False, next_review__lt=today) & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    return queryset.filter(late) if value else queryset.exclude(late)


GRANT_WRITES = (
    "organization",
    "person",
    "services",
    "cis",
    "information",
    "purpose",
    "granted_by",
    "valid_from",
    "valid_to",
    "last_reviewed",
    "review_interval_months",
    "revoked",
    "revoked_on",
)


class AccessGrantResource(Resource):
    model = AccessGrant
    area = "security"
    fields = ("reference", *GRANT_WRITES, "next_review", "review_overdue")
    computed = ("review_overdue",)
    staff = Access(create=GRANT_WRITES)
    filters = (
        "reference",
        "organization",
        "person",
        "services",
        "cis",
        "granted_by",
        "revoked",
        "next_review",
    )
    extra_filters = {
        "review_overdue": django_filters.BooleanFilter(
            method=_grant_overdue,
            label=_("review overdue"),
            help_text=_("true: access in force whose review date has passed."),
        )
    }
    list_filters = ("organization", "revoked")
    search = ("reference", "information", "purpose", "organization__name", "person__name")
    orderings = ("reference", "valid_from", "valid_to", "next_review")
    ordering = ("reference",)
    columns = ("reference", "organization", "person", "valid_to", "next_review", "revoked")
