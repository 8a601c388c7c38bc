"""UI of exit and transfer under /exits/: exit plans (the plan page shows the inventory with done and
overdue items, the exports with their manifest summary and download link, the handovers and disposals, and
what blocks the next step), items, exports, handover and disposal records. Columns, filters, fields and
forms come from resources.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import views as generic
from servitium.core.errors import ApplicationError

from . import selectors, services
from .models import DataExport, DisposalRecord, ExitItem, ExitPlan, HandoverRecord


class PlanList(generic.RecordListView):
    model = ExitPlan

    def base_queryset(self):
        return ExitPlan.objects.select_related("customer", "owner")


class PlanDetail(generic.RecordDetailView):
    model = ExitPlan
    template_name = "exits/exitplan_detail.html"
    transition_service = staticmethod(services.plan_transition)
    transition_fields = ("agreed_on",)
    own_form_transitions = ("agree",)  # names one of the customer's people

    def base_queryset(self):
        return ExitPlan.objects.select_related("customer", "owner", "customer_contact", "agreed_by")

    def context(self, obj):
        from servitium.parties.models import Person

        context = super().context(obj)
        user = self.request.user
        exports = list(
            permissions.restrict(obj.exports.select_related("acknowledged_by"), user).order_by("-created")
        )
        context.update(
            {
                "inventory": selectors.inventory(obj, user),
                "exports": [(e, selectors.manifest_of(e)) for e in exports],
                "handovers": permissions.restrict(
                    obj.handovers.select_related("export", "recipient"), user
                ).prefetch_related("exit_items"),
                "disposals": permissions.restrict(
                    obj.disposals.select_related("disposed_by"), user
                ).prefetch_related("exit_items"),
                "blocked": selectors.blocking(obj) if context["can_change"] else [],
                "customer_people": permissions.restrict(
                    Person.objects.filter(organization_id=obj.customer_id), user
                )
                if context["can_change"] and obj.status == ExitPlan.Status.DRAFT
                else [],
                "can_add": context["can_change"]
                and permissions.has_permission(user, permissions.ADD, ExitItem),
            }
        )
        return context


class PlanForm(generic.RecordFormView):
    model = ExitPlan
    create_service = staticmethod(services.plan_create)
    update_service = staticmethod(services.plan_update)


class ItemList(generic.RecordListView):
    model = ExitItem

    def base_queryset(self):
        return ExitItem.objects.select_related("plan", "ci", "document", "agreement")


class ItemDetail(generic.RecordDetailView):
    model = ExitItem
    template_name = "exits/exititem_detail.html"

    def base_queryset(self):
        return ExitItem.objects.select_related("plan", "ci", "document", "agreement", "done_by")

    def post(self, request, pk):
        if request.POST.get("action") != "complete":
            return super().post(request, pk)
        obj = self.get_object(pk)
        if not permissions.can(request.user, permissions.CHANGE, obj):
            raise PermissionDenied(_("You may not do this."))
        try:
            services.item_complete(actor=request.user, instance=obj, note=request.POST.get("note", "")[:5000])
            messages.success(request, _("Marked done."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect(obj.get_absolute_url())


class ItemForm(generic.RecordFormView):
    model = ExitItem
    create_service = staticmethod(services.item_create)
    update_service = staticmethod(services.item_update)


class ExportList(generic.RecordListView):
    model = DataExport

    def base_queryset(self):
        return DataExport.objects.select_related("customer", "plan")


class ExportDetail(generic.RecordDetailView):
    model = DataExport
    template_name = "exits/dataexport_detail.html"
    transition_service = staticmethod(services.export_transition)

    def base_queryset(self):
        return DataExport.objects.select_related("customer", "plan", "requested_by", "acknowledged_by")

    def context(self, obj):
        context = super().context(obj)
        context["manifest"] = selectors.manifest_of(obj)
        return context


class ExportForm(generic.RecordFormView):
    model = DataExport
    create_service = staticmethod(services.export_request)


class HandoverList(generic.RecordListView):
    model = HandoverRecord

    def base_queryset(self):
        return HandoverRecord.objects.select_related("plan", "export", "recipient")


class HandoverDetail(generic.RecordDetailView):
    model = HandoverRecord

    def base_queryset(self):
        return HandoverRecord.objects.select_related("plan", "export", "recipient")


class HandoverForm(generic.RecordFormView):
    model = HandoverRecord
    create_service = staticmethod(services.handover_create)
    update_service = staticmethod(services.handover_update)


class DisposalList(generic.RecordListView):
    model = DisposalRecord

    def base_queryset(self):
        return DisposalRecord.objects.select_related("plan")


class DisposalDetail(generic.RecordDetailView):
    model = DisposalRecord

    def base_queryset(self):
        return DisposalRecord.objects.select_related("plan", "disposed_by")


class DisposalForm(generic.RecordFormView):
    model = DisposalRecord
    create_service = staticmethod(services.disposal_create)
    update_service = staticmethod(services.disposal_update)
