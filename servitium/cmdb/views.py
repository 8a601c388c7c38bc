"""UI: configuration items (generic list/detail/form; the detail shows the CI's relationships both ways
and its impact summary), CI types and CI relationships."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from servitium.changes.lifecycle import APPROVED, IMPLEMENTING
from servitium.changes.models import Change
from servitium.core import views as generic

from . import selectors, services
from .models import CIRelationship, CIType, ConfigurationItem
from .views_control import map_context

CI_FIELDS = [
    "reference",
    "name",
    "ci_type",
    "status",
    "version",
    "description",
    "owner",
    "location",
    "service",
    "customers",
    "documentation_url",
    "attributes",
]
IMPACT_SHOWN = 25


class CIViews:
    """URL names of CIs are `cmdb:ci_*` (the model's own name is long)."""

    def url_name(self, suffix: str) -> str:
        return f"cmdb:ci_{suffix}"


class CIList(CIViews, generic.RecordListView):
    model = ConfigurationItem
    columns = ["reference", "name", "ci_type", "status", "service", "owner"]
    filter_fields = ["ci_type", "status", "service"]
    search_fields = ["reference", "name"]
    default_sort = "name"
    template_name = "cmdb/ci_list.html"

    def base_queryset(self):
        return ConfigurationItem.objects.select_related("ci_type", "service", "owner")


class CIDetail(CIViews, generic.RecordDetailView):
    model = ConfigurationItem
    fields = CI_FIELDS
    template_name = "cmdb/ci_detail.html"

    def context(self, obj):
        context = super().context(obj)
        user = self.request.user
        outgoing, incoming = selectors.relationships(obj, user)
        impact = selectors.impact(obj, user)
        affected = list(impact.cis[: IMPACT_SHOWN + 1])
        context.update(
            {
                "outgoing": outgoing,
                "incoming": incoming,
                "impact": impact,
                "impact_cis": affected[:IMPACT_SHOWN],
                "impact_more": len(affected) > IMPACT_SHOWN,
                "impact_count": impact.cis.count(),
                "can_relate": context["can_change"] and not context["is_customer"],
                "master_copy_list": [] if context["is_customer"] else obj.master_copies.all(),
                **map_context(obj, user, self.request.GET.get("depth")),
            }
        )
        return context


class CIForm(CIViews, generic.RecordFormView):
    model = ConfigurationItem
    form_fields = [
        "name",
        "ci_type",
        "status",
        "version",
        "description",
        "owner",
        "location",
        "service",
        "customers",
        "documentation_url",
        "attributes",
        "master_copies",
    ]
    create_service = staticmethod(services.ci_create)
    update_service = staticmethod(services.ci_update)

    def form_class(self):
        def formfield(field, **kwargs):
            if field.name == "documentation_url":
                kwargs["assume_scheme"] = "https"
            return field.formfield(**kwargs)

        base = forms.modelform_factory(self.model, fields=self.form_fields, formfield_callback=formfield)

        class WithChange(base):
            # CIs under change control are edited through an approved change that names them (see services).
            change = forms.ModelChoiceField(
                queryset=Change.objects.filter(status__in=(APPROVED, IMPLEMENTING)).order_by("-id"),
                required=False,
                label=_("Change"),
                help_text=_("For a CI under change control: the approved change that covers this edit."),
            )

        return WithChange


class CITypeList(generic.RecordListView):
    model = CIType
    columns = ["name", "description"]
    search_fields = ["name", "description"]
    default_sort = "name"


class CITypeDetail(generic.RecordDetailView):
    model = CIType
    fields = ["name", "description", "attribute_schema"]


class CITypeForm(generic.RecordFormView):
    model = CIType
    form_fields = ["name", "description", "attribute_schema"]
    update_service = staticmethod(services.ci_type_update)


class CIRelationshipDetail(generic.RecordDetailView):
    model = CIRelationship
    fields = ["source", "kind", "target", "description"]

    def base_context(self):
        return {**super().base_context(), "list_url": "cmdb:ci_list"}


class CIRelationshipForm(generic.RecordFormView):
    """Relate two CIs; from a CI's page the source is filled in (`?source=<id>`)."""

    model = CIRelationship
    form_fields = ["source", "kind", "target", "description"]
    create_service = staticmethod(services.relationship_create)

    def base_context(self):
        return {**super().base_context(), "list_url": "cmdb:ci_list"}
