"""Generic UI views: list (filter, sort, paginate, CSV/XLSX export), detail (history, comments, files), edit.

Each app's views.py configures these per model; every queryset goes through `restrict()` and every write
through the app's services, exactly as the API does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views import View

__all__ = ["LoginRequiredMixin", "View"]

from . import exports, history, permissions, tenancy
from . import forms as record_forms
from . import services as core_services
from .declaration import Resource, resource_for
from .errors import ApplicationError
from .filters import filterset_for
from .history import humanize_json
from .models import Attachment, Comment
from .nul import nul_message
from .panels import DETAIL, LIST, panels
from .workflow import Workflow

EXPORT_FORMATS = ("csv", "xlsx")  # ?export= on every list page


def display_value(obj: models.Model, name: str, user: Any = None) -> Any:
    """A field's value as people read it: choice labels, related names, lists for many-to-many. A customer
    user is shown only its own organization where the value names organizations."""
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(str(o) for o in tenancy.visible_related(obj, name, user))
    if getattr(field, "choices", None):
        return getattr(obj, f"get_{name}_display")()
    value = tenancy.visible_one(obj, name, user) if field.is_relation else getattr(obj, name)
    if isinstance(field, models.JSONField):
        return humanize_json(value)
    return "" if value is None else value


class RecordMixin(LoginRequiredMixin):
    model: ClassVar[type[models.Model]]
    app_label: ClassVar[str] = ""

    @classmethod
    def resource(cls) -> type[Resource]:
        """The record type's declaration: columns, filters, fields, forms and lifecycle come from it."""
        return resource_for(cls.model)

    def base_queryset(self):
        return self.model._default_manager.all()

    def visible(self, action: str = permissions.VIEW):
        return permissions.restrict(self.base_queryset(), self.request.user, action)

    def get_object(self, pk: int) -> models.Model:
        obj = self.visible().filter(pk=pk).first()
        if obj is None:
            raise Http404(_("No such record."))
        return obj

    def url_name(self, suffix: str) -> str:
        return f"{self.model._meta.app_label}:{self.model._meta.model_name}_{suffix}"

    def base_context(self) -> dict[str, Any]:
        meta = self.model._meta
        user = self.request.user
        return {
            "meta": meta,
            "verbose_name": meta.verbose_name,
            "verbose_name_plural": meta.verbose_name_plural,
            "list_url": self.url_name("list"),
            "create_url": self.url_name("create"),
            "can_add": permissions.has_permission(user, permissions.ADD, self.model),
        }


@dataclass
class Listing:
    """A list page's rows and how they were chosen."""

    queryset: models.QuerySet
    search: str
    active: dict[str, str]  # filter name -> value
    ordering: str
    orderable: set[str]
    errors: list[str]


