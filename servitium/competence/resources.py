"""What the competence records and the service budgets show, who may write which field, and how their
lists filter. All are the provider's own management-system records (area `sms`): SMS managers and agents
write them, top management and auditors read them, customers see none."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servitium.core.declaration import Access, Resource

from .models import (
    Competence,
    CompetenceArea,
    CompetenceRequirement,
    PersonCompetence,
    ResourceBudget,
    TrainingRecord,
)


class CompetenceAreaResource(Resource):
    model = CompetenceArea
    area = "sms"
    fields = ("name", "description")
    staff = Access(create=fields)
    search = ("name", "description")
    orderings = ("name",)
    ordering = ("name",)
    columns = ("name", "description")


class CompetenceResource(Resource):
    model = Competence
    area = "sms"
    fields = ("area", "name", "description")
    staff = Access(create=fields)
    filters = ("area",)
    list_filters = ("area",)
    search = ("name", "description")
    orderings = ("name", "area")
    ordering = ("name",)
    columns = ("name", "area", "description")


class CompetenceRequirementResource(Resource):
    model = CompetenceRequirement
    area = "sms"
    fields = ("job_title", "team", "competence", "required_level", "notes")
    staff = Access(create=fields)
    filters = ("job_title", "team", "competence", "required_level")
    list_filters = ("team", "competence", "required_level")
    search = ("job_title", "competence__name", "notes")
    orderings = ("job_title", "team", "competence", "required_level")
    ordering = ("job_title", "team", "competence")
    columns = ("job_title", "team", "competence", "required_level")


class PersonCompetenceResource(Resource):
    model = PersonCompetence
    area = "sms"
    fields = ("person", "competence", "level", "assessed_by", "assessed_on", "evidence")
    staff = Access(create=fields, update=("level", "assessed_by", "assessed_on", "evidence"))
    filters = ("person", "competence", "level", "assessed_by")
    list_filters = ("competence", "level")
    search = ("person__name", "competence__name", "evidence")
    orderings = ("person", "competence", "level", "assessed_on")
    ordering = ("person", "competence")
    columns = ("person", "competence", "level", "assessed_on", "assessed_by")


def _expired(queryset, name: str, value: bool):
    """Records with an expiry date that has passed (`true`), or the others."""
    if value is None:
        return queryset
    expired = Q(expires_on__lt=timezone.localdate())
    return queryset.filter(expired) if value else queryset.exclude(expired)


class TrainingRecordResource(Resource):
    model = TrainingRecord
    area = "sms"
    fields = (
        "person",
        "course",
        "provider",
        "competence",
        "date",
        "hours",
        "result",
        "evidence",
        "expires_on",
        "effectiveness",
    )
    staff = Access(create=fields)
    filters = ("person", "competence", "result", "date", "expires_on")
    extra_filters = {
        "expired": django_filters.BooleanFilter(
            method=_expired, label=_("expired"), help_text=_("true: the expiry date has passed.")
        )
    }
    list_filters = ("result", "competence")
    search = ("course", "provider", "person__name", "evidence")
    orderings = ("date", "person", "course", "expires_on", "result")
    ordering = ("-date", "-id")
    columns = ("person", "course", "competence", "date", "result", "expires_on")


class ResourceBudgetResource(Resource):
    model = ResourceBudget
    area = "sms"
    fields = ("service", "year", "budget", "actual", "notes")
    staff = Access(create=fields, update=("budget", "actual", "notes"))
    filters = ("service", "year")
    list_filters = ("service",)
    search = ("service__name", "notes")
    orderings = ("year", "service", "budget", "actual")
    ordering = ("-year", "service")
    columns = ("service", "year", "budget", "actual")
