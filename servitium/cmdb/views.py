"""UI: configuration items (generic list/detail/form; the detail shows the CI's relationships both ways,
its impact summary and the panels other processes contribute, e.g. its changes), CI types and CI
relationships."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from servitium.core import forms as record_forms
from servitium.core import permissions
from servitium.core import views as generic
from servitium.core.services import audience

from . import control, selectors, services
from .models import CIRelationship, CIType, ConfigurationItem
from .views_control import map_context

IMPACT_SHOWN = 25


class CIViews:
    """URL names of CIs are `cmdb:ci_*` (the model's own name is long)."""

    def url_name(self, suffix: str) -> str:
        return f"cmdb:ci_{suffix}"


class CIList(CIViews, generic.RecordListView):
    model = ConfigurationItem
    template_name = "cmdb/ci_list.html"

    def base_queryset(self):
        return ConfigurationItem.objects.select_related("ci_type", "service", "owner")


class CIDetail(CIViews, generic.RecordDetailView):
    model = ConfigurationItem
    template_name = "cmdb/ci_detail.html"

    def detail_fields(self) -> list[str]:
        shown = super().detail_fields()
        if permissions.is_customer_user(self.request.user):
            # The definitive library is the provider's own: a customer is not told which copies exist.
            shown = [n for n in shown if n != "master_copies"]
        return shown

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


def _https(field, **kwargs):
    if field.name == "documentation_url":
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class CoveredEdit(record_forms.RecordForm):
    """A CI edit that may name the approved change covering it. The change is not a field of the CI (the
    form's fields are what the declaration lets the user write): it is the authority for the write, checked
    by the services (cmdb.control), offered from the installed change process's approved changes."""

    CHANGE = "change"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.change_field = forms.ModelChoiceField(
            queryset=control.approved_changes(),
            required=False,
            label=_("Change"),
            help_text=_("For a CI under change control: the approved change that covers this edit."),
        )
        self.change_field.widget.attrs["class"] = "form-select"
        self.change = forms.BoundField(self, self.change_field, self.CHANGE)

    def restrict_changes(self, user: Any) -> None:
        self.change_field.queryset = permissions.restrict(self.change_field.queryset, user)

    def clean(self):
        cleaned = super().clean()
        raw = self.data.get(self.add_prefix(self.CHANGE)) if self.is_bound else None
        try:
            cleaned[self.CHANGE] = self.change_field.clean(raw)
        except ValidationError as exc:
            self.add_error(None, [f"{self.change_field.label}: {m}" for m in exc.messages])
        return cleaned


_FORMS: dict[tuple[str | None, bool], type[forms.ModelForm]] = {}


class CIForm(CIViews, generic.RecordFormView):
    model = ConfigurationItem
    template_name = "cmdb/ci_form.html"
    create_service = staticmethod(services.ci_create)
    update_service = staticmethod(services.ci_update)

    def get_form_class(self, creating: bool) -> type[forms.ModelForm]:
        """The declaration's form (documentation links default to https); an edit may name its change."""
        key = (audience(self.request.user), creating)
        found = _FORMS.get(key)
        if found is None:
            names = record_forms.form_fields(self.resource(), self.request.user, creating)
            base = record_forms.RecordForm if creating or control.process() is None else CoveredEdit
            found = _FORMS[key] = forms.modelform_factory(
                ConfigurationItem, form=base, fields=names, formfield_callback=_https
            )
        return found

    def make_form(self, instance=None, data=None):
        form = super().make_form(instance, data)
        if isinstance(form, CoveredEdit):
            form.restrict_changes(self.request.user)
        return form


class CITypeList(generic.RecordListView):
    model = CIType


class CITypeDetail(generic.RecordDetailView):
    model = CIType


class CITypeForm(generic.RecordFormView):
    model = CIType
    update_service = staticmethod(services.ci_type_update)


class CIRelationshipList(generic.RecordListView):
    model = CIRelationship

    def base_queryset(self):
        return CIRelationship.objects.select_related("source", "target")


class CIRelationshipDetail(generic.RecordDetailView):
    model = CIRelationship

    def base_queryset(self):
        return CIRelationship.objects.select_related("source", "target")


class CIRelationshipForm(generic.RecordFormView):
    """Relate two CIs; from a CI's page the source is filled in (`?source=<id>`)."""

    model = CIRelationship
    create_service = staticmethod(services.relationship_create)
    update_service = staticmethod(services.relationship_update)
