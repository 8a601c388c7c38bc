"""UI pages of supplier management."""

from servitium.core import views as generic

from . import services
from .alignment import contract_alignment
from .lifecycle import CONTRACT_WORKFLOW, DISPUTE_WORKFLOW
from .models import CONTENT_ITEMS, Dispute, GovernedProcess, Supplier, SupplierContract


class SupplierList(generic.RecordListView):
    model = Supplier
    columns = ["organization", "manager", "lead_supplier", "criticality", "status"]
    filter_fields = ["criticality", "status"]
    search_fields = ["organization__name", "category"]

    def base_queryset(self):
        return Supplier.objects.select_related("organization", "manager", "lead_supplier__organization")


class SupplierDetail(generic.RecordDetailView):
    model = Supplier
    fields = ["organization", "manager", "lead_supplier", "category", "criticality", "status", "notes"]


class SupplierForm(generic.RecordFormView):
    model = Supplier
    form_fields = ["organization", "manager", "lead_supplier", "category", "criticality", "status", "notes"]


class ContractList(generic.RecordListView):
    model = SupplierContract
    columns = ["reference", "title", "supplier", "status", "next_review_due"]
    filter_fields = ["status", "supplier"]
    search_fields = ["title", "reference"]
    default_sort = "reference"

    def base_queryset(self):
        return SupplierContract.objects.select_related("supplier__organization")


class ContractDetail(generic.RecordDetailView):
    model = SupplierContract
    fields = [
        "reference",
        "supplier",
        "title",
        "services",
        "status",
        "start_date",
        "end_date",
        "review_interval_days",
        "next_review_due",
        *CONTENT_ITEMS,
    ]
    workflow = CONTRACT_WORKFLOW
    transition_service = staticmethod(services.contract_transition)
    template_name = "suppliers/contract_detail.html"

    def context(self, obj):
        context = super().context(obj)
        context["missing"] = obj.missing_items()
        context["misalignments"] = contract_alignment(obj)
        context["targets"] = obj.targets.select_related("service")
        return context


class ContractForm(generic.RecordFormView):
    model = SupplierContract
    form_fields = [
        "supplier",
        "title",
        "services",
        "start_date",
        "end_date",
        "review_interval_days",
        *CONTENT_ITEMS,
    ]
    create_service = staticmethod(services.contract_create)
    update_service = staticmethod(services.contract_update)


class DisputeList(generic.RecordListView):
    model = Dispute
    columns = ["reference", "contract", "raised_on", "status"]
    filter_fields = ["status"]
    search_fields = ["reference", "description"]
    default_sort = "-raised_on"


class DisputeDetail(generic.RecordDetailView):
    model = Dispute
    fields = [
        "reference",
        "contract",
        "raised_on",
        "raised_by",
        "description",
        "status",
        "resolution",
        "resolved_on",
    ]
    workflow = DISPUTE_WORKFLOW
    transition_service = staticmethod(services.dispute_transition)


class DisputeForm(generic.RecordFormView):
    model = Dispute
    form_fields = ["contract", "raised_on", "raised_by", "description", "resolution"]
    create_service = staticmethod(services.dispute_create)
    update_service = staticmethod(services.dispute_update)


class GovernedProcessList(generic.RecordListView):
    model = GovernedProcess
    columns = ["process", "part_operated", "operated_by", "accountable"]
    filter_fields = ["process"]
    search_fields = ["part_operated", "governance"]


class GovernedProcessDetail(generic.RecordDetailView):
    model = GovernedProcess
    fields = ["process", "part_operated", "operated_by", "governance", "accountable", "evidence"]


class GovernedProcessForm(generic.RecordFormView):
    model = GovernedProcess
    form_fields = ["process", "part_operated", "operated_by", "governance", "accountable", "evidence"]
