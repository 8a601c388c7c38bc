"""UI pages of supplier management (columns, filters, fields and forms from resources.py)."""

from servitium.core import views as generic

from . import services
from .alignment import contract_alignment
from .models import Dispute, GovernedProcess, Supplier, SupplierContract


class SupplierList(generic.RecordListView):
    model = Supplier

    def base_queryset(self):
        return Supplier.objects.select_related("organization", "manager", "lead_supplier__organization")


class SupplierDetail(generic.RecordDetailView):
    model = Supplier
    transition_service = staticmethod(services.supplier_transition)

    def base_queryset(self):
        return Supplier.objects.select_related("organization", "manager", "lead_supplier__organization")


class SupplierForm(generic.RecordFormView):
    model = Supplier


class ContractList(generic.RecordListView):
    model = SupplierContract

    def base_queryset(self):
        return SupplierContract.objects.select_related("supplier__organization")


class ContractDetail(generic.RecordDetailView):
    model = SupplierContract
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
    create_service = staticmethod(services.contract_create)
    update_service = staticmethod(services.contract_update)


class DisputeList(generic.RecordListView):
    model = Dispute

    def base_queryset(self):
        return Dispute.objects.select_related("contract")


class DisputeDetail(generic.RecordDetailView):
    model = Dispute
    transition_service = staticmethod(services.dispute_transition)


class DisputeForm(generic.RecordFormView):
    model = Dispute
    create_service = staticmethod(services.dispute_create)
    update_service = staticmethod(services.dispute_update)


class GovernedProcessList(generic.RecordListView):
    model = GovernedProcess

    def base_queryset(self):
        return GovernedProcess.objects.select_related("operated_by", "accountable")


class GovernedProcessDetail(generic.RecordDetailView):
    model = GovernedProcess


class GovernedProcessForm(generic.RecordFormView):
    model = GovernedProcess