class RecordListView(RecordMixin, View):
    """A list page: the declaration's FilterSet (the API's: same parameters, `search`, `ordering`), its
    columns, paging, and the same rows as CSV or XLSX."""

    paginator_class: ClassVar[type[Paginator]] = Paginator
    template_name = "core/record_list.html"
    table_template: ClassVar[str] = "core/_record_table.html"  # the rows (also what htmx swaps in)
    page_size: ClassVar[int] = 25

    def decorate_rows(self, rows: list[dict[str, Any]]) -> None:
        """Add what a list shows besides its declared columns to the page's rows (read in bulk, one query
        per page, never per row); the list's `table_template` shows it."""

    def list_columns(self) -> list[str]:
        return list(self.resource().list_columns())

    def column_headers(self, orderable: set[str]) -> list[dict[str, Any]]:
        return [
            {"name": c, "label": self.model._meta.get_field(c).verbose_name, "sortable": c in orderable}
            for c in self.list_columns()
        ]

    def filtered(self, request: HttpRequest) -> Listing:
        resource = self.resource()
        filterset = filterset_for(resource)(request.GET, queryset=self.visible(), request=request)
        errors: list[str] = []
        if filterset.is_valid():
            queryset = filterset.qs
        else:
            queryset = filterset.queryset.none()
            for name, messages_ in filterset.errors.items():
                errors.extend(f"{name}: {m}" for m in messages_)
        active = {n: request.GET.get(n, "") for n in resource.list_filters if request.GET.get(n)}
        orderable = {value for value, _label in filterset.filters["ordering"].field.choices if value}
        self._filterset = filterset
        search, ordering = request.GET.get("search", "").strip(), request.GET.get("ordering", "")
        return Listing(queryset, search, active, ordering, orderable, errors)

    def filter_options(self, active: dict[str, str]) -> list[dict[str, Any]]:
        resource = self.resource()
        form = self._filterset.form
        options = []
        for name in resource.list_filters:
            field = form.fields[name]
            model_field = resource.model_field(name)
            queryset = getattr(field, "queryset", None)
            if queryset is not None:
                choices = [(str(o.pk), str(o)) for o in queryset[:200]]
            else:
                offered = getattr(field, "choices", None) or getattr(field.widget, "choices", ())
                choices = [(str(k), str(v)) for k, v in offered if k not in ("", None, "unknown")]
            if len(choices) < 2 and name not in active:
                continue  # nothing to choose between (a customer's "customers: only you")
            label = model_field.verbose_name if model_field is not None else field.label
            options.append({"name": name, "label": label, "choices": choices, "value": active.get(name, "")})
        return options

    def get(self, request: HttpRequest) -> HttpResponse:
        listing = self.filtered(request)
        if request.GET.get("export") in EXPORT_FORMATS and not listing.errors:
            return self.export(listing.queryset, request.GET["export"])
        page = self.paginator_class(listing.queryset, self.page_size).get_page(request.GET.get("page"))
        columns = self.list_columns()
        linked = {columns[0], "name", "title"}
        user = request.user
        rows = [
            {"obj": obj, "cells": [(display_value(obj, c, user), c in linked) for c in columns]}
            for obj in page.object_list
        ]
        self.decorate_rows(rows)
        params = request.GET.copy()
        params.pop("page", None)
        context = {
            **self.base_context(),
            "columns": self.column_headers(listing.orderable),
            "rows": rows,
            "page": page,
            "query": listing.search,
            "filters": self.filter_options(listing.active),
            "sort": listing.ordering,
            "errors": listing.errors,
            "querystring": params.urlencode(),
            "panels": panels(self.model.object_type(), None, user, page=LIST),
            "table_template": self.table_template,
        }
        template = (
            self.table_template
            if getattr(request, "htmx", False) and not request.htmx.boosted
            else self.template_name
        )
        return render(request, template, context, status=400 if listing.errors else 200)

    def export_rows(self, queryset) -> tuple[list[str], Iterator[list[Any]]]:
        """The header and the rows every export format writes: the id, then the list's columns, values as
        `display_value` gives them (numbers and dates still typed; the writer formats them)."""
        names = ["id", *[c for c in self.list_columns() if c != "id"]]
        user = self.request.user

        def rows() -> Iterator[list[Any]]:
            for obj in queryset.iterator(chunk_size=500) if not self.needs_prefetch() else queryset:
                yield [display_value(obj, n, user) for n in names]

        return [str(self.model._meta.get_field(n).verbose_name) for n in names], rows()

    def export(self, queryset, kind: str) -> HttpResponse:
        header, rows = self.export_rows(queryset)
        filename = f"{self.model._meta.model_name}s"
        if kind == "xlsx":
            return exports.xlsx_response(
                filename, capfirst(self.model._meta.verbose_name_plural), header, rows
            )
        return exports.csv_response(filename, header, rows)

    def needs_prefetch(self) -> bool:
        return any(self.model._meta.get_field(n).many_to_many for n in self.list_columns())


# A step's choice of a related record lists at most this many (beyond it the field's own form is the way).
STEP_CHOICES = 500


