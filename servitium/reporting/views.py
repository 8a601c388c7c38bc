"""Pages of service reporting, and the assurance home page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import views as generic
from servitium.core.errors import ApplicationError
from servitium.core.panels import LIST, panels
from servitium.core.reportsections import ITEMS

from . import api, document, selectors, services
from .models import ReportAction, ReportDefinition, ServiceReport

HOME_RECORD_TYPE = "assurance.home"
AREAS = ("reporting", "availability", "capacity", "finance", "security")


class Home(generic.LoginRequiredMixin, generic.View):
    """Service assurance: a tile per area (reporting, availability and continuity, capacity, finance,
    security), registered by each app (core.panels); each tile reads through the permission path."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if permissions.is_customer_user(user):
            # Customers have one thing here: their organization's issued service reports.
            return redirect("reporting:servicereport_list")
        if not any(permissions.area_allows(user, area, permissions.VIEW) for area in AREAS):
            raise Http404(_("No such page."))
        return render(
            request, "reporting/home.html", {"panels": panels(HOME_RECORD_TYPE, None, user, page=LIST)}
        )


# --- report definitions, reports and the actions on them ----------------------------------------------------


class DefinitionList(generic.RecordListView):
    model = ReportDefinition

    def base_queryset(self):
        return ReportDefinition.objects.select_related("customer", "owner")


class DefinitionDetail(generic.RecordDetailView):
    """A definition with the content items it covers (and those nothing covers), its reports, and the
    owner's generate-now form."""

    model = ReportDefinition
    template_name = "reporting/reportdefinition_detail.html"

    def base_queryset(self):
        return ReportDefinition.objects.select_related("customer", "owner")

    def context(self, obj):
        context = super().context(obj)
        coverage = document.item_coverage(obj.sections)
        user = self.request.user
        context.update(
            {
                "covered": [ITEMS[k] for k in coverage["covered"]],
                "missing": [ITEMS[k] for k in coverage["missing"]],
                "missing_required": [ITEMS[k] for k in coverage["missing_required"]],
                "reports": selectors.reports(user).filter(definition=obj)[:36],
                "missed": selectors.missed_periods(obj),
                "can_generate": context["can_change"]
                and permissions.has_permission(user, permissions.ADD, ServiceReport),
                "last_month": (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m"),
            }
        )
        return context

    def post(self, request, pk):
        if request.POST.get("action") != "generate":
            return super().post(request, pk)
        obj = self.get_object(pk)
        if not permissions.can(request.user, permissions.CHANGE, obj) or not permissions.has_permission(
            request.user, permissions.ADD, ServiceReport
        ):
            raise PermissionDenied(_("You may not do this."))
        try:
            start = services.parse_month(request.POST.get("period", ""))
            report = services.report_generate(
                actor=request.user,
                definition=obj,
                period_start=start,
                regenerate=request.POST.get("regenerate") == "1",
            )
            messages.success(request, _("Report %(ref)s is ready.") % {"ref": report.reference})
            return redirect(report.get_absolute_url())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect(obj.get_absolute_url())


class DefinitionForm(generic.RecordFormView):
    model = ReportDefinition
    create_service = staticmethod(services.definition_create)
    update_service = staticmethod(services.definition_update)


class ReportList(generic.RecordListView):
    model = ServiceReport

    def base_queryset(self):
        return ServiceReport.objects.select_related("definition", "customer")


class ReportDetail(generic.RecordDetailView):
    """The frozen report itself, its PDF, and the decisions and actions taken on it."""

    model = ServiceReport
    template_name = "reporting/servicereport_detail.html"
    transition_service = staticmethod(services.report_transition)

    def base_queryset(self):
        return ServiceReport.objects.select_related("definition", "customer")

    def context(self, obj):
        context = super().context(obj)
        user = self.request.user
        writer = permissions.can(user, permissions.CHANGE, obj)
        context.update(
            {
                "items": selectors.content_items(obj),
                "can_change": False,  # a report is frozen; it moves on only by its transitions
                "can_comment": context["can_comment"] or writer,
                "actions": permissions.restrict(obj.actions.select_related("owner"), user),
                "can_add_action": writer
                and obj.status != ServiceReport.Status.SUPERSEDED
                and permissions.has_permission(user, permissions.ADD, ReportAction),
                "today": dt.date.today(),
            }
        )
        return context


class ReportPdf(generic.RecordMixin, generic.View):
    model = ServiceReport

    def get(self, request, pk):
        report = self.get_object(pk)
        return api.pdf_response(report, request.user)


class ReportPage(generic.RecordMixin, generic.View):
    """The report as a standalone printable page."""

    model = ServiceReport

    def get(self, request, pk):
        report = self.get_object(pk)
        return HttpResponse(document.render_page(report))


class ActionList(generic.RecordListView):
    model = ReportAction

    def base_queryset(self):
        return ReportAction.objects.select_related("report", "owner")


class ActionDetail(generic.RecordDetailView):
    model = ReportAction
    transition_service = staticmethod(services.action_transition)
    transition_fields = ("outcome",)

    def base_queryset(self):
        return ReportAction.objects.select_related("report", "owner")


class ActionForm(generic.RecordFormView):
    model = ReportAction
    create_service = staticmethod(services.action_create)
    update_service = staticmethod(services.action_update)
