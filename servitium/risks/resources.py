"""What the risk matrix, risks and their actions show, who may write which field, and how their lists filter.

All three are the provider's own management-system records (area `sms`): SMS managers and agents write
them, top management and auditors read them, customers see none. Scores and bands are worked out from the
active matrix, the review flag by the daily job, and the status changes only through transitions; none of
them is input.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servitium.core.declaration import Access, Indexed, Resource

from .lifecycle import ACTION_WORKFLOW, RISK_WORKFLOW
from .models import Risk, RiskAction, RiskMatrix

MATRIX_WRITES = (
    "name",
    "description",
    "likelihood_levels",
    "impact_levels",
    "bands",
    "appetite",
    "acceptance_criteria",
    "approach",
    "review_interval_days",
)


class RiskMatrixResource(Resource):
    """The scoring scheme. It is made active through `activate` (one active at a time), not by a field."""

    model = RiskMatrix
    area = "sms"
    fields = ("name", "active", *MATRIX_WRITES[1:])
    staff = Access(create=MATRIX_WRITES)
    filters = ("active",)
    search = ("name", "description")
    orderings = ("name",)
    ordering = ("name",)
    columns = ("name", "active", "appetite", "review_interval_days")


RISK_WRITES = (
    "kind",
    "category",
    "title",
    "description",
    "cause",
    "consequence",
    "customer_impact",
    "owner",
    "likelihood",
    "impact",
    "treatment_option",
    "acceptance_reason",
    "residual_likelihood",
    "residual_impact",
    "review_date",
    "services",
    "cis",
    "suppliers",
    "changes",
)


class BandFilter(django_filters.ChoiceFilter):
    """The bands of the active matrix, read when a list is filtered (the matrix is configuration). The
    choices are a callable, so that neither the schema nor an import reads the database."""

    def __init__(self, *args, **kwargs) -> None:
        from .selectors import band_choices

        super().__init__(*args, choices=band_choices, **kwargs)

    @property
    def field(self):
        # django-filter's choice field needs the list itself; read it when a form is built.
        if callable(self.extra.get("choices")):
            self.extra["choices"] = self.extra["choices"]()
        return super().field


def _open(queryset, name: str, value: bool):
    if value is None:
        return queryset
    closed = Q(status=Risk.Status.CLOSED)
    return queryset.exclude(closed) if value else queryset.filter(closed)


def _overdue_review(queryset, name: str, value: bool):
    """Open risks whose review date has passed (`true`), or the others (`false`)."""
    if value is None:
        return queryset
    late = queryset.filter(review_date__lt=timezone.localdate()).exclude(status=Risk.Status.CLOSED)
    return late if value else queryset.exclude(pk__in=late.values("pk"))


def _overdue_actions(queryset, name: str, value: bool):
    """Risks with a treatment action past its due date and not done."""
    if value is None:
        return queryset
    late = RiskAction.objects.filter(status__in=RiskAction.OPEN, due_date__lt=timezone.localdate())
    ids = late.values("risk_id")
    return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


class RiskResource(Resource):
    model = Risk
    area = "sms"
    status = "status"
    workflow = RISK_WORKFLOW
    fields = (
        "reference",
        "kind",
        "category",
        "title",
        "description",
        "cause",
        "consequence",
        "customer_impact",
        "owner",
        "likelihood",
        "impact",
        "score",
        "band",
        "treatment_option",
        "acceptance_reason",
        "actions",
        "residual_likelihood",
        "residual_impact",
        "residual_score",
        "residual_band",
        "review_date",
        "last_reviewed",
        "review_overdue",
        "status",
        "closed_at",
        "services",
        "cis",
        "suppliers",
        "changes",
    )
    computed = ("actions",)  # the treatment actions (the API lists their ids; they are written on their own)
    staff = Access(create=RISK_WRITES)
    filters = (
        "kind",
        "category",
        "status",
        "owner",
        "likelihood",
        "impact",
        "residual_likelihood",
        "residual_impact",
        "residual_band",
        "treatment_option",
        "review_overdue",
        "services",
        "cis",
        "suppliers",
        "changes",
        "reference",
    )
    extra_filters = {
        "band": BandFilter(field_name="band", label=_("band"), help_text=_("Name of a score band.")),
        "open": django_filters.BooleanFilter(
            method=_open, label=_("open"), help_text=_("true: risks not closed; false: closed ones.")
        ),
        "overdue_review": django_filters.BooleanFilter(
            method=_overdue_review,
            label=_("review overdue (by date)"),
            help_text=_("true: open risks whose review date has passed."),
        ),
        "overdue_actions": django_filters.BooleanFilter(
            method=_overdue_actions,
            label=_("actions overdue"),
            help_text=_("true: risks with a treatment action past its due date."),
        ),
    }
    list_filters = ("band", "status", "owner", "services", "kind", "review_overdue")
    search = ("reference", "title", "description", "cause", "consequence")
    orderings = ("reference", "title", "score", "residual_score", "status", "review_date", "kind", "category")
    ordering = ("-score", "reference")
    columns = ("reference", "title", "kind", "score", "band", "status", "owner", "review_date")
    indexed = Indexed(title="title", body=("description", "cause", "consequence"))


class RiskActionResource(Resource):
    model = RiskAction
    area = "sms"
    status = "status"
    workflow = ACTION_WORKFLOW
    fields = ("risk", "description", "owner", "due_date", "status", "completed_on", "outcome")
    staff = Access(
        create=("risk", "description", "owner", "due_date", "outcome"),
        update=("description", "owner", "due_date", "outcome"),
    )
    filters = ("risk", "status", "owner", "due_date")
    extra_filters = {
        "due_before": django_filters.DateFilter(
            field_name="due_date", lookup_expr="lt", label=_("due before"), help_text=_("YYYY-MM-DD")
        ),
    }
    list_filters = ("status", "owner")
    search = ("description", "risk__reference", "risk__title")
    orderings = ("due_date", "status", "risk")
    ordering = ("due_date", "id")
    columns = ("risk", "description", "owner", "due_date", "status")