def transition_form(obj: models.Model, step: Any, user: Any = None) -> dict[str, Any]:
    """What the detail page shows for a step that needs input: its name and label, and per needed field
    the label, the kind of input (text, long text, date, yes/no, a choice) and the value stored so far."""
    fields = []
    for name in step.needs:
        field = obj._meta.get_field(name)
        choices: list = []
        if field.many_to_one:
            # The records this user may see, within the field's own limits.
            related = field.related_model.objects.complex_filter(field.get_limit_choices_to())
            kind = "select"
            choices = [(o.pk, str(o)) for o in permissions.restrict(related, user)[:STEP_CHOICES]]
            value = getattr(obj, field.attname)
            fields.append(
                {"name": name, "label": field.verbose_name, "kind": kind, "value": value, "choices": choices}
            )
            continue
        if field.choices:
            kind, choices = "select", list(field.choices)
        elif isinstance(field, models.BooleanField):
            kind = "bool"
        elif isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
            kind = "date"
        elif isinstance(field, models.TextField):
            kind = "textarea"
        else:
            kind = "text"
        value = getattr(obj, name, "")
        fields.append(
            {"name": name, "label": field.verbose_name, "kind": kind, "value": value, "choices": choices}
        )
    return {"name": step.name, "label": step.label, "fields": fields}


