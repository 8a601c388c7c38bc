"""UI pages for the service catalogue."""

from servitium.core import views as generic

from . import services
from .lifecycle import SERVICE_WORKFLOW
from .models import Service


class ServiceList(generic.RecordListView):
    model = Service
    columns = ["reference", "name", "status", "owner"]
    filter_fields = ["status", "owner", "customers"]
    search_fields = ["name", "description", "reference"]
    default_sort = "name"

    def base_queryset(self):
        return Service.objects.select_related("owner")


class ServiceDetail(generic.RecordDetailView):
    model = Service
    fields = ["reference", "name", "status", "description", "owner", "customers", "depends_on"]
    workflow = SERVICE_WORKFLOW
    transition_service = staticmethod(services.service_transition)


class ServiceForm(generic.RecordFormView):
    model = Service
    form_fields = ["name", "description", "owner", "customers", "depends_on"]
    create_service = staticmethod(services.service_create)
    update_service = staticmethod(services.service_update)
