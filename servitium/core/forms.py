"""UI forms made from the declarations: a record's form holds exactly the fields the user's audience may
write in this step, related choices come through the one permission path, and a posted field the user may
not write is refused by name (as the API refuses it), never silently dropped."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from . import permissions, tenancy
from .declaration import Resource, tenant_model
from .nul import find_nul, nul_message
from .services import audience

_FORMS: dict[tuple[type[Resource], str | None, bool], type[forms.ModelForm]] = {}


class UtcTimes:
    """A form mixin: every date and time given with an offset is taken in UTC. PostgreSQL reads offsets up
    to 15:59 only, Python's up to 23:59 (`2026-03-01T10:00+18:30` would fail the query); a time that has
    no UTC equivalent (year 1 just after midnight at +01:00) is an error on its field."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, dt.datetime) and value.utcoffset() is not None:
                try:
                    cleaned[name] = value.astimezone(dt.UTC)
                except OverflowError:
                    self.add_error(name, _("Give a date and time from year 1 to 9999 in UTC."))
        return cleaned


class RecordForm(UtcTimes, forms.ModelForm):
    """The base of every record form: a NUL character (\\x00) in any value, also inside a JSON value, is
    an error on its field (PostgreSQL stores none; see core.nul), as the API and the model refuse it; times
    are taken in UTC (UtcTimes)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            where = find_nul(value, name)
            if where is not None:
                self.add_error(name, nul_message(where))
        return cleaned


def nul_fields(posted: Any) -> list[str]:
    """The names of posted values that hold a NUL character (for pages that read a post without a form)."""
    return sorted(name for name in posted if find_nul([*posted.getlist(name), name]) is not None)


def form_fields(resource: type[Resource], user: Any, creating: bool) -> list[str]:
    """The model fields a form shows this user: what the audience may write, editable by forms."""
    access = resource.access(audience(user)) or resource.staff
    asked = access.create_form if creating and access.create_form is not None else access.writes(creating)
    names = []
    for name in asked:
        field = resource.model_field(name)
        if field is not None and field.editable and name != resource.status:
            names.append(name)
    return names


def form_class(resource: type[Resource], user: Any, creating: bool) -> type[forms.ModelForm]:
    """The ModelForm of a declared record type for this user's audience and step (built once)."""
    who = audience(user)
    key = (resource, who, creating)
    found = _FORMS.get(key)
    if found is None:
        found = _FORMS[key] = forms.modelform_factory(
            resource.model, form=RecordForm, fields=form_fields(resource, user, creating)
        )
    return found


def prepare(form: forms.Form, resource: type[Resource] | None, user: Any, creating: bool) -> forms.Form:
    """Restrict related choices, mark the audience's required fields, and style the widgets."""
    access = resource.access(audience(user)) if resource is not None else None
    organization = tenancy.customer_organization(user)
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelChoiceField):
            # Related choices obey the same permission path as everything else.
            field.queryset = permissions.restrict(field.queryset, user)
            if organization is not None and field.queryset.model is tenant_model():
                # A customer acts for its own organization: nothing to choose, nothing to show.
                many = isinstance(field, forms.ModelMultipleChoiceField)
                field.initial = [organization] if many else organization
                field.widget = forms.MultipleHiddenInput() if many else forms.HiddenInput()
        if creating and access is not None and access.required is not None:
            field.required = name in access.required
        widget = field.widget
        css = "form-select" if isinstance(widget, forms.Select | forms.SelectMultiple) else "form-control"
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        widget.attrs.setdefault("class", css)
    return form


def refused_fields(resource: type[Resource], form: forms.Form, posted: Any) -> list[str]:
    """Declared fields of the record that were posted but are not the user's to write here."""
    known = {*resource.fields, *(resource.status and (resource.status,) or ())}
    return sorted(name for name in posted if name in known and name not in form.fields)


def refuse(form: forms.Form, names: list[str]) -> None:
    for name in names:
        form.add_error(None, _("You may not set the field %(name)s.") % {"name": name})


def given_values(form: forms.ModelForm) -> dict[str, Any]:
    """The cleaned values the user actually gave: a field left out of the post (an API-style partial
    form, a browser that omits an untouched select) keeps the model's default instead of becoming
    empty, as Django's own ModelForm saving does."""
    values = {}
    opts = form.instance._meta
    for name, value in form.cleaned_data.items():
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:  # a form-only input, such as the change that covers an edit
            values[name] = value
            continue
        omitted = form[name].field.widget.value_omitted_from_data(
            form.data, form.files, form.add_prefix(name)
        )
        if omitted and field.has_default() and value in form[name].field.empty_values:
            continue
        values[name] = value
    return values