class RecordDetailView(RecordMixin, View):
    """A record's page: its declared fields, transitions the user may apply, comments, files, history,
    and the panels other apps contribute (core.panels)."""

    template_name = "core/record_detail.html"
    # POST fields handed to the transition service besides the ones a transition `needs` (optional inputs)
    transition_fields: ClassVar[tuple[str, ...]] = ()
    transition_service: ClassVar[Callable[..., Any] | None] = None
    # Transitions the page's own template offers in a form of its own (kept out of the generic ones)
    own_form_transitions: ClassVar[tuple[str, ...]] = ()

    def detail_fields(self) -> list[str]:
        resource = self.resource()
        shown = []
        for name in resource.fields:
            field = resource.model_field(name)
            hidden = (
                name in resource.computed or name in resource.write_only or name in resource.detail_hidden
            )
            if field is not None and not hidden and (field.concrete or field.many_to_many):
                shown.append(name)
        return shown

    def lifecycle(self) -> tuple[Workflow | None, str]:
        resource = self.resource()
        return resource.workflow, resource.status or "status"

    def context(self, obj: models.Model) -> dict[str, Any]:
        user = self.request.user
        ct = ContentType.objects.get_for_model(obj)
        comments = permissions.restrict(Comment.objects.select_related("author"), user).filter(
            target_type=ct, object_id=obj.pk
        )
        attachments = permissions.restrict(Attachment.objects.all(), user).filter(
            target_type=ct, object_id=obj.pk
        )
        workflow, state_field = self.lifecycle()
        allowed = []
        if workflow is not None:
            allowed = [
                t
                for t in workflow.available(obj, getattr(obj, state_field))
                if permissions.can(user, t.action, obj)
            ]
        generic = [t for t in allowed if t.name not in self.own_form_transitions]
        details = []
        for name in self.detail_fields():
            field = obj._meta.get_field(name)
            value = display_value(obj, name, user)
            link = ""
            if field.is_relation and not field.many_to_many:
                related = tenancy.visible_one(obj, name, user)
                # A link only to a page the user may open: a customer reads its report, not its definition.
                if hasattr(related, "get_absolute_url") and permissions.can(user, permissions.VIEW, related):
                    link = related.get_absolute_url()
            details.append({"label": field.verbose_name, "value": value, "link": link})
        return {
            **self.base_context(),
            "object": obj,
            "details": details,
            "history": history.record_history(obj, user, limit=100),
            "comments": comments,
            "attachments": attachments,
            "allowed_transitions": allowed,
            # A step that needs no input is a button; one that does is a small form with its fields.
            "transitions": [t for t in generic if not t.needs],
            "step_forms": [transition_form(obj, t, user) for t in generic if t.needs],
            "object_type": f"{ct.app_label}.{ct.model}",
            "can_change": permissions.can(user, permissions.CHANGE, obj),
            "can_comment": permissions.is_customer_user(user)
            or permissions.can(user, permissions.CHANGE, obj),
            "edit_url": self.url_name("edit"),
            "is_customer": permissions.is_customer_user(user),
            "panels": panels(obj.object_type(), obj, user, page=DETAIL),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, self.template_name, self.context(self.get_object(pk)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Comment, upload or transition from the detail page."""
        obj = self.get_object(pk)
        object_type = f"{obj._meta.app_label}.{obj._meta.model_name}"
        refused = record_forms.nul_fields(request.POST)
        if refused:
            messages.error(request, " ".join(nul_message(name) for name in refused))
            return redirect(obj.get_absolute_url())
        try:
            if "comment" in request.POST:
                core_services.comment_create(
                    actor=request.user,
                    object_type=object_type,
                    object_id=obj.pk,
                    body=request.POST.get("body", ""),
                    visibility=request.POST.get("visibility", Comment.Visibility.INTERNAL),
                )
                messages.success(request, _("Comment added."))
            elif "upload" in request.POST and request.FILES.get("file"):
                core_services.attachment_create(
                    actor=request.user,
                    object_type=object_type,
                    object_id=obj.pk,
                    upload=request.FILES["file"],
                )
                messages.success(request, _("File attached."))
            elif "transition" in request.POST and self.lifecycle()[0] is not None:
                name = request.POST["transition"]
                step = self.lifecycle()[0].get(name)
                if not permissions.can(request.user, step.action, obj):
                    raise PermissionDenied(_("You may not do this."))
                wanted = (*step.needs, *self.transition_fields)
                data = {f: request.POST[f] for f in wanted if request.POST.get(f, "") != ""}
                type(self).transition_service(
                    actor=request.user,
                    instance=obj,
                    transition=name,
                    note=request.POST.get("note", ""),
                    data=data,
                )
                messages.success(request, _("Done: %(label)s.") % {"label": step.label})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect(obj.get_absolute_url())


class RecordFormView(RecordMixin, View):
    """Create and edit pages: the declaration's form for the user's audience, written through the app's
    services (or the generic audited ones)."""

    template_name = "core/record_form.html"
    create_service: ClassVar[Callable[..., Any] | None] = None
    update_service: ClassVar[Callable[..., Any] | None] = None

    def get_form_class(self, creating: bool) -> type[forms.ModelForm]:
        """The declaration's form for this user and step."""
        return record_forms.form_class(self.resource(), self.request.user, creating)

    def make_form(self, instance=None, data=None) -> forms.ModelForm:
        creating = instance is None
        form_class = self.get_form_class(creating)
        # A new record can be pre-filled from the query string (?agreement=12 from the agreement's page).
        initial = None
        if creating:
            initial = {k: v for k, v in self.request.GET.items() if k in form_class.base_fields}
        form = form_class(data=data, instance=instance, initial=initial)
        return record_forms.prepare(form, self.resource(), self.request.user, creating)

    def instance(self, pk: int | None):
        if pk is None:
            if not permissions.has_permission(self.request.user, permissions.ADD, self.model):
                raise Http404(_("No such page."))
            return None
        obj = self.get_object(pk)
        if not permissions.can(self.request.user, permissions.CHANGE, obj):
            raise Http404(_("No such page."))
        return obj

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        instance = self.instance(pk)
        return render(
            request,
            self.template_name,
            {**self.base_context(), "form": self.make_form(instance), "object": instance},
        )

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        instance = self.instance(pk)
        form = self.make_form(instance, request.POST)
        refused = record_forms.refused_fields(self.resource(), form, request.POST)
        if refused:
            form.is_valid()
            record_forms.refuse(form, refused)
        elif form.is_valid():
            m2m_names = {f.name for f in self.model._meta.many_to_many}
            given = record_forms.given_values(form)
            data = {k: v for k, v in given.items() if k not in m2m_names}
            m2m = {k: v for k, v in given.items() if k in m2m_names}
            try:
                with transaction.atomic():
                    if instance is None:
                        service = type(self).create_service
                        obj = (
                            service(actor=request.user, data=data, m2m=m2m)
                            if service
                            else core_services.record_create(
                                model=self.model, data=data, actor=request.user, m2m=m2m
                            )
                        )
                    else:
                        # The form mutated `instance`: reload so the service sees the stored "before" state.
                        stored = self.model._default_manager.get(pk=instance.pk)
                        service = type(self).update_service
                        obj = (
                            service(actor=request.user, instance=stored, data=data, m2m=m2m)
                            if service
                            else core_services.record_update(
                                instance=stored, data=data, actor=request.user, m2m=m2m
                            )
                        )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Saved."))
                return redirect(obj.get_absolute_url())
        return render(
            request, self.template_name, {**self.base_context(), "form": form, "object": instance}, status=400
        )
